/**
 * WASI preview1 (issue 13): a preview1 command that writes "hello\n" with one `fd_write` from
 * `_start`, four ways, in one run, interleaved (bench/lib/measure.ts):
 *
 * - `plain`: plain V8, the module compiled unmetered and instantiated with a minimal
 *   hand-written `wasi_snapshot_preview1` object (fd_write to a sink, bound to the instance's
 *   memory): the floor;
 * - `keel`: Keel's own preview1 (`new Kernel()`, metered as it comes), stdio and exit granted;
 * - `keel-unmetered`: the same with `metering: false` (what metering costs, side by side); left
 *   out of the sub-microsecond hello, where it would share `Sandbox.fn`'s JIT feedback with
 *   `keel` (docs/benchmarks.md);
 * - `keel-adapter`: the same module wrapped with jco's preview1 adapter into a component
 *   (`new Kernel({ preview1: 'adapter' })`), the path Keel used before.
 *
 * Measures: spawn (a new sandbox or instance of the loaded module, and its teardown, including
 * the collection that frees it), the hello (`_start` on a live instance: one fd_write of 6 bytes
 * to stdout), and both together. Process CPU time, as the `wasm` group's spawn: on a shared
 * machine wall time mostly measures the other processes; each spawn sample pays for its own
 * garbage and only its own (`collect` in bench/lib/measure.ts). The target (issue 13): Keel's
 * spawn at most 2x plain.
 *
 *     npm run build && node --expose-gc dist/bench/preview1.js [--quick]
 *
 * Writes bench/results/preview1-<date>[-quick].{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kernel, type Sandbox } from '../host/index.js';
import { wat } from '../scripts/lib/wat.js';
import { compare, machine, type SubjectTiming, type Variant } from './lib/measure.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 7 : 31;
/** Issue 13's target for Keel's spawn, as a ratio to plain V8. */
const TARGET = 2;

