/**
 * Attack: catch an `invalid-argument` the host threw into the guest, in a worker. A provider's
 * function is asynchronous, reached by a synchronous call: a worker refuses its Promise as
 * `invalid-argument`, thrown into the guest, which (built with legacy exception handling:
 * `try`/`catch_all`) catches it and returns 7. Inline, an error thrown into the guest fails the
 * call and poisons the sandbox (d2b331d). In a worker the call failed with it too, but the kernel,
 * which had not seen the worker's mark, took the `invalid-argument` for the embedder's bad
 * argument and kept the sandbox `ready`, the guest's state as the throw left it (review15, M2).
 * Must: in a worker as inline, the call fails with the error and the sandbox is poisoned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type ModuleHandle } from '../../../host/index.js';
import { WAT_ALL_FEATURES } from '../../../scripts/lib/wat.js';
import { hostileComponent } from './support.js';

const PROVIDER: CapabilityProvider = {
  name: 'typed',
  interfaces: ['keel:hostile/typed'],
  link: () => ({
    // An asynchronous host function reached by a synchronous call: refused as invalid-argument.
    fail: async () => 1,
  }),
};

const FIELDS = `(import "keel:hostile/typed" "fail" (func $fail (result i32)))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "run") (param $attack i32) (result i32)
      (if (local.get $attack) (then (try (do (drop (call $fail))) (catch_all))))
      (i32.const 7))`;

const WIT = `interface typed { fail: func() -> u32; }
    world w { import typed; export run: func(attack: u32) -> u32; }`;

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, providers: [PROVIDER] });
  module = await kernel.load(await hostileComponent(FIELDS, WIT, 'utf8', WAT_ALL_FEATURES));
});
afterAll(() => kernel.close());

// Inline and in a worker the Promise is refused as invalid-argument, thrown into the guest, which
// catches it.
for (const [placement, code] of [
  ['inline', 'invalid-argument'],
  ['worker', 'invalid-argument'],
] as const) {
  it(`catch an error thrown into the guest (${placement}): ${code}, the sandbox poisoned`, async () => {
    const benign = await kernel.spawn(module, { grants: ['keel:hostile/typed'], placement });
    expect(benign.invokeSync('run', [0])).toMatchObject({ value: 7 });
    expect(benign.state).toBe('ready');

    const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/typed'], placement });
    expect(() => sandbox.invokeSync('run', [1])).toThrow(expect.objectContaining({ code }));
    expect(sandbox.state).toBe('poisoned');
    expect(sandbox.failure?.code).toBe(code);
  });
}
