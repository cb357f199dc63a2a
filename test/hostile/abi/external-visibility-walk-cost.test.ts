/**
 * Attack on the external-visibility check (host/abi/visibility.ts): a type shared twice at each
 * of 16 levels (a tuple of two of the level below, 2^16 paths down to an exported record),
 * exported under 1,000 names. Each export asks whether every record, variant, enum, flags or
 * resource its type reaches is named; walked path by path, that is 1,000 x 2^17 visits: 120-129 s
 * of the kernel's thread for one load at load 20, against 23-80 ms for the same number of exports of
 * a primitive type. A structural type found named is remembered per component
 * (names only accumulate, and one unnamed type refuses the component), so each type object is
 * walked once: the load costs about what exporting a primitive type under as many names does.
 */
import { expect, it } from 'vitest';
import { componentText, loadMs } from './support.js';

const LEVELS = 16;
const EXPORTS = 1_000;

function component(shared: boolean): string {
  let types = '(type $r (record (field "x" u8)))\n(export $re "r" (type $r))\n(type $t0 (tuple $re $re))\n';
  for (let k = 1; k <= LEVELS; k++) types += `(type $t${k} (tuple $t${k - 1} $t${k - 1}))\n`;
  const exported = shared ? `$t${LEVELS}` : '$p';
  let exports = '';
  for (let i = 0; i < EXPORTS; i++) exports += `(export "e${i}" (type ${exported}))\n`;
  return `(component\n${types}(type $p u8)\n${exports})`;
}

it('external visibility walk: a type of 2^16 paths exported 1,000 times loads in linear time', async () => {
  const attack = await componentText(component(true));
  const baseline = await componentText(component(false));
  expect(attack.length).toBeLessThan(64 * 1024);
  // Fresh bytes each load, interleaved, the best of five of each; the walk without its memo is
  // over 1,000x (a loaded machine moves single loads of tens of milliseconds by up to 8x).
  let best = Number.POSITIVE_INFINITY;
  let base = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    best = Math.min(best, await loadMs(attack.slice()));
    base = Math.min(base, await loadMs(baseline.slice()));
  }
  expect(best / base).toBeLessThan(20);
}, 120_000);
