/**
 * `--subjects` and `--measures` of `bench/run.ts`: a look at some of the wasm group's rows in the
 * conditions of the full run (the rows before them and the subjects beside them run too, unless
 * filtered). Plain V8 is every ratio's reference, so it is always kept.
 */
import { describe, expect, it } from 'vitest';
import { keepsMeasure, keepsSubject } from '../../bench/wasm.js';

describe('the wasm group filters', () => {
  it('keep every measure and subject when absent', () => {
    expect(keepsMeasure(undefined, 'wasm.spawn')).toBe(true);
    expect(keepsSubject(undefined, 'extism')).toBe(true);
  });

  it('keep a measure by id, or by a prefix before a dot', () => {
    const filter = ['wasm.call.add', 'wasm.load'];
    expect(keepsMeasure(filter, 'wasm.call.add')).toBe(true);
    expect(keepsMeasure(filter, 'wasm.call.add.held')).toBe(true);
    expect(keepsMeasure(filter, 'wasm.load.cold')).toBe(true);
    expect(keepsMeasure(filter, 'wasm.call.noop')).toBe(false);
    expect(keepsMeasure(filter, 'wasm.spawn')).toBe(false);
    // A prefix counts only up to a dot: `wasm.call.add` does not keep `wasm.call.addx`.
    expect(keepsMeasure(filter, 'wasm.call.addx')).toBe(false);
  });

  it('keep the subjects named, and plain V8 always', () => {
    const filter = ['keel-invoke'];
    expect(keepsSubject(filter, 'keel-invoke')).toBe(true);
    expect(keepsSubject(filter, 'plain')).toBe(true);
    expect(keepsSubject(filter, 'keel-invoke-timed')).toBe(false);
    expect(keepsSubject(filter, 'keel')).toBe(false);
  });
});
