/**
 * Attack: a small component of many lowered functions (or resource built-ins). Each trampoline
 * is made at every spawn, on the kernel's thread and outside fuel, whether any core instance
 * imports it or not, and only the plan's definitions bounded them (250,000): 50,000 lowerings
 * of a function the component lifts (1 MB) held 63 MB of host heap a sandbox and took 1.1-2.9 s
 * to spawn, 100,000 `resource.drop`s (200 KB) 17.6 MB and 0.3-0.5 s (load 20); at the bound on
 * definitions, about 300 MB and seconds a spawn. A plan now makes at most `MAX_TRAMPOLINES`,
 * each counted once per instantiation of the component that holds it: more is
 * `invalid-module` at load, before anything is compiled.
 */
import { afterAll, expect, it } from 'vitest';
import { MAX_TRAMPOLINES } from '../../../host/abi/plan.js';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { heapUsed } from '../events/guests.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

/** `n` lowerings of a function the component lifts (an adapter to itself, never called). */
function lowerings(n: number): string {
  return `(core module $m (memory (export "mem") 1) (func (export "f") (param i32 i32))
      (func (export "r") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (alias core export $i "mem" (core memory $mem))
    (alias core export $i "r" (core func $r))
    (func $f (param "s" string) (canon lift (core func $i "f") (memory $mem) (realloc $r)))
    ${'(core func (canon lower (func $f) (memory $mem)))'.repeat(n)}`;
}

async function refusal(text: string): Promise<{ code?: string; message: string }> {
  return kernel.load(await parse(text)).then(
    () => ({ message: 'loaded' }),
    (error: { code?: string; message: string }) => error,
  );
}

it(`one more resource built-in than ${MAX_TRAMPOLINES} is refused at load`, async () => {
  const error = await refusal(
    `(component (type $r (resource (rep i32))) ${'(core func (canon resource.drop $r))'.repeat(MAX_TRAMPOLINES + 1)})`,
  );
  expect(error.code).toBe('invalid-module');
  expect(error.message).toMatch(`more than ${MAX_TRAMPOLINES} lowered functions`);
});

it('lowerings are counted once per instantiation of the component that holds them', async () => {
  const per = 101;
  const times = Math.floor(MAX_TRAMPOLINES / per) + 1;
  const error = await refusal(
    `(component (component $c ${lowerings(per)}) ${'(instance (instantiate $c))'.repeat(times)})`,
  );
  expect(error.code).toBe('invalid-module');
  expect(error.message).toMatch(`more than ${MAX_TRAMPOLINES} lowered functions`);
});

it('a component at the bound spawns within a few MB', async () => {
  const module = await kernel.load(await parse(`(component ${lowerings(MAX_TRAMPOLINES)})`));
  const before = heapUsed();
  const started = performance.now();
  const sandbox = await kernel.spawn(module);
  const ms = performance.now() - started;
  const bytes = heapUsed() - before;
  console.log(`${MAX_TRAMPOLINES} lowerings: ${(bytes / 1e6).toFixed(1)} MB, ${ms.toFixed(0)} ms a spawn`);
  expect(bytes).toBeLessThan(12 * 1024 * 1024);
  sandbox.terminate('done');
});
