/**
 * Attack: a component of a few hundred bytes whose instances each export the one below twice,
 * 30 levels deep: as an imported instance's type (each level an instance type exporting the one
 * before as "a" and "b"), or as bags of exports the component exports. The planner expanded
 * every path into the plan (an imported instance's functions by path, the root's exports as a
 * tree): 2^30 entries, the kernel's thread blocked for hours and then out of memory (16 levels
 * took 1.9 s, 18 levels of bags 5.0 s, at load 20). Instance exports are now counted once per
 * path and refused past MAX_INSTANCE_EXPORTS (host/abi/plan.ts), before the tree is built.
 */
import { expect, it } from 'vitest';
import { MAX_INSTANCE_EXPORTS } from '../../../host/abi/plan.js';
import { isKeelError, Kernel } from '../../../host/index.js';
import { componentText } from './support.js';

const LEVELS = 30;

function importedTypes(levels: number): string {
  let types = '(type $I0 (instance (export "f" (func))))\n';
  for (let i = 1; i <= levels; i++) {
    types += `(type $I${i} (instance (alias outer $C $I${i - 1} (type $t)) (export "a" (instance (type $t))) (export "b" (instance (type $t)))))\n`;
  }
  return `(component $C\n${types}(import "x" (instance (type $I${levels}))))`;
}

function exportedBags(levels: number): string {
  let s = `(component
  (core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))
  (instance $i0 (export "f" (func $f)))\n`;
  for (let k = 1; k <= levels; k++) {
    s += `  (instance $i${k} (export "a" (instance $i${k - 1})) (export "b" (instance $i${k - 1})))\n`;
  }
  return `${s}  (export "x" (instance $i${levels})))`;
}

async function outcome(text: string): Promise<{ ms: number; code?: string; message?: string }> {
  const bytes = await componentText(text);
  expect(bytes.length).toBeLessThan(1024);
  const kernel = new Kernel({ cacheDir: false });
  try {
    const started = performance.now();
    try {
      await kernel.load(bytes);
      return { ms: performance.now() - started };
    } catch (error) {
      if (!isKeelError(error)) throw error;
      return { ms: performance.now() - started, code: error.code, message: error.message };
    }
  } finally {
    await kernel.close();
  }
}

for (const [shape, text] of [
  ['an imported instance type', importedTypes(LEVELS)],
  ['bags of exports, exported', exportedBags(LEVELS)],
] as const) {
  it(`instance exports exponential: ${shape}, each level exporting the one below twice, 30 levels, is refused in bounded time`, async () => {
    const result = await outcome(text);
    expect(result.code).toBe('invalid-module');
    expect(result.message).toContain(`more than ${MAX_INSTANCE_EXPORTS} exports of instances`);
    expect(result.ms).toBeLessThan(15_000);
  }, 60_000);
}

it('instance exports exponential: the same shapes 8 levels deep (256 paths) still load', async () => {
  expect((await outcome(importedTypes(8))).code).toBeUndefined();
  expect((await outcome(exportedBags(8))).code).toBeUndefined();
}, 60_000);
