/**
 * The spec harness catches wrong rewriters: transforms that break a module in known ways must
 * show divergences from plain V8 (a harness that cannot fail proves nothing).
 */
import { describe, expect, it } from 'vitest';
import { HEADER } from './binary.js';
import { loadManifest, runEntry } from './suite.js';
import type { Transform } from './transforms.js';

const entry = (script: string) => {
  const e = loadManifest().scripts.find((x) => x.script === script);
  if (!e?.data) throw new Error(`${script} not converted`);
  return e;
};

/** Turns the first `local.get 0 local.get 1 i32.add end` into `... i32.sub end`. */
const addToSub: Transform = {
  name: 'add-to-sub',
  transform(bytes) {
    const out = new Uint8Array(bytes);
    for (let i = 0; i + 5 < out.length; i++) {
      if (
        out[i] === 0x20 &&
        out[i + 1] === 0 &&
        out[i + 2] === 0x20 &&
        out[i + 3] === 1 &&
        out[i + 4] === 0x6a
      ) {
        out[i + 4] = 0x6b;
        break;
      }
    }
    return out;
  },
  extraImports: () => ({}),
};

const rejectAll: Transform = {
  name: 'reject-all',
  transform() {
    throw new Error('rejected');
  },
  extraImports: () => ({}),
};

/** Replaces every module by an empty, valid one: "fixes" invalid modules. */
const emptyModule: Transform = {
  name: 'empty-module',
  transform: () => new Uint8Array(HEADER),
  extraImports: () => ({}),
};

describe('spec harness self-test', () => {
  it('catches a wrong instruction', () => {
    const [r] = runEntry(entry('i32.wast'), [addToSub]).transformed;
    expect(r!.divergences.length).toBeGreaterThan(0);
    expect(r!.divergences.every((d) => d.type === 'assert_return')).toBe(true);
  });

  it('catches a transform that rejects valid modules', () => {
    const [r] = runEntry(entry('block.wast'), [rejectAll]).transformed;
    expect(r!.divergences.some((d) => d.type === 'module')).toBe(true);
  });

  it('catches a transform that accepts invalid modules', () => {
    const [r] = runEntry(entry('binary.wast'), [emptyModule]).transformed;
    expect(r!.divergences.some((d) => d.type === 'assert_malformed')).toBe(true);
    const [v] = runEntry(entry('unreached-invalid.wast'), [emptyModule]).transformed;
    expect(v!.divergences.some((d) => d.type === 'assert_invalid')).toBe(true);
  });
});
