/**
 * Regression fixtures: every difference the fuzzer ever found between plain V8 and a
 * transform, kept as `test/fuzz/regressions/<name>.wasm` plus `<name>.json` (the calls, and what
 * was seen), and replayed by `npm test` against every transform.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../spec/suite.js';
import type { Call, Mismatch } from './diff.js';

export const REGRESSIONS_DIR = join(repoRoot(), 'test/fuzz/regressions');

export interface Fixture {
  name: string;
  /** The generator seed, when the module came from the generator. */
  seed?: number;
  /** How to drive the module (`PROFILES` in diff.ts); `generated` when absent. */
  profile?: string;
  found: string;
  /** What differed when it was found. */
  mismatch?: Mismatch;
  calls: Call[];
}

export function loadFixtures(): { fixture: Fixture; bytes: Uint8Array }[] {
  if (!existsSync(REGRESSIONS_DIR)) return [];
  return readdirSync(REGRESSIONS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const fixture = JSON.parse(readFileSync(join(REGRESSIONS_DIR, f), 'utf8')) as Fixture;
      const bytes = new Uint8Array(readFileSync(join(REGRESSIONS_DIR, `${fixture.name}.wasm`)));
      return { fixture, bytes };
    });
}

export function saveFixture(fixture: Fixture, bytes: Uint8Array): string {
  mkdirSync(REGRESSIONS_DIR, { recursive: true });
  writeFileSync(join(REGRESSIONS_DIR, `${fixture.name}.wasm`), bytes);
  const file = join(REGRESSIONS_DIR, `${fixture.name}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  return file;
}
