/**
 * The timing harness: every subject of one measure runs in the same process, interleaved.
 *
 * - Each subject gets its own timing loop (a fresh function per subject), so that the call
 *   site inside the loop only ever sees that subject's operation: a shared loop would turn
 *   megamorphic and add a few nanoseconds to every subject's calls.
 * - Warm-up first (until `warmupMs` has passed and V8 has tiered the code up), which also
 *   calibrates the batch: how many operations make one sample of about `sampleMs`. A timer
 *   read costs more than a nanosecond-scale call, so calls are timed in batches.
 * - Then rounds: one sample per subject per round, in an order that rotates each round, so
 *   that a burst of load from another process hits every subject alike. The ratio to the
 *   reference subject is taken per round (same moment, same conditions), then its median.
 * - Each sample is timed twice: process CPU time (`process.cpuUsage`, user + system) and wall
 *   time. CPU time does not count time spent waiting while other processes hold the CPU, so on
 *   a shared machine it is the steadier figure; it is the primary timer for synchronous,
 *   allocation-light work. Wall time is primary where the work waits on I/O (cold loads).
 * - With `collect` (spawns and other garbage-heavy work), each sample pays for its own garbage
 *   and nobody else's: see `CompareOptions.collect`.
 */
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { setFlagsFromString } from 'node:v8';

