/**
 * A kernel keeps the sandbox that ended last (until another ends or the kernel closes), so that
 * V8's hidden classes of a sandbox's parts, and the optimized spawn and call code that checks
 * them, outlive the last sandbox (host/kernel/kernel.ts, `#lastEnded`). What it keeps must not
 * reach the guest's memory.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type ModuleHandle, type Sandbox } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { liveObjects } from '../helpers/live-objects.js';
import { wat } from '../helpers/wat.js';

// vitest's forks run without --expose-gc: switched on for this process.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 6 && ref.deref(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  return ref.deref() === undefined;
}

/** Spawn, call, terminate; only a WeakRef to the sandbox is returned. */
async function ended(kernel: Kernel, module: ModuleHandle): Promise<WeakRef<Sandbox>> {
  const sandbox = await kernel.spawn(module);
  expect(sandbox.fn('numbers#add-u8')(200, 1)).toBe(201);
  sandbox.terminate('done');
  return new WeakRef(sandbox);
}

describe('the sandbox that ended last', () => {
  it('is kept by its kernel until another ends or the kernel closes', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(new Uint8Array(readFileSync(root('guests/as/types/types.wasm'))));
    const first = await ended(kernel, module);
    expect(await collected(first)).toBe(false);
    const second = await ended(kernel, module);
    expect(await collected(first)).toBe(true);
    expect(await collected(second)).toBe(false);
    await kernel.close();
    expect(await collected(second)).toBe(true);
  });

  it('keeps no memory of its guest', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(new Uint8Array(readFileSync(root('guests/as/types/types.wasm'))));
    const memories = await liveObjects(WebAssembly.Memory.prototype);
    const alive = await kernel.spawn(module);
    expect(await liveObjects(WebAssembly.Memory.prototype)).toBeGreaterThan(memories);
    const last = await ended(kernel, module);
    expect(last.deref()).toBeDefined();
    alive.terminate('done');
    expect(await liveObjects(WebAssembly.Memory.prototype)).toBe(memories);
    await kernel.close();
  });

  it("keeps nothing of the embedder's io nor of its providers' state", async () => {
    // A provider that keeps an object in the sandbox's shared state, as wasi:io keeps its streams.
    let held: WeakRef<object> | undefined;
    const keeper: CapabilityProvider = {
      name: 'keeper',
      interfaces: [],
      coreImports: ['env.keep'],
      link: ({ context }) => {
        held = new WeakRef(context.state('keeper', () => ({ stream: new Uint8Array(1 << 20) })));
        return { keep: () => 1 };
      },
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [keeper] });
    const module = await kernel.load(
      await wat(`(module (import "env" "keep" (func $keep (result i32)))
        (func (export "f") (result i32) (call $keep)))`),
    );
    const io = await (async () => {
      const stdin = new Uint8Array(1 << 20);
      const stdout = (_chunk: Uint8Array): void => {};
      const sandbox = await kernel.spawn(module, { grants: ['env.keep'], io: { stdin, stdout } });
      expect(sandbox.fn('f')()).toBe(1);
      sandbox.terminate('done');
      return { stdin: new WeakRef(stdin), stdout: new WeakRef(stdout), sandbox: new WeakRef(sandbox) };
    })();
    expect(await collected(io.sandbox)).toBe(false);
    expect(await collected(io.stdin)).toBe(true);
    expect(await collected(io.stdout)).toBe(true);
    expect(await collected(held!)).toBe(true);
    await kernel.close();
  });
});
