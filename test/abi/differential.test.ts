/**
 * The ABI corpus through every engine (engine.ts: the kernel, host/abi on its own, jco 1.12's
 * glue), compared with the WIT semantics and with each other (harness.ts).
 *
 * Random vectors per function: KEEL_ABI_CASES (default 2); seed: KEEL_ABI_SEED (default 1).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transpileComponent } from '../../bench/lib/transpile.js';
import { Kernel } from '../../host/index.js';
import { ENGINES } from './engine.js';
import { differential } from './harness.js';
import { resourceFunctionsEntry, resourceMethodsEntry } from './resource-corpus.js';
import { STRING_FUNCTIONS, swapEntry, TYPE_FUNCTIONS } from './swap-corpus.js';
import {
  assemblyScriptEntry,
  cAbiInputsHash,
  cEntry,
  javaScriptEntry,
  rustAbiInputsHash,
  rustCellsEntry,
  rustEntry,
  rustTypesEntry,
  rustTypesInputsHash,
} from './toolchain-corpus.js';
import { layoutLatin1Entry, WAT_ENTRIES } from './wat-corpus.js';

const RANDOM = Number(process.env.KEEL_ABI_CASES ?? 2);
/** Generous: loading a large component through jco takes seconds, more on a loaded machine. */
const TIMEOUT = 300_000;
const SEED = Number(process.env.KEEL_ABI_SEED ?? 1);

describe(`swap components (seed ${SEED}, ${RANDOM} random vectors per function)`, () => {
  it.each([
    ['utf8', TYPE_FUNCTIONS],
    ['utf16', STRING_FUNCTIONS],
    ['compact-utf16', STRING_FUNCTIONS],
  ] as const)(
    'every type, string encoding %s',
    async (encoding, functions) => {
      const entry = await swapEntry(`swap-${encoding}`, { functions, encoding }, SEED, RANDOM);
      const problems = await differential(ENGINES, entry);
      expect(problems, `seed ${SEED} (KEEL_ABI_SEED=${SEED} to replay)`).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('resources (guests/wat/components/resources)', () => {
  it.each([
    ['through functions', resourceFunctionsEntry],
    ['constructor, methods, static', resourceMethodsEntry],
  ] as const)(
    '%s',
    async (_, make) => {
      expect(await differential(ENGINES, await make())).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('components of other toolchains', () => {
  it.each([
    ['AssemblyScript', assemblyScriptEntry],
    ['C', cEntry],
    ['Rust', () => rustEntry(SEED, RANDOM * 3)],
    ['Rust (types)', () => rustTypesEntry(SEED, RANDOM * 3)],
    ['Rust (lists of resources)', rustCellsEntry],
    ['componentize-js', javaScriptEntry],
  ] as const)(
    '%s',
    async (_, make) => {
      expect(await differential(ENGINES, make())).toEqual([]);
    },
    TIMEOUT,
  );

  it('guests/rust/abi/abi.wasm is what its sources build (else node dist/scripts/build-rust-guests.js)', () => {
    const record = JSON.parse(
      readFileSync(new URL('../../guests/rust/abi/abi.build.json', import.meta.url), 'utf8'),
    );
    expect(record.inputs).toBe(rustAbiInputsHash());
    const bytes = readFileSync(new URL('../../guests/rust/abi/abi.wasm', import.meta.url));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.output);
  });

  it('guests/rust/types/types.wasm is what its sources build (else node dist/scripts/build-rust-guests.js)', () => {
    const record = JSON.parse(
      readFileSync(new URL('../../guests/rust/types/types.build.json', import.meta.url), 'utf8'),
    );
    expect(record.inputs).toBe(rustTypesInputsHash());
    const bytes = readFileSync(new URL('../../guests/rust/types/types.wasm', import.meta.url));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.output);
  });

  it('guests/c/abi/abi.wasm is what its sources build (else node dist/scripts/build-c-guests.js)', () => {
    const record = JSON.parse(
      readFileSync(new URL('../../guests/c/abi/abi.build.json', import.meta.url), 'utf8'),
    );
    expect(record.inputs).toBe(cAbiInputsHash());
    const bytes = readFileSync(new URL('../../guests/c/abi/abi.wasm', import.meta.url));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.output);
  });
});

describe('hand-written components (guests/wat/components)', () => {
  it("jco's generators refuse latin1+utf16 at load; Keel's run path loads it", async () => {
    const { bytes } = await layoutLatin1Entry();
    for (const generator of ['jco-1.12.0', 'jco-transpile-0.3.9'] as const) {
      await expect(transpileComponent(bytes, { generator }), generator).rejects.toThrow();
    }
    const kernel = new Kernel({ cacheDir: false });
    try {
      const module = await kernel.load(bytes);
      expect(module.kind).toBe('component');
    } finally {
      await kernel.close();
    }
  });

  it.each(WAT_ENTRIES.map((entry) => [entry.name, entry.make] as const))(
    '%s',
    async (_, make) => {
      expect(await differential(ENGINES, await make())).toEqual([]);
    },
    TIMEOUT,
  );
});
