/**
 * The spec suite as a whole: the committed data (manifest and scripts), the rule that a
 * transform must keep every assertion that plain V8 passes, and the counts that the test and
 * `docs/conformance.md` report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXACT_KINDS, loadScript, type Outcome, runScript, type ScriptData } from './harness.js';
import type { Transform } from './transforms.js';

export interface ManifestEntry {
  script: string;
  status: 'converted' | 'partial' | 'skipped';
  commands: number;
  dropped: number;
  data?: string;
  feature?: string;
  reason?: string;
}

export interface Manifest {
  suite: string;
  commit: string;
  wast2json: string;
  flags: string[];
  scripts: ManifestEntry[];
}

/** The repository root, found from this file (works from `test/` and from `dist/test/`). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const DATA_DIR = join(repoRoot(), 'test/spec/data');
export const BASELINE_FILE = join(repoRoot(), 'test/spec/v8-baseline.json');

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(DATA_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

export function loadEntry(entry: ManifestEntry): ScriptData {
  return loadScript(readFileSync(join(DATA_DIR, entry.data!)));
}

/**
 * Plain V8's known failures: `script -> "line type" -> what V8 did`. They are assertions on
 * features Node 20's V8 lacks (multi-memory, extended constant expressions, ...). A plain
 * failure not listed here means the harness broke; one listed that now passes is reported.
 */
export type Baseline = Record<string, Record<string, string>>;

export function loadBaseline(): Baseline {
  return existsSync(BASELINE_FILE) ? (JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline) : {};
}

export const outcomeKey = (o: Outcome) => `${o.line} ${o.type}`;

/** A command that passes on plain V8 but not under a transform (or passes differently). */
export interface Divergence {
  line: number;
  type: string;
  plain: string;
  transformed: string;
}

export function divergences(plain: Outcome[], transformed: Outcome[]): Divergence[] {
  const out: Divergence[] = [];
  plain.forEach((p, i) => {
    const t = transformed[i];
    if (p.status !== 'pass') return;
    const same = t && t.status === 'pass' && (!EXACT_KINDS.has(p.type) || t.observed === p.observed);
    if (!same)
      out.push({ line: p.line, type: p.type, plain: p.observed, transformed: t ? t.observed : 'missing' });
  });
  return out;
}

export interface Tally {
  pass: number;
  fail: number;
  na: number;
}

export type TallyByKind = Record<string, Tally>;

export function tally(outcomes: Outcome[], into: TallyByKind = {}): TallyByKind {
  for (const o of outcomes) {
    into[o.type] ??= { pass: 0, fail: 0, na: 0 };
    const t = into[o.type]!;
    if (o.status === 'pass') t.pass++;
    else if (o.status === 'fail') t.fail++;
    else t.na++;
  }
  return into;
}

export function total(by: TallyByKind): Tally {
  const t = { pass: 0, fail: 0, na: 0 };
  for (const k of Object.values(by)) {
    t.pass += k.pass;
    t.fail += k.fail;
    t.na += k.na;
  }
  return t;
}

export interface ScriptResult {
  entry: ManifestEntry;
  plain: Outcome[];
  transformed: { transform: string; outcomes: Outcome[]; divergences: Divergence[] }[];
}

/** Runs one script on plain V8 and under every transform. */
export function runEntry(entry: ManifestEntry, transforms: readonly Transform[]): ScriptResult {
  const data = loadEntry(entry);
  const plain = runScript(data);
  return {
    entry,
    plain,
    transformed: transforms.map((t) => {
      const outcomes = runScript(data, t);
      return { transform: t.name, outcomes, divergences: divergences(plain, outcomes) };
    }),
  };
}
