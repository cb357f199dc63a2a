/**
 * Attack (review11): a component holding a nested component it never instantiates, with a core
 * module in it. The planner validates that component (9547f6d) and drops what it planned; the
 * loader's `onModule` (de79eeb) had metered, compiled and written its module into the disk
 * entry, so the entry never matched the plan: every load of another kernel was a miss (the
 * entry refused and rewritten), and a module the meter refuses refused a valid component.
 */
import { expect, it, vi } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { tempCacheDir } from '../../helpers/components.js';

vi.mock('../../../host/abi/plan-fingerprint.js', () => ({ PLANNER_FINGERPRINT: 'test-fingerprint' }));

const TEXT = `(component
  (core module $m (func (export "f")))
  (core instance (instantiate $m))
  (component $never
    (core module $n (func (export "g")) (func (export "h")))
  )
)`;

it('a second load of a component with an uninstantiated nested module is a disk hit', async () => {
  const bytes = await parse(TEXT);
  const cacheDir = tempCacheDir();
  const sources: string[] = [];
  for (let i = 0; i < 3; i++) {
    const kernel = new Kernel({ cacheDir });
    try {
      const loaded = await kernel.load(bytes);
      sources.push(loaded.cache);
      expect(kernel.loaderStats.compiles).toBe(1);
    } finally {
      await kernel.close();
    }
  }
  expect(sources).toEqual(['miss', 'disk', 'disk']);
});

it('an invalid core module in an uninstantiated nested component is refused', async () => {
  // Not metered or compiled any more, the module is still validated: an i64 where an i32 is due.
  const bytes = await parse(`(component
    (core module $m (func (export "f")))
    (core instance (instantiate $m))
    (component $never
      (core module $n (func (result i32) (i64.const 0)))
    )
  )`);
  const kernel = new Kernel({ cacheDir: false });
  try {
    await expect(kernel.load(bytes)).rejects.toMatchObject({ code: 'invalid-module' });
  } finally {
    await kernel.close();
  }
});
