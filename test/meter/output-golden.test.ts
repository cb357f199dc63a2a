/**
 * The meter's output, byte for byte, pinned by digest: every core module of every committed
 * `.wasm` (guests, the compute bench's modules, the WIT type packages' components, the fuzz
 * regressions) and every binary module of the committed spec corpus (test/spec/data) that V8
 * accepts, metered in both forms (`counter: 'imported'` and `'defined'`), and the refusals by
 * code. A change to the pass that is meant to be faster only (fewer tables per call, a cheaper
 * way to the same bytes) must leave the digests as they are; a change to what the pass writes
 * changes them on purpose, and this file with it. The digests were taken at 4982d67 and taken
 * again where the pass's output changed on purpose: the entry check left out of a function
 * whose every call is inside a loop that checks, and a strided loop whose test fails at its
 * first reading run as straight-line code (perf-compute14); a counted loop whose test has a
 * local bound on the left, `n > i` (perf-compute15); a grow check imported only by code that
 * may grow, a never-called stub at its index otherwise (perf-spawn15: of the 99 committed
 * cores' 198 outputs, 54 the same bytes, 144 the same text but for the grow imports left out
 * and the stubs); an innermost loop of straight-line code checked at its back edge, its refill
 * outside it (perf-compute16, host/meter/straight.ts: the same fuel, the check moved); a
 * strided loop's check after its charge sharing the chunks' refill, its per-turn copy a
 * straight loop (perf-compute16: the committed cores only, c-sieve's among them). A new
 * committed `.wasm` adds its cores: guests/rust/types/types.wasm (d3dd51f) made 99 cores 100, the
 * 99 others' digests as pinned before it; and a rebuilt one changes its own
 * (guests/rust/types/types.wasm again in 509a37e, 14,569 -> 32,216 bytes, 1 core -> 3).
 * Uncharged twins of constant-cost leaf exports and their costs appended in the defined form
 * (perf-fn16, host/meter/leaves.ts: 30 twins in the committed cores, 1,983 in the spec corpus),
 * with the digests of the outputs without them (`withoutTwins`) the ones pinned before: every
 * other byte the pass writes is unchanged (the imported form's digests did not move).
 * keel-meter-v7 (twins17): the costs in one `keel:leaves` custom section at the module's end
 * instead of an exported immutable global a leaf (idle memory and spawn): the defined digests
 * moved, the digests without the twins, their exports and the section did not. Outer loops
 * whose turns mostly skip their work peeled (perf-compute17, host/meter/peeled.ts: the
 * committed cores only, 27 of 102, the sieves, the AssemblyScript and C guests, StarlingMonkey;
 * the same fuel; no spec module has the shape). Then (keel-meter-v8, twins17) a function of
 * straight-line code that costs nothing (an empty body with the default cost model: `noop`)
 * written as it is, uncharged, in both forms (its charge read and wrote the counter and took
 * nothing) and given no twin: every digest moved, twins 30 -> 24 and 1,983 -> 1,928.
 * keel-meter-v9 (perf-compute18, host/meter/outlined.ts): a loop around straight loops only (the
 * sorts' partition loops) has its refills and a copy of the rest of its turn after each straight
 * loop outside it: the committed cores only, 18 of 102 (c-sort, as-sort, as-nbody, the C guests'
 * WASI adapter, StarlingMonkey: +90,534 of 81,513,405 bytes); the same fuel; no spec module has
 * the shape (its digests did not move).
 * keel-meter-v10 (invoke18): a leaf that costs nothing is listed in the `keel:leaves` section at
 * cost 0 (no twin), so that the fast path calls it with nothing to settle after it: the defined
 * digests moved (sections gained entries, or a section where there was none), the imported ones
 * and the digests without the twins and the section did not, nor did the twins' counts.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapCoreModules } from '../../bench/lib/nonce.js';
import { KeelError } from '../../host/kernel/errors.js';
import { meterModule } from '../../host/meter/index.js';
import { loadScript } from '../spec/harness.js';
import { loadManifest } from '../spec/suite.js';
import { withoutTwins } from './support.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * sha256 of each form's outputs and refusals, in the order the modules are met; and of the
 * outputs without the leaves' twins and costs (`withoutTwins`), which must be the bytes the pass
 * wrote before it made them.
 */
