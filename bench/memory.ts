/**
 * The memory group: what one more idle sandbox costs a process, and so how many fit in a GiB.
 *
 * Each subject runs in child processes of its own (`node --expose-gc`), one per count of
 * sandboxes, so that one subject's leftovers never count against another: load the module,
 * spawn and drop three sandboxes (code paths warmed), spawn N, call each once and keep them all,
 * and read `process.memoryUsage()` after full collections. The cost of one sandbox is the slope
 * of those readings over N (the median at each count, several runs; Theil-Sen over the counts),
 * so what loading costs, the same at every count, cancels: resident memory (RSS: what the
 * machine pays, touched wasm pages and other isolates' heaps included), this isolate's JS heap,
 * and the JS heap with external memory (which counts every wasm linear memory at its full size,
 * touched or not). A fixed young generation (16 MiB semi-spaces) keeps its growth out of the
 * readings. Which figure a group is read on, and why: `runMemoryGroup`'s notes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel, type Sandbox } from '../host/index.js';
import { BENCH_HOST_MODULE, BENCH_WAT, BENCH_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { wat } from '../scripts/lib/wat.js';
import {
  isolatedVmSubject,
  JS_COMPONENT,
  keelJsSubject,
  plainScript,
  quickjsSubject,
  v8Subject,
} from './js.js';
import { stats } from './lib/measure.js';
import type { Group, MeasureResult, Row } from './lib/report.js';
import { round } from './lib/report.js';
import {
  benchHostProvider,
  extismSubject,
  jcoLoad,
  KEEL_VARIANTS,
  keelSubject,
  tick,
} from './lib/subjects.js';

export interface Spawned {
  touch(): unknown;
  close(): unknown;
}

export type Factory = () => Spawned | Promise<Spawned>;

type AddFn = (a: number, b: number) => unknown;

/** One kept sandbox of a WebAssembly subject: its handle and the function called (methods on the prototype). */
class Held<T> implements Spawned {
  constructor(
    readonly handle: T,
    readonly add: AddFn,
    readonly end: (handle: T) => unknown,
  ) {}
  touch(): unknown {
    return this.add(1, 2);
  }
  close(): unknown {
    return this.end(this.handle);
  }
}

const noEnd = (): void => {};
const terminate = (sandbox: Sandbox): void => sandbox.terminate();

export const WASM_SUBJECTS = ['plain', 'keel', 'jco-1.12', 'jco-current', 'extism'] as const;
export const JS_SUBJECTS = ['v8-js', 'keel-js', 'isolated-vm', 'quickjs'] as const;

/**
 * Sandboxes per child, one child per count: the cost is the slope over the counts. The small
 * component's counts stop at 10,000: past about 16,000 V8 refuses a Keel sandbox's linear memory
 * (it reserves address space for each memory's maximum, 64 MiB under Keel's default limit, and
 * stops at a fixed total). The JavaScript guests cost MiB each.
 */
export function counts(subject: string, quick: boolean): number[] {
  if (subject === 'keel-js') return quick ? [4, 8, 16] : [8, 16, 32];
  if (subject === 'isolated-vm') return quick ? [10, 20, 40] : [20, 40, 80];
  if (subject === 'quickjs') return quick ? [50, 100, 200] : [100, 200, 400];
  return quick ? [1_000, 3_000, 5_000] : [2_000, 6_000, 10_000];
}

