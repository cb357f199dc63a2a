/**
 * Attack: a small component that instantiates one core module over and over. Each core instance
 * is made at every spawn, on the kernel's thread and outside fuel, at about 2 us an import or
 * export of its module, and only the plan's definitions were bounded (250,000): 300 KB of
 * 100,000 instances of an empty module held 90 MB of host heap a sandbox and took 1.4 s to
 * spawn; 21 KB of 2,000 instances of a module of 2,000 exports 200 MB and 10.6 s (load 10-19).
 * A plan now makes at most `MAX_CORE_INSTANCES` core instances, of at most
 * `MAX_CORE_INSTANCE_ENTITIES` imports and exports after each module's first instance: the
 * component is `invalid-module` at load, before anything is compiled. At the bounds a spawn
 * takes 50-280 ms and 0.5-5 MB (load 18).
 */
import { afterAll, expect, it } from 'vitest';
import { MAX_CORE_INSTANCE_ENTITIES, MAX_CORE_INSTANCES } from '../../../host/abi/plan.js';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { heapUsed } from '../events/guests.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

/** `instances` core instances of one module of `exports` exported functions. */
function component(instances: number, exports: number): Promise<Uint8Array> {
  const names = Array.from({ length: exports }, (_, i) => `(export "f${i}" (func $f))`).join(' ');
  return parse(
    `(component (core module $m (func $f) ${names}) ${'(core instance (instantiate $m))'.repeat(instances)})`,
  );
}

async function refusal(bytes: Uint8Array): Promise<{ code?: string; message: string }> {
  return kernel.load(bytes).then(
    () => ({ message: 'loaded' }),
    (error: { code?: string; message: string }) => error,
  );
}

it(`one more core instance than ${MAX_CORE_INSTANCES} is refused at load`, async () => {
  const error = await refusal(await component(MAX_CORE_INSTANCES + 1, 0));
  expect(error.code).toBe('invalid-module');
  expect(error.message).toMatch(`more than ${MAX_CORE_INSTANCES} core instances`);
});

it('instances of a module of many exports are refused past the bound on their imports and exports', async () => {
  const exports = 2_000;
  const error = await refusal(await component(MAX_CORE_INSTANCE_ENTITIES / exports + 2, exports));
  expect(error.code).toBe('invalid-module');
  expect(error.message).toMatch('imports and exports of core instances');
});

it('a component at both bounds spawns within a few MB', async () => {
  const module = await kernel.load(await component(MAX_CORE_INSTANCES, 99));
  const before = heapUsed();
  const sandbox = await kernel.spawn(module);
  expect(heapUsed() - before).toBeLessThan(16 * 1024 * 1024);
  sandbox.terminate('done');
});
