/**
 * `npm run bench [-- --quick] [-- --only wasm,js] [-- --no-write] [-- --render]`: the whole suite, one run.
 * `--subjects keel,keel-invoke` and `--measures wasm.call.add` keep some of the wasm group's
 * subjects (plain V8, the reference, always) and measures (ids, or a prefix before a dot), to
 * look at one row in the conditions of the full run; such a run writes nothing but its table.
 *
 * Writes bench/results/bench-<date>[-quick].{json,md,svg} and bench/results/latest.{json,md,svg};
 * a full run (not --quick, not --only) also appends one line to bench/results/history.jsonl.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runComputeGroup } from './compute.js';
import { runEventsGroup } from './events.js';
import { runIpcGroup } from './ipc.js';
import { runJsGroup } from './js.js';
import { markdown } from './lib/markdown.js';
import { machine } from './lib/measure.js';
import { ROOT } from './lib/paths.js';
import { type Group, REPORT_SCHEMA, type Report } from './lib/report.js';
import { svgChart } from './lib/svg.js';
import { computeTargets } from './lib/targets.js';
import { runMemoryGroup } from './memory.js';
import { runWasmGroup } from './wasm.js';

export interface RunContext {
  quick: boolean;
  log: (line: string) => void;
  /** The wasm group's subjects (by id) and measures (by id or prefix) to run; all when absent. */
  subjects?: readonly string[] | undefined;
  measures?: readonly string[] | undefined;
}

/** The groups, in report order. */
export const GROUPS: readonly { id: string; run: (ctx: RunContext) => Promise<Group> }[] = [
  { id: 'wasm', run: runWasmGroup },
  { id: 'js', run: runJsGroup },
  { id: 'memory', run: runMemoryGroup },
  { id: 'compute', run: runComputeGroup },
  { id: 'events', run: runEventsGroup },
  { id: 'ipc', run: runIpcGroup },
];

function git(): Report['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Result files are what a run writes: they do not make the code dirty.
    const dirty = status.split('\n').some((l) => l.trim() && !l.includes('bench/results/'));
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function versions(): Record<string, string> {
  const of = (name: string) => {
    try {
      return (
        JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')) as { version: string }
      ).version;
    } catch {
      return 'absent';
    }
  };
  return Object.fromEntries(
    [
      '@bytecodealliance/jco',
      '@bytecodealliance/jco-transpile',
      '@bytecodealliance/componentize-js',
      '@extism/extism',
      'isolated-vm',
      'quickjs-emscripten',
      'pino',
    ].map((n) => [n, of(n)]),
  );
}

/**
 * `--render`: rewrite latest.{md,svg} from latest.json with the current renderers (after a
 * change to the table or the chart; the figures are untouched).
 */
function render(): void {
  const dir = `${ROOT}/bench/results/`;
  const report = JSON.parse(readFileSync(`${dir}latest.json`, 'utf8')) as Report;
  writeFileSync(`${dir}latest.md`, markdown(report));
  writeFileSync(`${dir}latest.svg`, svgChart(report));
  process.stderr.write('rendered bench/results/latest.{md,svg} from latest.json\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'no-write': { type: 'boolean' },
      render: { type: 'boolean' },
      subjects: { type: 'string' },
      measures: { type: 'string' },
    },
  });
  if (values.render) return render();
  const quick = values.quick === true;
  const only = values.only?.split(',').map((s) => s.trim());
  const subjects = values.subjects?.split(',').map((s) => s.trim());
  const measures = values.measures?.split(',').map((s) => s.trim());
  // A filtered run is a look at some rows, not a report: it must not stand in for one.
  const filtered = subjects !== undefined || measures !== undefined;
  if (filtered && (only?.join() !== 'wasm' || !values['no-write']))
    throw new Error('--subjects and --measures filter the wasm group: give --only wasm --no-write too');
  const args = [
    quick ? '--quick' : '',
    only ? `--only ${only.join(',')}` : '',
    subjects ? `--subjects ${subjects.join(',')}` : '',
    measures ? `--measures ${measures.join(',')}` : '',
  ].filter(Boolean);
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();
  const loadBefore = machine().load;
  const groups: Group[] = [];
  for (const g of GROUPS) {
    if (only && !only.includes(g.id)) continue;
    log(`${g.id}${quick ? ' (quick)' : ''}`);
    groups.push(await g.run({ quick, log, subjects, measures }));
  }
  const m = machine();
  const report: Report = {
    schema: REPORT_SCHEMA,
    suite: 'keel-bench',
    date: new Date().toISOString(),
    command,
    quick,
    git: git(),
    machine: { ...m, load_before: loadBefore, load_after: m.load },
    versions: versions(),
    duration_s: Math.round((performance.now() - started) / 1000),
    groups,
    targets: [],
    notes: [],
  };
  report.targets = computeTargets(report);
  // Render from the JSON as written (NaN becomes null there), so that the table and the chart
  // are exactly what anyone re-rendering the committed JSON gets.
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const written = JSON.parse(json) as Report;
  const md = markdown(written);
  process.stdout.write(md);
  if (values['no-write']) return;
  const dir = `${ROOT}/bench/results/`;
  mkdirSync(dir, { recursive: true });
  const stem = `bench-${report.date.slice(0, 10)}${quick ? '-quick' : ''}${only ? `-${only.join('-')}` : ''}`;
  const svg = svgChart(written);
  writeFileSync(`${dir}${stem}.json`, json);
  writeFileSync(`${dir}${stem}.md`, md.replace('](latest.svg)', `](${stem}.svg)`));
  writeFileSync(`${dir}${stem}.svg`, svg);
  if (!quick && !only) {
    writeFileSync(`${dir}latest.json`, json);
    writeFileSync(`${dir}latest.md`, md);
    writeFileSync(`${dir}latest.svg`, svg);
    appendFileSync(`${dir}history.jsonl`, `${JSON.stringify(written)}\n`);
  }
  log(`wrote bench/results/${stem}.{json,md,svg}${!quick && !only ? ', latest.*, history.jsonl' : ''}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