export async function factory(subject: string, cacheDir: string): Promise<Factory> {
  const variant = KEEL_VARIANTS[0]!;
  const wasmTouch = (x: { add(a: number, b: number): unknown; close(): unknown }) => ({
    touch: () => x.add(1, 2),
    close: () => x.close(),
  });
  switch (subject) {
    // The WebAssembly subjects keep what their user keeps to call the sandbox again, and no
    // more: plain V8 and jco's glue their exports object (every export function jco's
    // instantiate made), Keel its `Sandbox` (the kernel's tables keep it too) and the function
    // it calls (`sandbox.fn('add')`; Keel makes an export's function when it is first asked
    // for). Each is held by one `Held` of the same shape.
    case 'plain': {
      const core = await WebAssembly.compile((await wat(BENCH_WAT)) as Uint8Array<ArrayBuffer>);
      const imports = { [BENCH_HOST_MODULE]: { tick } };
      return () => {
        const e = new WebAssembly.Instance(core, imports).exports as { add: AddFn };
        return new Held(e, e.add, noEnd);
      };
    }
    case 'keel': {
      const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
      const { kernel, module } = await keelSubject(component, variant, cacheDir);
      return async () => {
        const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
        return new Held(sandbox, sandbox.fn('add'), terminate);
      };
    }
    case 'jco-1.12':
    case 'jco-current': {
      const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
      const generator = subject === 'jco-1.12' ? 'jco-1.12.0' : 'jco-transpile-0.3.9';
      const { output, instantiate, cores } = await jcoLoad(component, generator);
      const imports: Record<string, unknown> = {};
      for (const spec of output.imports) if (spec.startsWith('keel:bench/host')) imports[spec] = { tick };
      return () => {
        const e = instantiate((file) => cores.get(file)!, imports) as { add: AddFn };
        return new Held(e, e.add, noEnd);
      };
    }
    case 'extism': {
      const s = await extismSubject();
      return async () => {
        const x = await s.spawn();
        await x.add(1, 2);
        return { touch: () => undefined, close: () => x.close() };
      };
    }
    case 'keel-js': {
      const kernel = new Kernel({ ...variant.options, cacheDir, providers: [benchHostProvider] });
      const module = await kernel.load(new Uint8Array(readFileSync(JS_COMPONENT)));
      const s = await keelJsSubject(kernel, module, 'Keel', 'keel-js');
      return async () => wasmTouch(await s.spawn());
    }
    case 'v8-js':
      return () => wasmTouch(v8Subject(plainScript()).spawn() as never);
    case 'isolated-vm': {
      const s = await isolatedVmSubject(plainScript());
      return () => wasmTouch(s.spawn() as never);
    }
    case 'quickjs': {
      const s = await quickjsSubject(plainScript());
      return () => wasmTouch(s.spawn() as never);
    }
  }
  throw new Error(`memory: unknown subject ${subject}`);
}

/** What a child reads after its `n` sandboxes, full collections first (bytes). */
export interface Reading {
  subject: string;
  n: number;
  rss: number;
  heap: number;
  /** Node's `external`: C++ memory held by JS objects, array buffers and wasm memories included. */
  external: number;
  arrayBuffers: number;
}

async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory: run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage();
}

/** Theil-Sen slope of y over x: the median of the pairwise slopes, robust to one odd reading. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++)
      if (xs[j] !== xs[i]) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  return stats(slopes).median;
}

/** In the child: `n` sandboxes of one subject, each called once and all kept, then one reading. */
async function child(subject: string, n: number, cacheDir: string): Promise<Reading> {
  const make = await factory(subject, cacheDir);
  for (let i = 0; i < 3; i++) {
    const x = await make();
    x.touch();
    await x.close();
  }
  const kept: Spawned[] = [];
  while (kept.length < n) {
    const x = await make();
    x.touch();
    kept.push(x);
  }
  const u = await settle();
  const reading = {
    subject,
    n,
    rss: u.rss,
    heap: u.heapUsed,
    external: u.external,
    arrayBuffers: u.arrayBuffers,
  };
  if (kept.length !== n) throw new Error('memory: lost a sandbox');
  return reading;
}

function run(subject: string, n: number, cacheDir: string): Reading {
  const script = fileURLToPath(import.meta.url);
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--no-warnings',
      '--min-semi-space-size=16',
      '--max-semi-space-size=16',
      script,
      '--child',
      subject,
      String(n),
      cacheDir,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Reading;
}

/** The quantities whose slope over the count is a sandbox's cost. */
export const QUANTITIES = {
  rss: (r: Reading) => r.rss,
  heap: (r: Reading) => r.heap,
  /** `arrayBuffers` is part of `external` (Node's documentation): not added twice. */
  heapExternal: (r: Reading) => r.heap + r.external,
} as const;

