/**
 * `npm run bench:startup [-- --quick] [-- --no-write]`: what a `keel` command costs as a whole
 * process, against plain `node` doing the same work on plain V8 (issue 16's target: `keel run`
 * of a trivial cached module within 1.5x of plain `node`).
 *
 * Each subject is a fresh child process (`node <args>`, stdio ignored), timed from spawn to exit;
 * the subjects take turns round by round so that a change in the machine's load hits them all
 * alike, and each figure is the median of its rounds. Writes bench/results/startup-<date>.{json,md}
 * and startup-latest.{json,md} (with --quick: nothing under bench/results, the table only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine } from './lib/measure.js';
import { ROOT, repoPath } from './lib/paths.js';

/** A core module exporting `run: () -> i32` (returns 42), no imports: the trivial module. */
const TRIVIAL = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7f, // type: () -> i32
  0x03,
  0x02,
  0x01,
  0x00, // func 0: type 0
  0x07,
  0x07,
  0x01,
  0x03,
  0x72,
  0x75,
  0x6e,
  0x00,
  0x00, // export "run" func 0
  0x0a,
  0x06,
  0x01,
  0x04,
  0x00,
  0x41,
  0x2a,
  0x0b, // code: i32.const 42
]);

interface Subject {
  id: string;
  what: string;
  args: string[];
  env?: Record<string, string>;
}

function subjects(dir: string): Subject[] {
  const wasm = join(dir, 'trivial.wasm');
  const cache = join(dir, 'cache');
  const keel = repoPath('bin/keel.js');
  const hello = repoPath('guests/c/hello/hello.p1.wasm');
  const component = repoPath('guests/c/hello/hello.wasm');
  return [
    { id: 'node', what: '`node -e 0`: Node.js itself', args: ['-e', '0'] },
    {
      id: 'node-wasm',
      what: 'plain `node`: read the module, compile, instantiate, call `run`, print the result',
      args: [
        '-e',
        `const m = new WebAssembly.Module(require('node:fs').readFileSync(${JSON.stringify(wasm)})); console.log(new WebAssembly.Instance(m).exports.run())`,
      ],
    },
    { id: 'keel-version', what: '`keel --version`', args: [keel, '--version'] },
    { id: 'keel-help', what: '`keel run --help`', args: [keel, 'run', '--help'] },
    {
      id: 'keel-run',
      what: '`keel run trivial.wasm --invoke run`: the same module in a metered sandbox, cached',
      args: [keel, 'run', wasm, '--invoke', 'run', '--cache-dir', cache],
    },
    {
      id: 'keel-run-nocache',
      what: 'the same without the CLI’s code cache (`KEEL_NO_COMPILE_CACHE=1`): the bundle compiled from source',
      args: [keel, 'run', wasm, '--invoke', 'run', '--cache-dir', cache],
      env: { KEEL_NO_COMPILE_CACHE: '1' },
    },
    {
      id: 'keel-run-json',
      what: 'the same with `--json`',
      args: [keel, 'run', wasm, '--invoke', 'run', '--json', '--cache-dir', cache],
    },
    {
      id: 'keel-run-preview1',
      what: '`keel run guests/c/hello/hello.p1.wasm` (a wasi-libc command module on Keel’s preview1, 30 KB)',
      args: [keel, 'run', hello, '--cache-dir', cache],
    },
    {
      id: 'keel-run-component',
      what: '`keel run guests/c/hello/hello.wasm` (the same C as a component, 59 KB), cached',
      args: [keel, 'run', component, '--cache-dir', cache],
    },
  ];
}

/**
 * Preloaded (`-r`, CommonJS: nearly free) into every subject alike: at exit it writes the CPU
 * time the process used, all threads, on descriptor 3. Wall time on a loaded machine measures
 * mostly the wait for a core; CPU time much less so.
 */
const CPU_PRELOAD = `process.on('exit', () => {
  const u = process.cpuUsage();
  require('node:fs').writeSync(3, String((u.user + u.system) / 1000));
});
`;

