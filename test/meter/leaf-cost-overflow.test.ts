/**
 * A leaf's cost is written as an i32.const (host/meter/leaves.ts): under a custom cost model
 * where it passes 2^31 - 1 the defined form did not compile ("extra bits in varint", review16
 * L2). Such a leaf gets no twin; the module compiles and its export is metered as before.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';

it('a leaf whose cost passes 2^31 - 1 gets no twin, and the module compiles', async () => {
  const bytes = await wat(
    `(module (memory (export "memory") 1)
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
    'leaf.wat',
  );
  for (const [price, twinned] of [
    [1000, true],
    [2 ** 31 - 3, true],
    [2 ** 31 - 2, false],
    [2 ** 32 - 1, false],
  ] as const) {
    const metered = meterModule(bytes, { counter: 'defined', costs: { instructions: { 'i32.add': price } } });
    const names = WebAssembly.Module.exports(new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>)).map(
      (e) => e.name,
    );
    expect(names.includes('keel:leaf/add'), `i32.add priced ${price}`).toBe(twinned);
  }
});