const HELLO = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello\\n")
  (data (i32.const 16) "\\00\\00\\00\\00\\06\\00\\00\\00")
  (func (export "_start")
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (then unreachable))))`;

/** The floor: a hand-written preview1 object with just what the module imports. */
function plainInstance(module: WebAssembly.Module, sink: (bytes: Uint8Array) => void): WebAssembly.Instance {
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: {
      fd_write(fd: number, iovs: number, count: number, written: number): number {
        if (fd !== 1) return 8;
        const view = new DataView(memory!.buffer);
        let total = 0;
        for (let i = 0; i < count; i++) {
          const ptr = view.getUint32(iovs + i * 8, true);
          const len = view.getUint32(iovs + i * 8 + 4, true);
          sink(new Uint8Array(memory!.buffer, ptr, len).slice());
          total += len;
        }
        view.setUint32(written, total, true);
        return 0;
      },
    },
  });
  memory = instance.exports.memory as WebAssembly.Memory;
  return instance;
}

/** The commit measured, and whether code (not results) had changes. */
function git(): { commit: string; dirty: boolean } {
  try {
    const run = (args: string[]) =>
      execFileSync('git', args, { cwd: repoPath('.'), encoding: 'utf8' }).trim();
    const status = run(['status', '--porcelain', '--untracked-files=no']);
    return {
      commit: run(['rev-parse', 'HEAD']),
      dirty: status.split('\n').some((l) => l.trim() && !l.includes('bench/results/')),
    };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function row(t: SubjectTiming) {
  return {
    subject: t.subject,
    median_ns: Math.round(t.ns.median),
    p25_ns: Math.round(t.ns.p25),
    p75_ns: Math.round(t.ns.p75),
    ratio: Number(t.ratio.toFixed(2)),
    ratio_p25: Number(t.ratio_p25.toFixed(2)),
    ratio_p75: Number(t.ratio_p75.toFixed(2)),
  };
}

const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
const bytes = await wat(HELLO);
const compiled = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
let written = 0;
const sink = (chunk: Uint8Array) => {
  written += chunk.length;
};
const keel = new Kernel({ cacheDir: false });
const unmetered = new Kernel({ cacheDir: false, metering: false });
const adapter = new Kernel({ cacheDir: false, preview1: 'adapter' });
try {
  const native = await keel.load(bytes, { name: 'hello' });
  const nativeUnmetered = await unmetered.load(bytes, { name: 'hello' });
  const adapted = await adapter.load(bytes, { name: 'hello' });
  const grants = ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit'];
  const spawn = (kernel: Kernel, module: typeof native) =>
    kernel.spawn(module, { grants, io: { stdout: sink } });

  const spawnVariants: Variant[] = [
    { subject: 'plain', op: () => plainInstance(compiled, sink) },
    { subject: 'keel', async: true, op: async () => (await spawn(keel, native)).terminate() },
    {
      subject: 'keel-unmetered',
      async: true,
      op: async () => (await spawn(unmetered, nativeUnmetered)).terminate(),
    },
    { subject: 'keel-adapter', async: true, op: async () => (await spawn(adapter, adapted)).terminate() },
  ];
  const live: Record<string, Sandbox> = {
    keel: await spawn(keel, native),
    'keel-adapter': await spawn(adapter, adapted),
  };
  const plain = plainInstance(compiled, sink);
  const helloVariants: Variant[] = [
    { subject: 'plain', expr: 'x()', self: plain.exports._start },
    { subject: 'keel', expr: 'x()', self: live.keel!.fn('_start') },
    { subject: 'keel-adapter', expr: 'x()', self: live['keel-adapter']!.fn('wasi:cli/run#run') },
  ];
  const bothVariants: Variant[] = [
    { subject: 'plain', op: () => (plainInstance(compiled, sink).exports._start as () => void)() },
    {
      subject: 'keel',
      async: true,
      op: async () => {
        const s = await spawn(keel, native);
        s.fn('_start')();
        s.terminate();
      },
    },
    {
      subject: 'keel-unmetered',
      async: true,
      op: async () => {
        const s = await spawn(unmetered, nativeUnmetered);
        s.fn('_start')();
        s.terminate();
      },
    },
    {
      subject: 'keel-adapter',
      async: true,
      op: async () => {
        const s = await spawn(adapter, adapted);
        s.fn('wasi:cli/run#run')();
        s.terminate();
      },
    },
  ];
  const options = {
    samples: SAMPLES,
    sampleMs: quick ? 20 : 50,
    warmupMs: quick ? 200 : 500,
    collect: true,
    timer: 'cpu' as const,
  };
  const measures = {
    spawn: await compare(spawnVariants, options),
    hello: await compare(helloVariants, { ...options, collect: false }),
    'spawn+hello': await compare(bothVariants, options),
  };
  // Every subject wrote: 6 bytes per `_start`, whoever ran it.
  if (written === 0 || written % 6 !== 0) throw new Error(`unexpected output: ${written} bytes`);
  const keelSpawn = measures.spawn.find((t) => t.subject === 'keel')!;

  const day = new Date().toISOString().slice(0, 10);
  const report = {
    suite: 'keel-bench-preview1',
    date: new Date().toISOString(),
    command: `npm run build && node --expose-gc dist/bench/preview1.js${quick ? ' --quick' : ''}`,
    git: git(),
    machine: machine(),
    load_before: loadBefore,
    load_after: loadavg().map((l) => Number(l.toFixed(2))),
    samples: SAMPLES,
    timer: options.timer,
    target: {
      measure: 'spawn',
      subject: 'keel',
      at_most: TARGET,
      ratio: row(keelSpawn).ratio,
      met: keelSpawn.ratio <= TARGET,
    },
    measures: Object.fromEntries(Object.entries(measures).map(([k, v]) => [k, v.map(row)])),
  };
  const file = `bench/results/preview1-${day}${quick ? '-quick' : ''}`;
  writeFileSync(repoPath(`${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const titles: Record<string, string> = {
    spawn: 'spawn (a new instance of the loaded module, and its teardown and collection)',
    hello: '`_start` on a live instance: one `fd_write` of 6 bytes to stdout',
    'spawn+hello': 'spawn, `_start`, teardown',
  };
  const md = [
    `# WASI preview1, ${day}`,
    '',
    `\`${report.command}\` at ${report.git.commit.slice(0, 12)}${report.git.dirty ? ' (with changes)' : ''}; process CPU time per operation (a spawn sample: its batch and a full collection, less an empty collection; sweeping on the main thread), median of ${SAMPLES} samples (p25–p75), ratio to plain V8 with a hand-written preview1 object (the median of per-round ratios). ${report.machine.cpu}, ${report.machine.cores} cores, load ${report.load_before.join(' ')} before, ${report.load_after.join(' ')} after.`,
    '',
    `Target (issue 13): Keel's spawn at most ${TARGET}x plain: ${report.target.ratio}x, ${report.target.met ? 'met' : 'NOT met'}.`,
    '',
    ...Object.entries(report.measures).flatMap(([k, rows]) => [
      `## ${titles[k]}`,
      '',
      '| Subject | median | p25 | p75 | vs plain |',
      '|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.subject} | ${(r.median_ns / 1000).toFixed(2)} µs | ${(r.p25_ns / 1000).toFixed(2)} µs | ${(r.p75_ns / 1000).toFixed(2)} µs | ${r.ratio} (${r.ratio_p25}–${r.ratio_p75}) |`,
      ),
      '',
    ]),
  ].join('\n');
  writeFileSync(repoPath(`${file}.md`), md);
  process.stdout.write(md);
} finally {
  await keel.close();
  await unmetered.close();
  await adapter.close();
}