export interface Cost {
  /** Theil-Sen slope over the counts of the per-count medians (bytes per sandbox). */
  median: number;
  /** The lowest and highest slope of one repeat's readings alone. */
  min: number;
  max: number;
}

/**
 * A subject's cost per sandbox from readings at several counts, fresh child processes each: the
 * slope of the medians at each count (what does not depend on the count, loading included,
 * cancels), with the spread of the repeats' own slopes.
 */
export function cost(readings: readonly Reading[], of: (r: Reading) => number): Cost {
  const counts = [...new Set(readings.map((r) => r.n))].sort((a, b) => a - b);
  const medians = counts.map((n) => stats(readings.filter((r) => r.n === n).map(of)).median);
  const repeats = Math.max(...counts.map((n) => readings.filter((r) => r.n === n).length));
  const perRepeat: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const n of counts) {
      const r = readings.filter((x) => x.n === n)[i];
      if (r) {
        xs.push(n);
        ys.push(of(r));
      }
    }
    if (xs.length > 1) perRepeat.push(slope(xs, ys));
  }
  const spread = stats(perRepeat);
  return { median: slope(counts, medians), min: spread.min, max: spread.max };
}

/** What a group's cost is read on (see `runMemoryGroup`'s notes and docs/benchmarks.md, "Memory"). */
export type Basis = 'rss' | 'heap';

interface Rows {
  target: Row[];
  rss: Row[];
  heap: Row[];
  heapExternal: Row[];
  perGib: Row[];
}

function rows(results: readonly Reading[][], reference: string, basis: Basis): Rows {
  const costs = results.map((rs) => ({
    subject: rs[0]!.subject,
    counts: [...new Set(rs.map((r) => r.n))],
    runs: rs.length,
    rss: cost(rs, QUANTITIES.rss),
    heap: cost(rs, QUANTITIES.heap),
    heapExternal: cost(rs, QUANTITIES.heapExternal),
  }));
  const ref = costs.find((c) => c.subject === reference)!;
  const row = (c: (typeof costs)[number], k: 'rss' | 'heap' | 'heapExternal'): Row => ({
    subject: c.subject,
    value: round(c[k].median),
    min: round(c[k].min),
    max: round(c[k].max),
    ratio: round(c[k].median / ref[k].median),
  });
  // Sandboxes per GiB: by RSS where it is the basis; otherwise by JS heap and external memory,
  // which counts each linear memory whole, as if every sandbox touched its pages.
  const perGib = basis === 'rss' ? 'rss' : 'heapExternal';
  return {
    target: costs.map((c) => ({
      ...row(c, basis),
      detail: {
        sandboxes: c.counts.join(' / '),
        readings: c.runs,
        rss_bytes: round(c.rss.median),
        heap_bytes: round(c.heap.median),
        heap_external_bytes: round(c.heapExternal.median),
      },
    })),
    rss: costs.map((c) => row(c, 'rss')),
    heap: costs.map((c) => row(c, 'heap')),
    heapExternal: costs.map((c) => row(c, 'heapExternal')),
    perGib: costs.map((c) => ({
      subject: c.subject,
      value: c[perGib].median > 0 ? Math.floor(2 ** 30 / c[perGib].median) : Number.NaN,
    })),
  };
}

