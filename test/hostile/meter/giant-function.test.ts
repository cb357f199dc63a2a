/**
 * Attack: one giant function body (shape: guests/wat/hostile/meter/giant-function.wat; the
 * full-size module is built in binary): hundreds of thousands of blocks, each with a branch the
 * metering must charge. Time and output size stay linear; the result compiles and runs.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { expectLinear, instantiateMetered, repeat, syntheticModule } from '../../meter/support.js';

/** `block; i32.const 0; br_if 0; end` repeated, then `i32.const 1`: 6 bytes per unit. */
function giant(units: number): Uint8Array {
  return syntheticModule(1, repeat([0x02, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b], units, [0x41, 0x01]));
}

it('giant function: the small shape runs metered', async () => {
  const { exports, meter } = instantiateMetered(await watFile('guests/wat/hostile/meter/giant-function.wat'));
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(7);
});

it('giant function: a 2.8 MB body meters, compiles and runs', () => {
  const units = 400_000;
  const { exports, meter } = instantiateMetered(giant(units), { fuel: 1e9 });
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(units * 2 + 1);
});

it('giant function: rewriting time and output size are linear in the body size', () => {
  const { ok, tSmall, tLarge } = expectLinear(giant, (b) => meterModule(b), 100_000);
  expect(ok, `0.7 MB: ${tSmall.toFixed(1)} ms, 5.6 MB: ${tLarge.toFixed(1)} ms`).toBe(true);
  const ratio = meterModule(giant(1_600_000)).length / meterModule(giant(200_000)).length;
  expect(ratio).toBeGreaterThan(7.5);
  expect(ratio).toBeLessThan(8.5);
});