function digestAll(modules: Iterable<Uint8Array>): {
  imported: string;
  defined: string;
  count: number;
  importedWithoutTwins: string;
  definedWithoutTwins: string;
  twins: number;
} {
  const imported = createHash('sha256');
  const defined = createHash('sha256');
  const importedBase = createHash('sha256');
  const definedBase = createHash('sha256');
  let count = 0;
  let twins = 0;
  for (const bytes of modules) {
    count++;
    for (const [counter, hash, base] of [
      ['imported', imported, importedBase],
      ['defined', defined, definedBase],
    ] as const) {
      try {
        const out = meterModule(bytes, { counter });
        hash.update(`${out.length}:`);
        hash.update(out);
        const stripped = withoutTwins(out);
        if (counter === 'defined') twins += stripped.twins;
        base.update(`${stripped.bytes.length}:`);
        base.update(stripped.bytes);
      } catch (error) {
        hash.update(`refused:${error instanceof KeelError ? error.code : 'other'};`);
        base.update(`refused:${error instanceof KeelError ? error.code : 'other'};`);
      }
    }
  }
  return {
    imported: imported.digest('hex'),
    defined: defined.digest('hex'),
    count,
    importedWithoutTwins: importedBase.digest('hex'),
    definedWithoutTwins: definedBase.digest('hex'),
    twins,
  };
}

function* committedCores(): Generator<Uint8Array> {
  const files = execFileSync('git', ['ls-files', '*.wasm'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.length > 0)
    .sort();
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(join(ROOT, file)));
    if (bytes[4] === 1 && bytes[6] === 0) yield bytes;
    else yield* mapCoreModules(bytes, (c) => c).cores;
  }
}

function* specModules(): Generator<Uint8Array> {
  for (const entry of loadManifest().scripts) {
    if (!entry.data) continue;
    for (const command of loadScript(readFileSync(join(ROOT, 'test/spec/data', entry.data))).commands) {
      if (command.wasm === undefined || command.module_type === 'text') continue;
      const bytes = new Uint8Array(Buffer.from(command.wasm, 'base64'));
      if (WebAssembly.validate(bytes)) yield bytes;
    }
  }
}

describe("the meter's output is pinned", () => {
  it('for every core module of every committed .wasm', () => {
    expect(digestAll(committedCores())).toEqual({
      imported: '1a2841354e16fa20f6a9794ff9a82c04e54bee4404e7d04ff097b17a8eb44778',
      defined: '395b73434f676ccd00649fa4dbe315bdc84440f653479d91d9443a2352e1ea02',
      count: 102,
      importedWithoutTwins: '1a2841354e16fa20f6a9794ff9a82c04e54bee4404e7d04ff097b17a8eb44778',
      definedWithoutTwins: '6cd8a037860f285c90fcd4d2c080a50b3e77099bef511b91df7006ccbb234c8f',
      twins: 24,
    });
  }, 300_000);

  it('for every binary module of the spec corpus that V8 accepts', () => {
    expect(digestAll(specModules())).toEqual({
      imported: 'd2174455f78775aca6cd0a7031c669aea930a935c4ff5d3b93e2d4758b916758',
      defined: '91208c5edfdb442d2f291202d5eb94526262486f22898272791e6613ee9fb05c',
      count: 2132,
      importedWithoutTwins: 'd2174455f78775aca6cd0a7031c669aea930a935c4ff5d3b93e2d4758b916758',
      definedWithoutTwins: 'd5fa4993aa60d07a39afbb5034801b1f813bbc14be656262e6e7908dfaf76983',
      twins: 1928,
    });
  }, 300_000);
});
