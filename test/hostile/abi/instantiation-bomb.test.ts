/**
 * Attack: a component of a few hundred bytes nests a child at each of d levels and instantiates
 * it k times at each: k^d component instances. Keel plans a nested component once per
 * instantiation (as Wasmtime's inliner does), so 16^5 took 7 s of the kernel's thread and 300 MB
 * at load, and 16^6 more than the process holds. A plan now makes at most 1,000 component
 * instances and interprets at most 250,000 definitions across them, refusing the component
 * past either (`invalid-module`); a composition of the size components use still loads.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText } from './support.js';

/**
 * A leaf of `leaf` definitions (core instances, or core types: more than `MAX_CORE_INSTANCES`
 * core instances are refused on their own), nested `levels` deep, each level instantiating its
 * child `width` times.
 */
function text(
  width: number,
  levels: number,
  leaf = 1,
  definition = '(core instance (instantiate $m))',
): string {
  let inner = `(component (core module $m (func (export "f")))${` ${definition}`.repeat(leaf)})`;
  for (let i = 0; i < levels; i++)
    inner = `(component ${inner}${' (instance (instantiate 0))'.repeat(width)})`;
  return inner;
}

async function refusedQuickly(source: string, pattern: RegExp): Promise<void> {
  const bytes = await componentText(source);
  expect(bytes.length).toBeLessThan(8192);
  const kernel = new Kernel({ cacheDir: false });
  try {
    const started = performance.now();
    await expect(kernel.load(bytes)).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(pattern),
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  } finally {
    await kernel.close();
  }
}

it('instantiation bomb: 16 instantiations at each of 6 levels (16^6 instances) are refused in bounded time', async () => {
  await refusedQuickly(text(16, 6), /more than 1000 component instances/);
});

it('instantiation bomb: few instances of a child with many definitions are refused in bounded time', async () => {
  // 31^2 + 31 + 1 = 993 instances, each of the leaves with 2,000 core types: 1.9M definitions, past 250,000.
  await refusedQuickly(text(31, 2, 2_000, '(core type (func))'), /more than 250000 definitions/);
});

it('instantiation bomb: a composition of the size components use (4 wide, 3 deep: 85 instances) still loads', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    await kernel.load(await componentText(text(4, 3)));
  } finally {
    await kernel.close();
  }
});