function once(subject: Subject, preload: string): { wall: number; cpu: number } {
  const { args } = subject;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', preload, ...args], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    cwd: ROOT,
    env: { ...process.env, ...subject.env },
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return { wall, cpu: Number(String(result.output[3])) };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface StartupReport {
  suite: 'keel-startup';
  date: string;
  command: string;
  rounds: number;
  git: string;
  machine: ReturnType<typeof machine> & { load_after: number[] };
  subjects: {
    id: string;
    what: string;
    median_ms: number;
    min_ms: number;
    samples_ms: number[];
    /** CPU time (user + system, all threads) of the same processes. */
    cpu_median_ms: number;
    cpu_samples_ms: number[];
  }[];
  /** keel-run over node-wasm, wall time: the target is at most 1.5. */
  ratio: number;
  /** The same in CPU time. */
  cpu_ratio: number;
  target: number;
}

export function markdown(report: StartupReport): string {
  const node = report.subjects.find((s) => s.id === 'node-wasm')!;
  const rows = report.subjects.map(
    (s) =>
      `| ${s.id} | ${s.median_ms.toFixed(0)} ms | ${s.min_ms.toFixed(0)} ms | ${(s.median_ms / node.median_ms).toFixed(2)}x | ${s.cpu_median_ms.toFixed(0)} ms | ${Math.min(...s.cpu_samples_ms).toFixed(0)}–${Math.max(...s.cpu_samples_ms).toFixed(0)} ms | ${(s.cpu_median_ms / node.cpu_median_ms).toFixed(2)}x | ${s.what} |`,
  );
  return [
    '# Start-up: whole processes',
    '',
    `\`${report.command}\` on ${report.date} (${report.git}), ${report.rounds} rounds, subjects in turn.`,
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; load average ${report.machine.load.join(' ')} before, ${report.machine.load_after.join(' ')} after.`,
    '',
    '| subject | wall, median | wall, min | wall against node-wasm | CPU, median | CPU, min–max | CPU against node-wasm | what |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `\`keel run\` of the trivial cached module against plain \`node\` running it: **${report.ratio.toFixed(2)}x** in wall time, **${report.cpu_ratio.toFixed(2)}x** in CPU time (target ≤ ${report.target}x).`,
    '',
    'Each figure is a fresh process from spawn to exit (the median of its rounds); CPU is the',
    "process's own user + system time, all threads, reported at exit by a preload every subject",
    'gets. Start-up is mostly loading JavaScript: `keel run` runs the CLI as one CommonJS bundle',
    'compiled with a V8 code cache (docs/cli.md, Start-up), loads Node’s modules only when used, and',
    'leaves zod (scope schemas, plans), pino (the JSONL log), yaml (plans) and jco until a run needs',
    'them. On a loaded machine wall time mostly measures the wait for a core: compare within one run,',
    'and prefer the CPU column there.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'no-write': { type: 'boolean' } } });
  const quick = values.quick === true;
  const rounds = quick ? 5 : 21;
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-startup-'));
  try {
    writeFileSync(join(dir, 'trivial.wasm'), TRIVIAL);
    const list = subjects(dir);
    const loadBefore = machine().load;
    const preload = join(dir, 'cpu.cjs');
    writeFileSync(preload, CPU_PRELOAD);
    // One run each first: fills the transpile cache and the OS's file cache.
    for (const s of list) once(s, preload);
    const samples = new Map<string, { wall: number; cpu: number }[]>(list.map((s) => [s.id, []]));
    for (let round = 0; round < rounds; round++) {
      for (const s of list) samples.get(s.id)!.push(once(s, preload));
    }
    let git = 'unknown commit';
    try {
      git = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {}
    const m = machine();
    const report: StartupReport = {
      suite: 'keel-startup',
      date: new Date().toISOString(),
      command: `npm run bench:startup${quick ? ' -- --quick' : ''}`,
      rounds,
      git,
      machine: { ...m, load: loadBefore, load_after: m.load },
      subjects: list.map((s) => {
        const runs = samples.get(s.id)!;
        const wall = runs.map((r) => r.wall);
        const cpu = runs.map((r) => r.cpu);
        return {
          id: s.id,
          what: s.what,
          median_ms: median(wall),
          min_ms: Math.min(...wall),
          samples_ms: wall.map((v) => Math.round(v * 10) / 10),
          cpu_median_ms: median(cpu),
          cpu_samples_ms: cpu.map((v) => Math.round(v * 10) / 10),
        };
      }),
      ratio: 0,
      cpu_ratio: 0,
      target: 1.5,
    };
    const of = (id: string) => report.subjects.find((s) => s.id === id)!;
    report.ratio = of('keel-run').median_ms / of('node-wasm').median_ms;
    report.cpu_ratio = of('keel-run').cpu_median_ms / of('node-wasm').cpu_median_ms;
    const md = markdown(report);
    process.stdout.write(md);
    if (quick || values['no-write']) return;
    const results = repoPath('bench/results');
    mkdirSync(results, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const day = report.date.slice(0, 10);
    for (const stem of [`startup-${day}`, 'startup-latest']) {
      writeFileSync(join(results, `${stem}.json`), json);
      writeFileSync(join(results, `${stem}.md`), md);
    }
    process.stderr.write(`wrote bench/results/startup-${day}.{json,md} and startup-latest.{json,md}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
