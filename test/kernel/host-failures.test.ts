/**
 * What a provider throws while a guest calls it is sorted in one place (host/abi/calls.ts
 * `hostFailure`), on the scalar fast path and the general path alike: a `RangeError` is a
 * guest's value the host could not take (`trap`); a `TypeError` is a provider's bug
 * (`internal`, naming the import), never the embedder's `invalid-argument`; a stack overflow
 * stays one. Either way the sandbox is poisoned. A worker sandbox's host calls are sorted the same
 * way in the kernel's thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilityProvider, ModuleHandle, SandboxPlacement } from '../../host/index.js';
import { Kernel } from '../../host/index.js';
import { componentFromWat } from '../helpers/components.js';
import { PLACEMENTS } from '../helpers/placements.js';

const WIT = `package test:host;
interface thrower {
  scalar: func(kind: u32);
  text: func(kind: u32, s: string);
}
world w {
  import thrower;
  export scalar: func(kind: u32);
  export text: func(kind: u32);
}`;

const WAT = `(module
  (import "test:host/thrower" "scalar" (func $scalar (param i32)))
  (import "test:host/thrower" "text" (func $text (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi")
  (func (export "scalar") (param i32) (call $scalar (local.get 0)))
  (func (export "text") (param i32) (call $text (local.get 0) (i32.const 16) (i32.const 2))))`;

function fail(kind: number): never {
  if (kind === 0) throw new RangeError('Invalid typed array length: 4294967296');
  if (kind === 1) throw new TypeError('Cannot read properties of undefined');
  const recurse = (): number => recurse() + 1;
  recurse();
  throw new Error('unreachable');
}

const THROWER: CapabilityProvider = {
  name: 'thrower',
  interfaces: ['test:host/thrower'],
  link: () => ({ scalar: (kind: number) => fail(kind), text: (kind: number) => fail(kind) }),
};

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, providers: [THROWER] });
  module = await kernel.load(await componentFromWat(WAT, WIT, 'w'));
});
afterAll(() => kernel.close());

const CASES = PLACEMENTS.flatMap((placement) =>
  ['scalar', 'text'].map((path): [SandboxPlacement, string] => [placement, path]),
);

describe.each(CASES)('a provider failing (%s, %s arguments)', (placement, path) => {
  const call = async (kind: number) => {
    const sandbox = await kernel.spawn(module, { grants: ['test:host/thrower'], placement });
    const error = await sandbox.invoke(path, [kind]).then(
      () => undefined,
      (thrown: unknown) => thrown as { code: string; message: string; details: Record<string, unknown> },
    );
    expect(sandbox.state).toBe('poisoned');
    return error!;
  };

  it("is trap for a RangeError (a guest's value the host could not take)", async () => {
    const error = await call(0);
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ import: `test:host/thrower#${path}` });
  });

  it("is internal for a TypeError (a provider's bug), never invalid-argument", async () => {
    const error = await call(1);
    expect(error.code).toBe('internal');
    expect(error.message).toContain(`test:host/thrower#${path}`);
  });

  it.runIf(placement === 'inline')('stays a stack overflow', async () => {
    expect((await call(2)).code).toBe('stack-overflow');
  });
});