export interface Stats {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export type Timer = 'cpu' | 'wall';

export interface Variant {
  subject: string;
  /**
   * One operation, as an expression over `x` (= `self`) and the loop counter `i`, compiled into
   * this subject's own timing loop: `x.add(i, 1)`. Closures made from one shared arrow function
   * would share V8's feedback across subjects, turn the call megamorphic and blur nanoseconds.
   */
  expr?: string;
  /**
   * Statements run once before the loop, over `x`: `const f = x.add;` with `expr` `f(i, 1)` times
   * a function held in a local, as an embedder holds `sandbox.fn('add')`, where `x.add(i, 1)` reads
   * it from an object at every call. The ratio of a nanosecond-scale call to plain's moves by 0.3x
   * between the two shapes (bench/results/perf-calls-2026-12-07-12.md), so the calls measure both.
   */
  prelude?: string;
  self?: unknown;
  /** Or one operation as a function (fine for anything slower than a microsecond). */
  op?: (i: number) => unknown;
  /** The operation returns a promise, awaited (asynchronous subjects such as Extism). */
  async?: boolean;
  /** Work units per operation (e.g. host calls per guest call): times are reported per unit. */
  units?: number;
}

export interface CompareOptions {
  /** Timed rounds (one sample per subject each). */
  samples: number;
  /** Target length of one sample, in ms; ignored when `batch` is set. */
  sampleMs?: number;
  /** Fixed operations per sample (no calibration). */
  batch?: number;
  /** Warm-up per subject, in ms (at least `warmupOps` operations too). */
  warmupMs?: number;
  warmupOps?: number;
  timer?: Timer;
  /** Subject the ratios are taken against (default: the first). */
  reference?: string;
  /**
   * Each sample pays for its own garbage, and only its own (needs node's `--expose-gc`): for
   * operations that leave garbage V8 collects in bursts (instances, each with a wasm memory).
   * A sample is: a full collection, untimed (a clean heap); an empty full collection, timed; the
   * batch followed by a full collection, timed; the sample is the second time minus the first,
   * per operation. So the teardown of what the batch made (its instances' wasm memories freed)
   * is in the batch's own sample. While such a measure runs, V8 sweeps array buffers and pages on
   * the main thread (`--no-concurrent-array-buffer-sweeping --no-concurrent-sweeping`): otherwise
   * a collection's background threads free the dead memories after it returns, in the process's
   * CPU time of whichever sample runs next.
   */
  collect?: boolean;
}

export interface SubjectTiming {
  subject: string;
  /** Nanoseconds per unit by the primary timer. */
  ns: Stats;
  /** The other timer's view, for the record. */
  cpu_ns: Stats;
  wall_ns: Stats;
  timer: Timer;
  batch: number;
  samples: number;
  /** Median of the per-round ratios to the reference, with their interquartile range. */
  ratio: number;
  ratio_p25: number;
  ratio_p75: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

export type Runner = (x: unknown, n: number) => unknown;

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => Runner;

/** Numbers the loops, so that no two share their source (see `runner`). */
let loops = 0;

/**
 * A fresh loop per subject: its call sites see one subject only. Each loop's source carries a
 * number of its own: V8 caches what `new Function` compiles by its source text, feedback
 * included, so loops of the same text shared one feedback vector and their call site saw every
 * subject (megamorphic: no subject's call was inlined).
 */
export function runner(variant: Variant): Runner {
  const expr = variant.expr ?? 'x(i)';
  const body = `/* loop ${loops++} */ ${variant.prelude ?? ''} let s; for (let i = 0; i < n; i++) s = ${variant.async ? 'await ' : ''}${expr}; return s;`;
  return variant.async ? new AsyncFunction('x', 'n', body) : (new Function('x', 'n', body) as Runner);
}

interface Prepared {
  variant: Variant;
  run: Runner;
  batch: number;
  cpu: number[];
  wall: number[];
}

async function timeBatch(p: Prepared, then?: () => void): Promise<[cpuNs: number, wallNs: number]> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = p.run(p.variant.expr ? p.variant.self : p.variant.op, p.batch);
  if (p.variant.async) await result;
  then?.();
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return [(cpu.user + cpu.system) * 1000, wall];
}

/**
 * Warm up and pick a batch that makes one sample last about `sampleMs`: the batch doubles
 * until a sample takes a millisecond, then the per-operation estimate is the median of the
 * last few samples (by the primary timer), so that one preempted sample cannot skew it.
 */
async function prepare(variant: Variant, options: CompareOptions): Promise<Prepared> {
  const p: Prepared = { variant, run: runner(variant), batch: options.batch ?? 1, cpu: [], wall: [] };
  const warmupMs = options.warmupMs ?? 200;
  const warmupOps = options.warmupOps ?? 3;
  const started = performance.now();
  let done = 0;
  const estimates: number[] = [];
  while (done < warmupOps || performance.now() - started < warmupMs) {
    const [cpu, wall] = await timeBatch(p);
    done += p.batch;
    if (options.batch === undefined && wall < 1e6 && estimates.length === 0) {
      p.batch = Math.min(p.batch * 2, 1 << 24);
      continue;
    }
    estimates.push((options.timer === 'wall' ? wall : cpu || wall) / p.batch);
  }
  if (options.batch === undefined) {
    const perOp = estimates.length > 0 ? stats(estimates.slice(-5)).median : 1e6;
    p.batch = Math.max(1, Math.round(((options.sampleMs ?? 10) * 1e6) / Math.max(perOp, 0.01)));
  }
  return p;
}

/** A full collection, timed: [cpuNs, wallNs]. */
function timeCollection(gc: () => void): [cpuNs: number, wallNs: number] {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  gc();
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return [(cpu.user + cpu.system) * 1000, wall];
}

/** The V8 flags that keep a collection's freeing on the main thread (see `CompareOptions.collect`). */
const MAIN_THREAD_SWEEPING = ['concurrent-array-buffer-sweeping', 'concurrent-sweeping'];

/**
 * Sweep on the main thread until the returned function is called, which puts back node's
 * defaults (unless node was started with either flag: then it stays as given).
 */
function sweepOnMainThread(): () => void {
  const argv = process.execArgv;
  if (argv.some((a) => a.startsWith('--single-threaded'))) return () => {};
  const given = MAIN_THREAD_SWEEPING.filter((f) => !argv.some((a) => a.endsWith(f)));
  for (const f of given) setFlagsFromString(`--no-${f}`);
  return () => {
    for (const f of given) setFlagsFromString(`--${f}`);
  };
}

/** Time every variant, interleaved, and report per-unit times and ratios to the reference. */
export async function compare(
  variants: readonly Variant[],
  options: CompareOptions,
): Promise<SubjectTiming[]> {
  const timer = options.timer ?? 'cpu';
  const gc = (globalThis as { gc?: () => void }).gc;
  if (options.collect && !gc) throw new Error('a measure that collects garbage needs node --expose-gc');
  const restore = options.collect ? sweepOnMainThread() : undefined;
  const prepared: Prepared[] = [];
  try {
    for (const v of variants) prepared.push(await prepare(v, options));
    for (let r = 0; r < options.samples; r++) {
      for (let k = 0; k < prepared.length; k++) {
        const p = prepared[(r + k) % prepared.length]!;
        let empty: [number, number] = [0, 0];
        if (options.collect) {
          gc!();
          empty = timeCollection(gc!);
        }
        const [cpu, wall] = await timeBatch(p, options.collect ? gc : undefined);
        const per = p.batch * (p.variant.units ?? 1);
        p.cpu.push((cpu - empty[0]) / per);
        p.wall.push((wall - empty[1]) / per);
      }
    }
  } finally {
    restore?.();
  }
  const refIndex = Math.max(
    0,
    options.reference ? variants.findIndex((v) => v.subject === options.reference) : 0,
  );
  const primary = (p: Prepared) => (timer === 'cpu' ? p.cpu : p.wall);
  const ref = primary(prepared[refIndex]!);
  return prepared.map((p) => {
    const own = primary(p);
    const ratios = stats(own.map((t, r) => t / ref[r]!));
    return {
      subject: p.variant.subject,
      ns: stats(own),
      cpu_ns: stats(p.cpu),
      wall_ns: stats(p.wall),
      timer,
      batch: p.batch,
      samples: options.samples,
      ratio: ratios.median,
      ratio_p25: ratios.p25,
      ratio_p75: ratios.p75,
    };
  });
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  arch: string;
  memory_gib: number;
  os: string;
  node: string;
  v8: string;
  /** 1, 5 and 15 minute load averages. */
  load: number[];
}

export function machine(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    arch: arch(),
    memory_gib: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    load: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${bytes.toFixed(0)} B`;
  if (abs < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
}
