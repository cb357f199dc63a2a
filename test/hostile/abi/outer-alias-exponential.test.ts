/**
 * Attack: a component of under 2 KB whose instance types each export the one before twice,
 * 30 levels deep, aliased by a nested component that is instantiated. Checking that the alias
 * names no resource (df3a9b7) walked every path: 2^30 visits, the kernel's thread blocked for
 * hours. Each type is now answered once (host/abi/plan.ts `refersToResource`).
 */
import { expect, it } from 'vitest';
import { componentText, loadMs } from './support.js';

const LEVELS = 30;

function text(levels: number): string {
  let types = '(type $I0 (instance (export "a" (func))))\n';
  for (let i = 1; i <= levels; i++) {
    types += `(type $I${i} (instance (alias outer $C $I${i - 1} (type $t)) (export "a" (instance (type $t))) (export "b" (instance (type $t)))))\n`;
  }
  return `(component $C\n${types}\n(component $N (alias outer $C $I${levels} (type $x)))\n(instance (instantiate $N)))`;
}

it('outer alias exponential: a type shared twice per level, 30 levels, is checked in linear time', async () => {
  const bytes = await componentText(text(LEVELS));
  expect(bytes.length).toBeLessThan(2048);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);
