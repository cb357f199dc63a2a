/**
 * WebAssembly spec conformance, plain V8 against every transform (issue 3, "Proof").
 *
 * Every command of every converted script runs on plain V8 and under each transform in
 * `transforms.ts`. The rule: every command that passes on plain V8 passes under the
 * transform, and calls, traps and stack exhaustion behave exactly as on plain V8 (same
 * result bits, same error). Plain V8's own failures must be the known ones
 * (`v8-baseline.json`: features Node 20 lacks), so that a broken harness cannot pass vacuously.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { summarize, summaryText } from './report.js';
import { loadBaseline, loadManifest, outcomeKey, runEntry, type ScriptResult } from './suite.js';
import { TRANSFORMS } from './transforms.js';

const manifest = loadManifest();
const baseline = loadBaseline();
const results: ScriptResult[] = [];
const entries = manifest.scripts.filter((e) => e.data);

describe('spec conformance', () => {
  it('has converted data for the suite', () => {
    expect(manifest.scripts.length).toBeGreaterThan(200);
    expect(entries.length).toBeGreaterThan(150);
    for (const e of manifest.scripts.filter((x) => x.status === 'skipped')) expect(e.reason).toBeTruthy();
  });

  it.each(entries.map((e) => [e.script, e] as const))('%s', (_name, entry) => {
    const r = runEntry(entry, TRANSFORMS);
    results.push(r);
    const known = baseline[entry.script] ?? {};
    const unexpected = r.plain.filter((o) => o.status === 'fail' && !(outcomeKey(o) in known));
    expect(unexpected, 'plain V8 failures not in test/spec/v8-baseline.json').toEqual([]);
    for (const t of r.transformed) {
      expect(
        t.divergences,
        `${t.transform}: commands that pass on plain V8 but not under the transform`,
      ).toEqual([]);
    }
  });
});

afterAll(() => {
  if (results.length === entries.length) console.log(summaryText(summarize(manifest, results)));
});
