/**
 * Attack: 10,000 blocks nested in one another (shape: guests/wat/hostile/meter/nested-blocks.wat;
 * the full-size module is built in binary). The rewriter's control stack grows as needed, time
 * stays linear, and the result compiles and runs.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { concat, expectLinear, instantiateMetered, repeat, syntheticModule } from '../../meter/support.js';

/** `depth` nested blocks, a branch out of all of them from the innermost, then `i32.const 1`. */
function nested(depth: number): Uint8Array {
  const label = [];
  let value = depth - 1;
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value) b |= 0x80;
    label.push(b);
  } while (value);
  const body = concat([
    repeat([0x02, 0x40], depth),
    Uint8Array.from([0x0c, ...label]),
    repeat([0x0b], depth),
    Uint8Array.of(0x41, 1),
  ]);
  return syntheticModule(1, body);
}

it('nested blocks: the small shape runs metered', async () => {
  const { exports, meter } = instantiateMetered(await watFile('guests/wat/hostile/meter/nested-blocks.wat'));
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(2);
});

it('nested blocks: 10,000 levels meter, compile and run', () => {
  const { exports, meter } = instantiateMetered(nested(10_000));
  expect(exports.f0()).toBe(1);
  expect(meter.used()).toBe(2);
});

it('nested blocks: rewriting time is linear in the depth', () => {
  const { ok, tSmall, tLarge } = expectLinear(nested, (b) => meterModule(b), 50_000);
  expect(ok, `50k: ${tSmall.toFixed(1)} ms, 400k: ${tLarge.toFixed(1)} ms`).toBe(true);
});
