/**
 * Attack: loops of the peeled shape (host/meter/peeled.ts) nested thousands deep. Each one's
 * look ahead for its B reads the loops inside it, which the rewriter then reads again: without
 * a bound, the metering of one body takes time quadratic in its size (4,000 deep: 4.4 s against
 * 0.5 s, load 20). The look aheads of a body read at most its size together; the loops past
 * that are written as before (checked at their headers), with the same fuel.
 */
import { expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../../host/meter/index.js';

/** `run(n)`: `depth` nested `loop H if A if <the next> end B br 1 end end`, H = i < n, A = mem[i] == 0. */
function nest(depth: number): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  // loop; i; n; lt_s; if; i; load8_u; eqz; if
  const open = [
    0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x48, 0x04, 0x40, 0x20, 0x01, 0x2d, 0x00, 0x00, 0x45, 0x04, 0x40,
  ];
  // end; i = i + 1; br 1; end; end
  const close = [0x0b, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x0c, 0x01, 0x0b, 0x0b];
  const code = [0x01, 0x01, 0x7f];
  for (let k = 0; k < depth; k++) code.push(...open);
  code.push(0x01); // nop
  for (let k = 0; k < depth; k++) code.push(...close);
  code.push(0x20, 0x01, 0x0b);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}

it('meters 4,000 nested loops of the peeled shape in time linear in their size, with per-turn fuel', () => {
  // Warm the rewriter, then time it against the same body without counted loops (no look ahead).
  meterModule(nest(300));
  meterModule(nest(300), { countedLoops: false });
  const bytes = nest(4000);
  let start = performance.now();
  const perTurn = meterModule(bytes, { countedLoops: false });
  const plainMs = performance.now() - start;
  start = performance.now();
  const metered = meterModule(bytes);
  const peeledMs = performance.now() - start;
  expect(peeledMs).toBeLessThan(5 * plainMs + 200);
  // The outermost loop is peeled; the look aheads stop before the loops deep inside it.
  expect(metered.length).toBeGreaterThan(perTurn.length);
  expect(metered.length).toBeLessThan(perTurn.length + 1000);
  const used = (code: Uint8Array) => {
    const meter = createMeterRuntime({ fuel: 1e9, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 997 });
    const run = new WebAssembly.Instance(new WebAssembly.Module(code as Uint8Array<ArrayBuffer>), {
      keel: meter.imports.keel,
    }).exports.run as (n: number) => number;
    return { result: run(50), used: meter.used() };
  };
  expect(used(metered)).toEqual(used(perTurn));
});
