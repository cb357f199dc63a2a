/**
 * The metering hook writes a pass's output into the buffer of an earlier output that the loader
 * gave back (`release`), instead of a new buffer (fresh pages cost a first touch each: 35-50 ms
 * of a 200 ms pass for an 11 MB guest here). A buffer is written over only once given back, once;
 * the output written over an earlier one's bytes is the same as the output of a new buffer.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { planComponent } from '../../host/abi/plan.js';
import { createMeterHook, meterModule } from '../../host/meter/index.js';

const context = { file: 'core0.wasm', kind: 'component' as const };

function coreModules(path: string): Uint8Array[] {
  const bytes = new Uint8Array(readFileSync(new URL(`../../${path}`, import.meta.url)));
  return planComponent(bytes).modules.map((m) => m.bytes);
}

const modules = [
  ...coreModules('guests/sdk-probe/c/probe.wasm'),
  ...coreModules('guests/sdk-probe/rust/probe.wasm'),
];
const largest = modules.reduce((a, b) => (b.length > a.length ? b : a));

it('writes the next output into the buffer of an output given back', () => {
  const hook = createMeterHook();
  const first = hook.transform(largest, context);
  hook.release!(first);
  const second = hook.transform(largest, context);
  expect(second.buffer).toBe(first.buffer);
  hook.release!(second);
});

it('writes over no output that was not given back, nor one given back twice', () => {
  const hook = createMeterHook();
  const kept = hook.transform(largest, context);
  const copy = kept.slice();
  const other = hook.transform(largest, context);
  expect(other.buffer).not.toBe(kept.buffer);
  // Given back twice: taken back once only, so two later outputs never share it.
  hook.release!(other);
  hook.release!(other);
  const a = hook.transform(largest, context);
  const b = hook.transform(largest, context);
  expect(a.buffer).not.toBe(b.buffer);
  expect(Buffer.from(kept).equals(copy)).toBe(true);
  hook.release!(a);
  hook.release!(b);
});

it('never writes into a buffer it did not hand out', () => {
  const hook = createMeterHook();
  const input = largest.slice();
  const before = input.slice();
  // The input is large enough to hold the output, but was never an output of a pass.
  const room = new Uint8Array(largest.length * 4);
  hook.release!(input);
  hook.release!(room);
  const out = hook.transform(input, context);
  expect(out.buffer).not.toBe(input.buffer);
  expect(out.buffer).not.toBe(room.buffer);
  expect(Buffer.from(input).equals(before)).toBe(true);
  expect(room.every((b) => b === 0)).toBe(true);
});

it('an output written over an earlier output (and over garbage) is the same as a new buffer gives', () => {
  const hook = createMeterHook();
  // The spare buffer (if an earlier pass left one) taken and kept: the passes that make the
  // expected outputs each write into a new buffer.
  const drained = hook.transform(largest, context);
  const expected = modules.map((m) => hook.transform(m, context).slice());
  expect(Buffer.from(drained).equals(meterModule(largest))).toBe(true);
  for (let round = 0; round < 2; round++) {
    for (const [i, m] of modules.entries()) {
      const out = hook.transform(m, context);
      expect(Buffer.from(out).equals(expected[i]!), `module ${i}, round ${round}`).toBe(true);
      // What the next pass finds in the buffer: every byte set.
      new Uint8Array(out.buffer).fill(0xff);
      hook.release!(out);
    }
  }
});
