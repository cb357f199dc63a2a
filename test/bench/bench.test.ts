/**
 * The bench must not rot: the committed results are a complete report whose table and chart
 * are what the renderers make of its JSON, and the cheapest subjects still run and check out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markdown } from '../../bench/lib/markdown.js';
import { compare, runner } from '../../bench/lib/measure.js';
import { EXPECTED, REPORT_SCHEMA, type Report } from '../../bench/lib/report.js';
import {
  checkSubject,
  extismSubject,
  jcoSubject,
  KEEL_VARIANTS,
  keelSubject,
  plainSubject,
} from '../../bench/lib/subjects.js';
import { svgChart } from '../../bench/lib/svg.js';
import { computeTargets } from '../../bench/lib/targets.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';
import { wat } from '../../scripts/lib/wat.js';

const results = new URL('../../bench/results/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, results), 'utf8');

describe('committed results', () => {
  const report = JSON.parse(read('latest.json')) as Report;

  it('are a full run of the current schema with every group, measure and subject', () => {
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report.quick).toBe(false);
    expect(report.command).toBe('npm run bench');
    for (const key of ['cpu', 'cores', 'node', 'v8', 'load_before', 'load_after'] as const) {
      expect(report.machine[key]).toBeDefined();
    }
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const group = report.groups.find((g) => g.id === id);
      expect(group, `group ${id}`).toBeDefined();
      for (const m of expected.measures) {
        const measure = group!.measures.find((x) => x.id === m);
        expect(measure, `measure ${m}`).toBeDefined();
        for (const s of expected.subjects) {
          const row = measure!.rows.find((r) => r.subject === s);
          expect(row, `${m}: ${s}`).toBeDefined();
          expect(Number.isFinite(row!.value) && row!.value > 0, `${m}: ${s} = ${row!.value}`).toBe(true);
        }
      }
    }
    expect(report.targets.map((t) => t.id)).toEqual([
      'scalar-call',
      'string-call',
      'invoke-scalar',
      'spawn',
      'load-cold',
      'load-warm',
      'memory-idle',
      'ipc-handler',
      'metered-compute',
      'vs-jco-call',
      'vs-extism-call',
    ]);
    // The targets are what the suite's code computes from the report's own figures.
    expect(report.targets).toEqual(JSON.parse(JSON.stringify(computeTargets(report))));
  });

  it('latest.md and latest.svg are rendered from latest.json', () => {
    expect(read('latest.md')).toBe(markdown(report));
    expect(read('latest.svg')).toBe(svgChart(report));
  });

  it('history.jsonl ends with latest.json', () => {
    const lines = read('history.jsonl').trim().split('\n');
    for (const line of lines) expect((JSON.parse(line) as Report).suite).toBe('keel-bench');
    expect(JSON.parse(lines.at(-1)!)).toEqual(report);
  });
});

describe('subjects', () => {
  it('the Extism plugin is what its source builds', async () => {
    const source = readFileSync(new URL('../../guests/extism/bench.wat', import.meta.url), 'utf8');
    const committed = readFileSync(new URL('../../guests/extism/bench.wasm', import.meta.url));
    expect(Buffer.from(await wat(source, 'bench.wat')).equals(committed)).toBe(true);
  });

  it('plain V8, Keel, jco 1.12 and Extism do the same work, and the harness times them', async () => {
    const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
    const core = await WebAssembly.compile((await wat(BENCH_WAT)) as Uint8Array<ArrayBuffer>);
    const keel = await keelSubject(component, KEEL_VARIANTS[0]!, tempCacheDir());
    const subjects = [
      plainSubject(core),
      keel,
      await jcoSubject(component, 'jco-1.12.0'),
      await extismSubject(),
    ];
    for (const s of subjects) await checkSubject(s);
    const instances = await Promise.all(subjects.map((s) => s.spawn()));
    const timings = await compare(
      subjects.map((s, i) => ({
        subject: s.id,
        self: { m: instances[i]!.add },
        expr: 'x.m(i, 1)',
        async: s.async,
      })),
      { samples: 3, batch: 50, warmupMs: 0, warmupOps: 50, reference: 'plain' },
    );
    expect(timings.map((t) => t.subject)).toEqual(['plain', 'keel', 'jco-1.12', 'extism']);
    for (const t of timings) expect(t.ns.median).toBeGreaterThan(0);
    expect(timings[0]!.ratio).toBe(1);
    await keel.kernel.close();
  }, 30_000);

  it("each subject's timing loop has source text of its own (V8 shares feedback between loops of the same text)", () => {
    const variant = { subject: 'a', self: { m: () => 1 }, expr: 'x.m(i, 1)' };
    const loops = [runner(variant), runner(variant), runner({ ...variant, async: true })];
    expect(new Set(loops.map(String)).size).toBe(3);
    // Still the loop it was: the operation n times, its last value returned.
    let calls = 0;
    expect(loops[0]!({ m: () => ++calls }, 5)).toBe(5);
  });

  it("a loop's prelude runs once, before the loop, over the subject (a function held in a local)", () => {
    let reads = 0;
    let calls = 0;
    const self = {
      get m() {
        reads++;
        return (i: number) => {
          calls++;
          return i;
        };
      },
    };
    const run = runner({ subject: 'a', self, prelude: 'const f = x.m;', expr: 'f(i, 1)' });
    expect(run(self, 5)).toBe(4);
    expect([reads, calls]).toEqual([1, 5]);
    // Without a prelude the operation reads the method at every call.
    reads = 0;
    expect(runner({ subject: 'a', self, expr: 'x.m(i, 1)' })(self, 5)).toBe(4);
    expect(reads).toBe(5);
  });

  it('the JS guest and the JS engines are installed', () => {
    expect(existsSync(new URL('../../guests/js/bench/build/bench.wasm', import.meta.url))).toBe(true);
    expect(existsSync(new URL('../../node_modules/isolated-vm/out/isolated_vm.node', import.meta.url))).toBe(
      true,
    );
  });
});