export async function runMemoryGroup({
  quick,
  log,
}: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Group> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'keel-bench-memory-'));
  try {
    // Warm the transpile cache once, so that children load from disk.
    const kernel = new Kernel({ cacheDir, providers: [benchHostProvider] });
    await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
    await kernel.load(new Uint8Array(readFileSync(JS_COMPONENT)));
    await kernel.close();
    const runs = quick ? 1 : 3;
    // Rounds interleave the subjects and counts, so that a burst of load or a swap of pages
    // hits them alike.
    const measureSet = (subjects: readonly string[]) => {
      const readings = new Map<string, Reading[]>(subjects.map((s) => [s, []]));
      for (let i = 0; i < runs; i++)
        for (const subject of subjects)
          for (const n of counts(subject, quick)) {
            log(`  ${subject} x ${n} (${i + 1}/${runs})`);
            readings.get(subject)!.push(run(subject, n, cacheDir));
          }
      return [...readings.values()];
    };
    const wasm = rows(measureSet(WASM_SUBJECTS), 'plain', 'heap');
    const js = rows(measureSet(JS_SUBJECTS), 'v8-js', 'rss');
    const bytes = (id: string, title: string, rows: Row[], reference: string): MeasureResult => ({
      id,
      title,
      unit: 'bytes',
      lower_is_better: true,
      reference,
      rows,
    });
    const measures: MeasureResult[] = [
      bytes('memory.wasm', 'memory per idle sandbox (JS heap), small component', wasm.target, 'plain'),
      bytes('memory.wasm.rss', 'RSS per idle sandbox, small component', wasm.rss, 'plain'),
      bytes(
        'memory.wasm.heap_external',
        'JS heap and external memory per idle sandbox, small component',
        wasm.heapExternal,
        'plain',
      ),
      {
        id: 'memory.wasm.per_gib',
        title: 'sandboxes per GiB (JS heap and external memory), small component',
        unit: 'count',
        lower_is_better: false,
        rows: wasm.perGib,
      },
      bytes('memory.js', 'memory per idle sandbox (RSS), JavaScript guest', js.target, 'v8-js'),
      bytes(
        'memory.js.heap',
        "JS heap per idle sandbox (the host isolate's), JavaScript guest",
        js.heap,
        'v8-js',
      ),
      {
        id: 'memory.js.per_gib',
        title: 'sandboxes per GiB (RSS), JavaScript guest',
        unit: 'count',
        lower_is_better: false,
        rows: js.perGib,
      },
    ];
    const labels: Record<string, string> = {
      plain: 'plain V8',
      keel: 'Keel',
      'jco-1.12': 'jco 1.12.0 glue',
      'jco-current': 'jco-transpile 0.3.9 glue',
      extism: 'Extism JS SDK 1.0.3',
      'v8-js': 'V8 (same isolate)',
      'keel-js': 'Keel (componentize-js)',
      'isolated-vm': 'isolated-vm 5.0.4',
      quickjs: 'quickjs-emscripten 0.32.0',
    };
    return {
      id: 'memory',
      title: 'Memory per idle sandbox',
      subjects: [...WASM_SUBJECTS, ...JS_SUBJECTS].map((id) => ({
        id,
        label: labels[id]!,
        setup: `as in the call groups; ${counts(id, quick).join(', ')} sandboxes, one child process each, each sandbox called once${
          id === 'keel'
            ? "; kept: the Sandbox and sandbox.fn('add')"
            : id === 'plain' || id.startsWith('jco')
              ? '; kept: the exports object'
              : ''
        }`,
      })),
      measures,
      notes: [
        `One child process per subject, count and run (${runs} run${runs > 1 ? 's' : ''}), node --expose-gc: N sandboxes spawned, each called once and all kept (a WebAssembly subject's as its user keeps it: plain V8 and jco's glue the exports object, Keel the Sandbox and the function called), then memoryUsage() after full collections. The cost of one more sandbox is the Theil-Sen slope of the medians at each count over the counts (what loading costs does not depend on N and cancels); min and max are the slopes of each run's readings alone. Nx = the subject's / the reference's, same run.`,
        "The small component's cost is read on the JS heap (memory.wasm): its RSS slope is not resolved at any count one process can hold (V8 reserves address space for each linear memory and refuses more past about 16,000 sandboxes; between fresh processes RSS moves by tens of MiB), and heap plus external memory counts every side's 64 KiB linear memory whole, reserved but not touched by this component, which would put every glue within 2% of the others. The JavaScript guests cost MiB each, mostly outside the host's heap (isolated-vm's isolates, QuickJS's wasm heap): RSS compares them (memory.js). docs/benchmarks.md, Method.",
      ],
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === '--child') {
  const [subject, n, cacheDir] = process.argv.slice(3);
  const result = await child(subject!, Number(n), cacheDir!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
