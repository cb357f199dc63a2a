/**
 * The kernel knows the provider interface, not the list: the public entry's `Kernel` hands in
 * Keel's built-in providers by default, and an embedder can run a kernel with exactly the
 * providers it chooses (`builtinProviders`).
 */
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PROVIDERS,
  type CapabilityProvider,
  Kernel,
  type KernelOptions,
  type SandboxContext,
} from '../../host/index.js';
import { Kernel as KernelCore } from '../../host/kernel/kernel.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

/** A preview1 command whose only import is served by the built-in `wasi:random` provider. */
const RANDOM_WAT = `(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $random (i32.const 0) (i32.const 8)))))`;

const SECRET_WAT = `(module
  (import "env" "read_secret" (func $read (result i32)))
  (func (export "peek") (result i32) (call $read)))`;

const secrets: CapabilityProvider = {
  name: 'secrets',
  interfaces: [],
  coreImports: ['env.read_secret'],
  link: () => ({ read_secret: () => 42 }),
};

/** A kernel whose only provider serves `env.read_secret` and keeps each sandbox's context in `seen`. */
async function watched(options: KernelOptions = {}) {
  const seen: SandboxContext[] = [];
  const watcher: CapabilityProvider = {
    ...secrets,
    link: ({ context }) => {
      seen.push(context);
      return { read_secret: () => 42 };
    },
  };
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    builtinProviders: [],
    providers: [watcher],
    ...options,
  });
  return { seen, kernel, secret: await kernel.load(await wat(SECRET_WAT)) };
}

describe('capability providers: handed in, never listed by the kernel', () => {
  it('new Kernel() from the public entry serves the built-in providers', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(RANDOM_WAT));
    expect(kernel.needs(module).map((n) => n.status)).not.toContain('unavailable');
    const sandbox = await kernel.spawn(module, { grants: ['wasi:random/random'] });
    await sandbox.invoke('_start');
    await kernel.close();
  });

  it('runs with exactly the providers the embedder chooses: none of the built-ins', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), builtinProviders: [], providers: [secrets] });
    const random = await kernel.load(await wat(RANDOM_WAT));
    await expect(kernel.spawn(random, { grants: ['wasi:random/random'] })).rejects.toMatchObject({
      code: 'capability-denied',
    });
    const secret = await kernel.load(await wat(SECRET_WAT));
    const sandbox = await kernel.spawn(secret, { grants: ['env.read_secret'] });
    expect(await sandbox.call('peek')).toBe(42);
    await kernel.close();
  });

  it("gives a provider the spawn's io read-only: frozen and shared without io, the embedder's own with it", async () => {
    const { seen, kernel, secret } = await watched();
    const stdout = (_chunk: Uint8Array): void => {};
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    await kernel.spawn(secret, { grants: ['env.read_secret'], io: { stdout } });
    const [a, b, own] = seen.map((c) => c.io);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({});
    expect(() => {
      // @ts-expect-error: a provider's io is read-only (tsc fails here if SandboxContext['io'] is writable)
      a!.stdout = stdout;
    }).toThrow(TypeError);
    expect(own!.stdout).toBe(stdout);
    await kernel.close();
  });

  it("gives each sandbox's providers its seed: the kernel's seed * 1,000,003 + its spawn number", async () => {
    const { seen, kernel, secret } = await watched({ deterministic: { seed: 7 } });
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    expect(seen.map((c) => c.seed)).toEqual([7n * 1_000_003n + 1n, 7n * 1_000_003n + 2n]);
    expect(seen[0]!.seed).toBe(seen[0]!.seed);
    await kernel.close();
  });

  it('two sandboxes alive at once never share a seed, whatever ended before them', async () => {
    const { seen, kernel, secret } = await watched({ deterministic: { seed: 7 } });
    const first = await kernel.spawn(secret, { grants: ['env.read_secret'] });
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    await first.terminate();
    // Two alive again: the third's seed was the second's when it came from the count alive.
    await kernel.spawn(secret, { grants: ['env.read_secret'] });
    expect(seen.map((c) => c.seed - 7n * 1_000_003n)).toEqual([1n, 2n, 3n]);
    await kernel.close();
  });

  it('runs with a chosen subset of the built-ins', async () => {
    const chosen = BUILTIN_PROVIDERS.filter((p) => !p.interfaces.some((i) => i.startsWith('wasi:random/')));
    expect(chosen.length).toBe(BUILTIN_PROVIDERS.length - 1);
    const kernel = new Kernel({ cacheDir: tempCacheDir(), builtinProviders: chosen });
    const random = await kernel.load(await wat(RANDOM_WAT));
    await expect(kernel.spawn(random, { grants: ['wasi:random/random'] })).rejects.toMatchObject({
      code: 'capability-denied',
    });
    await kernel.close();
  });

  it("host/kernel's own Kernel starts with no provider at all", async () => {
    const kernel = new KernelCore({ cacheDir: tempCacheDir() });
    const random = await kernel.load(await wat(RANDOM_WAT));
    await expect(kernel.spawn(random, { grants: ['wasi:random/random'] })).rejects.toMatchObject({
      code: 'capability-denied',
    });
    const secret = await kernel.load(await wat(SECRET_WAT));
    await expect(kernel.spawn(secret, { grants: ['env.read_secret'] })).rejects.toMatchObject({
      code: 'capability-denied',
      message: expect.stringContaining('no capability provider'),
    });
    await kernel.close();
  });
});
