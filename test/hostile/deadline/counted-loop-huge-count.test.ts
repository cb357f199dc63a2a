/**
 * Attack: a counted loop of 2^32 - 1 turns on a budget that pays for all of them. Its turns
 * are charged once, before it starts, and carry no check of their own; they run in chunks
 * between which the host looks at the clock, so the deadline stops it within a chunk. The
 * charge stays exact: it is the same with slices far smaller than the loop's charge.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMeterRuntime, meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, stopped } from './support.js';

let w: DeadlineWorld;
beforeAll(() => {
  w = deadlineWorld();
});
afterAll(() => w.close());

it('2^32 - 1 turns, all paid for: the deadline stops them', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'spin'));
  expectTimedOut(await stopped(() => sandbox.invoke('counted', [-1])));
  expect(sandbox.state).toBe('poisoned');
});

it('a precharge many slices large is charged exactly, whatever the slice', async () => {
  const source = await watFile('guests/wat/hostile/deadline/spin.wat');
  const counted = new WebAssembly.Module(meterModule(source) as Uint8Array<ArrayBuffer>);
  const perTurn = new WebAssembly.Module(
    meterModule(source, { countedLoops: false }) as Uint8Array<ArrayBuffer>,
  );
  const used = (module: WebAssembly.Module, sliceFuel: number) => {
    const meter = createMeterRuntime({ fuel: 1e12, memoryBytes: 65536, tableElements: 10, sliceFuel });
    const instance = new WebAssembly.Instance(module, { keel: meter.imports.keel });
    (instance.exports.counted as (n: number) => void)(5_000_000);
    return meter.used();
  };
  // Per-turn charging with the whole budget in one slice: the reference count.
  const expected = used(perTurn, Number.MAX_SAFE_INTEGER);
  expect(expected).toBeGreaterThan(5_000_000 * 5);
  for (const slice of [1, 997, 65_536, 1_000_000, Number.MAX_SAFE_INTEGER]) {
    expect(used(counted, slice), `counted, slices of ${slice}`).toBe(expected);
    expect(used(perTurn, slice), `per turn, slices of ${slice}`).toBe(expected);
  }
});
