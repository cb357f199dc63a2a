/**
 * Attack: many loops of the outlined shape (host/meter/outlined.ts: a loop around up to four
 * straight loops, up to 4 KiB), each with a long turn after its scans. Every scan's way out gets
 * a copy of the rest of the turn, so without a bound the metered module was about 5x its input
 * (review18 L2: 9.86 MB in, 50.3 MB out, 3.3-4.2 s to meter). The copies add at most the
 * module's own size (64 KiB at least); past that its loops are written as before (checked at
 * their headers): the metered module stays near the 1.07x of such loops not outlined, plus 1x.
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../../host/meter/index.js';
import { wat } from '../../helpers/wat.js';

const inc = (x: string, by: number) => `(local.set ${x} (i32.add (local.get ${x}) (i32.const ${by})))`;
const scan = (n: number) =>
  `(loop $s${n} ${inc('$i', 1)} (br_if $s${n} (i32.lt_s (i32.load (i32.and (local.get $i) (i32.const 1020))) (local.get $p))))`;
const REST = Array.from({ length: 480 }, (_, k) => inc('$t', (k % 60) + 1)).join(' ');

function partitions(functions: number): string {
  const funcs = Array.from(
    { length: functions },
    (_, f) => `(func (export "f${f}") (param $p i32) (result i32) (local $i i32) (local $t i32)
      (loop $P ${[0, 1, 2, 3].map(scan).join(' ')} ${REST}
        (br_if $P (i32.lt_s (local.get $t) (local.get $p))))
      (local.get $t))`,
  );
  return `(module (memory 1) ${funcs.join('\n')})`;
}

it("outlined loop amplification: the copies add at most the module's own size", async () => {
  const bytes = await wat(partitions(80), 'outlined-amplification.wat');
  const metered = meterModule(bytes);
  expect(bytes.length).toBeGreaterThan(4 * 64 * 1024);
  expect(metered.length / bytes.length).toBeLessThan(2.25);
  // Still metered: a turn is never free, and the loop ends when its fuel does.
  const meter = createMeterRuntime({
    fuel: 100_000,
    memoryBytes: 2 ** 20,
    tableElements: 10,
    sliceFuel: 997,
  });
  const f0 = new WebAssembly.Instance(new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>), {
    keel: meter.imports.keel,
  }).exports.f0 as (p: number) => number;
  expect(() => f0(0x7fffffff)).toThrow();
  expect(meter.used()).toBeGreaterThanOrEqual(100_000);
});
