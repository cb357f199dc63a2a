/**
 * Attack: buy host time with the instructions V8 runs out of line, at the price of compute. A
 * loop of `memory.grow 0` calls into Keel and V8's runtime at every turn (about 400 ns for 7
 * fuel: 800x compute per unit), `table.fill` of a funcref table sets each element through V8's
 * runtime (25 ns an element for 1/8 fuel: 2,300x), a thrown and caught exception costs about
 * 1.4 µs for 3 fuel (2,300x), a `table.grow` of 1,000 elements 300–400 µs for 1,000 fuel
 * (4,800x). Each is now priced for its host work (docs/fuel.md, "The cost model"), so a unit of
 * fuel spent on any of them costs the host at most 10 times what a unit of compute does
 * (the compute reference: bench/results/fuel-latest.json), with the host's heap bounded.
 */
import { describe, expect, it } from 'vitest';
import { GROW_WAT } from '../../../bench/fuel/guests.js';
import { FUEL_BOUND, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';
import { instantiateMetered, watAll } from '../../meter/support.js';

const loop = (name: string, body: string) => `
  (func (export "${name}") (param $n i32)
    (loop $l ${body}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))`;

const GUEST = `(module
  (memory 1)
  (table $t 20000 funcref)
  (elem declare func $f)
  (tag $x (param i32))
  (func $f)
  ${loop('grow0', '(drop (memory.grow (i32.const 0)))')}
  ${loop('table-grow0', '(drop (table.grow $t (ref.null func) (i32.const 0)))')}
  ${loop('fill0', '(table.fill $t (i32.const 0) (ref.func $f) (i32.const 0))')}
  ${loop('fill', '(table.fill $t (i32.const 0) (ref.func $f) (i32.const 10000))')}
  ${loop('copy', '(table.copy $t $t (i32.const 0) (i32.const 10000) (i32.const 10000))')}
  ${loop('memcopy0', '(memory.copy (i32.const 0) (i32.const 0) (i32.const 0))')}
  ${loop('set', '(table.set $t (i32.and (local.get $n) (i32.const 1023)) (ref.func $f))')}
  ${loop('throw', '(try (do (throw $x (local.get $n))) (catch $x (drop)))')})`;

const FLOODS: [string, number][] = [
  ['grow0', 4096],
  ['table-grow0', 4096],
  ['fill0', 4096],
  ['fill', 8],
  ['copy', 8],
  ['memcopy0', 4096],
  ['set', 4096],
  ['throw', 1024],
];

describe('out-of-line instruction flood', () => {
  for (const [name, turns] of FLOODS) {
    it(`${name}: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const { exports, meter } = instantiateMetered(await watAll(GUEST));
      const before = heapUsed();
      const ratio = await fuelRatio(() => {
        const used = meter.used();
        exports[name](turns);
        return meter.used() - used;
      });
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
    });
  }

  // Grows in a fresh instance each time (memories and tables only grow): 10 grows of a table by
  // 1,000 elements; 64 grows of a page, each touched at every 4 KiB.
  for (const [name, turns, by] of [
    ['table-grow', 10, 1000],
    ['grow-touch', 64, 1],
  ] as const) {
    it(`${name} in fresh instances: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const bytes = await watAll(GROW_WAT);
      const ratio = await fuelRatio(() => {
        const { exports, meter } = instantiateMetered(bytes);
        exports[name](turns, by);
        return meter.used();
      });
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
    });
  }
});
