/**
 * Attack: 100,000 functions (the shape is guests/wat/hostile/meter/many-functions.wat; the
 * full-size module is built in binary). Metering stays linear, the result compiles and runs.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { expectLinear, instantiateMetered, syntheticModule } from '../../meter/support.js';

const BODY = [0x41, 0x01]; // i32.const 1

it('many functions: the small shape runs metered', async () => {
  const { exports, meter } = instantiateMetered(await watFile('guests/wat/hostile/meter/many-functions.wat'));
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(1);
});

it('many functions: 100,000 functions meter, compile and run', () => {
  const bytes = syntheticModule(100_000, BODY);
  const start = performance.now();
  const { exports, meter } = instantiateMetered(bytes);
  expect(performance.now() - start).toBeLessThan(10_000);
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(1);
});

it('many functions: rewriting time is linear in the number of functions', () => {
  const { ok, tSmall, tLarge } = expectLinear(
    (n) => syntheticModule(n, BODY),
    (b) => meterModule(b),
    25_000,
  );
  expect(ok, `25k: ${tSmall.toFixed(1)} ms, 200k: ${tLarge.toFixed(1)} ms`).toBe(true);
});
