/**
 * `npm run bench [-- --quick]`: run the suites and write bench/results/<suite>-<date>.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCoreSuite } from './core.js';
import { formatNs, type Measurement, machine } from './lib/measure.js';

const RATIOS: [string, string, string][] = [
  [
    'Keel fn call / plain V8 call (target ≤ 2)',
    'call add(u32,u32): Keel fn (fast path)',
    'call add(u32,u32): plain V8 export',
  ],
  ['Keel fn noop / plain V8 noop', 'call noop(): Keel fn (fast path)', 'call noop(): plain V8 export'],
  [
    'jco-transpile 0.3.9 call / Keel fn call',
    'call add(u32,u32): jco-transpile 0.3.9 glue',
    'call add(u32,u32): Keel fn (fast path)',
  ],
  [
    'jco 1.12.0 call / Keel fn call',
    'call add(u32,u32): jco 1.12.0 glue',
    'call add(u32,u32): Keel fn (fast path)',
  ],
  [
    'Keel spawn / plain instantiation (target ≤ 4)',
    'spawn: Keel (grants checked, imports linked, instantiated)',
    'instantiate: plain V8 core module',
  ],
  [
    'jco-transpile 0.3.9 instantiation / Keel spawn',
    'instantiate: jco-transpile 0.3.9 glue',
    'spawn: Keel (grants checked, imports linked, instantiated)',
  ],
];

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  const quick = values.quick === true;
  const command = `npm run bench${quick ? ' -- --quick' : ''}`;
  process.stderr.write(`core suite${quick ? ' (quick)' : ''}\n`);
  const results = await runCoreSuite({ quick });
  const byName = new Map(results.map((r) => [r.name, r]));
  const ratios = RATIOS.map(([label, a, b]) => ({
    label,
    ratio: byName.get(a)!.median_ns / byName.get(b)!.median_ns,
  }));
  const date = new Date().toISOString();
  const report = { suite: 'core', date, command, quick, machine: machine(), results, ratios };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = date.slice(0, 10);
  writeFileSync(`${dir}core-${stamp}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report.machine, date, command, results, ratios);
  writeFileSync(`${dir}core-${stamp}.md`, md);
  writeFileSync(`${dir}core-latest.md`, md);
  process.stdout.write(md);
}

function markdown(
  m: ReturnType<typeof machine>,
  date: string,
  command: string,
  results: Measurement[],
  ratios: { label: string; ratio: number }[],
): string {
  const lines = [
    '# Keel core benchmarks',
    '',
    `${date} · \`${command}\` · ${m.cpu} (${m.cores} cores, ${m.arch}, ${m.memory_gib} GiB) · Node ${m.node} (V8 ${m.v8})`,
    '',
    '| Measure | Median | Min | Max | Samples × batch |',
    '|---|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${formatNs(r.median_ns)} | ${formatNs(r.min_ns)} | ${formatNs(r.max_ns)} | ${r.samples} × ${r.batch} |`,
    ),
    '',
    '| Ratio (same run) | Value |',
    '|---|---:|',
    ...ratios.map((r) => `| ${r.label} | ${r.ratio.toFixed(2)} |`),
    '',
  ];
  return lines.join('\n');
}

await main();
