/**
 * Attack (review16 M3): a core instance of inline exports (`(core instance (export ...))`) in a
 * child component instantiated many times. Each of its exports is planned at every
 * instantiation, but the plan's step bound counted the whole instance as one definition: 20,000
 * exports in a child instantiated 990 times (172 KB) took 20 s to load. Each export counts as a
 * definition now: past MAX_PLAN_STEPS the load is `invalid-module`, quickly.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

it('bag instance replanned: its exports count as definitions at every instantiation', async () => {
  const exports = Array.from({ length: 20_000 }, (_, i) => `(export "f${i}" (func $f))`).join(' ');
  const child = `(component (core module $m (func (export "f"))) (core instance $i (instantiate $m)) (alias core export $i "f" (core func $f)) (core instance ${exports}))`;
  const bytes = await parse(`(component ${child} ${'(instance (instantiate 0))'.repeat(200)})`);
  const started = performance.now();
  await expect(kernel.load(bytes)).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/definitions to plan across instantiations/),
  });
  // Before: 3.2 s for 200 instantiations at load 22 (all of them planned).
  expect(performance.now() - started).toBeLessThan(2_000);
}, 60_000);
