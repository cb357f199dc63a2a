/**
 * The memory group: what an idle sandbox costs, and so how many fit in a GiB.
 *
 * Each subject is measured in a child process of its own (`node --expose-gc`), so that one
 * subject's leftovers never count against another: load the module, spawn and drop three
 * sandboxes (code paths warmed) and keep N/6 more (not read); then spawn N sandboxes in six steps, calling each once and
 * keeping them all, and read `process.memoryUsage()` after full collections at each step. The
 * Theil-Sen slope (median of pairwise slopes) of those six readings over the count
 * is the cost of one idle sandbox: resident memory (RSS: what the machine pays, touched wasm
 * pages and other isolates' heaps included), and this isolate's JS heap and external memory
 * (which counts every wasm linear memory at its full size, touched or not). A fixed young
 * generation (16 MiB semi-spaces) keeps its growth out of the readings. Sandboxes per GiB =
 * 2^30 / RSS per sandbox.
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

/** Sandboxes per child: enough that per-sandbox figures dominate the noise. */
function count(subject: string, quick: boolean): number {
  if (subject === 'keel-js') return quick ? 8 : 24;
  if (subject === 'isolated-vm') return quick ? 20 : 60;
  if (subject === 'quickjs') return quick ? 50 : 200;
  return quick ? 1000 : 3000;
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

interface ChildResult {
  subject: string;
  n: number;
  rss: number;
  heap: number;
  external: number;
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

/** Checkpoints: RSS and heap are read after every STEPS-th of the sandboxes; the cost is the slope. */
const STEPS = 6;

/** In the child: measure one subject. */
async function child(subject: string, n: number, cacheDir: string): Promise<ChildResult> {
  const make = await factory(subject, cacheDir);
  for (let i = 0; i < 3; i++) {
    const x = await make();
    x.touch();
    await x.close();
  }
  const counts: number[] = [];
  const usage: NodeJS.MemoryUsage[] = [];
  const kept: Spawned[] = [];
  // A first step of sandboxes is kept but not read: memory from loading (array buffers swept
  // lazily, malloc arenas) is still being released then, and would bend the line.
  const first = Math.round(n / STEPS);
  while (kept.length < first) {
    const x = await make();
    x.touch();
    kept.push(x);
  }
  await settle();
  for (let step = 1; step <= STEPS; step++) {
    const until = first + Math.round((n * step) / STEPS);
    while (kept.length < until) {
      const x = await make();
      x.touch();
      kept.push(x);
    }
    counts.push(kept.length);
    usage.push(await settle());
    if (process.env.KEEL_BENCH_DEBUG)
      process.stderr.write(`${kept.length} ${JSON.stringify(usage.at(-1))}\n`);
  }
  const result = {
    subject,
    n,
    rss: slope(
      counts,
      usage.map((u) => u.rss),
    ),
    heap: slope(
      counts,
      usage.map((u) => u.heapUsed),
    ),
    external: slope(
      counts,
      usage.map((u) => u.external),
    ),
  };
  for (const x of kept) await x.close();
  return result;
}

function run(subject: string, n: number, cacheDir: string): ChildResult {
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
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

function rows(results: ChildResult[][], reference: string): { bytes: Row[]; heap: Row[]; perGib: Row[] } {
  const ref = stats(results.find((r) => r[0]!.subject === reference)!.map((r) => r.rss)).median;
  const bytes: Row[] = [];
  const heap: Row[] = [];
  const perGib: Row[] = [];
  for (const rs of results) {
    const rss = stats(rs.map((r) => r.rss));
    const subject = rs[0]!.subject;
    bytes.push({
      subject,
      value: round(rss.median),
      min: round(rss.min),
      max: round(rss.max),
      ratio: round(rss.median / ref),
      detail: {
        sandboxes: rs[0]!.n,
        runs: rs.length,
        heap_bytes: round(stats(rs.map((r) => r.heap)).median),
        external_bytes: round(stats(rs.map((r) => r.external)).median),
      },
    });
    const h = stats(rs.map((r) => r.heap));
    heap.push({ subject, value: round(h.median), min: round(h.min), max: round(h.max) });
    perGib.push({ subject, value: rss.median > 0 ? Math.floor(2 ** 30 / rss.median) : Number.NaN });
  }
  return { bytes, heap, perGib };
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
    const measureSet = (subjects: readonly string[]) =>
      subjects.map((subject) => {
        const n = count(subject, quick);
        log(`  ${subject} x ${n}`);
        return Array.from({ length: runs }, () => run(subject, n, cacheDir));
      });
    const wasm = rows(measureSet(WASM_SUBJECTS), 'plain');
    const js = rows(measureSet(JS_SUBJECTS), 'v8-js');
    const measures: MeasureResult[] = [
      {
        id: 'memory.wasm',
        title: 'memory per idle sandbox (RSS), small component',
        unit: 'bytes',
        lower_is_better: true,
        reference: 'plain',
        rows: wasm.bytes,
      },
      {
        id: 'memory.wasm.heap',
        title: 'JS heap per idle sandbox, small component',
        unit: 'bytes',
        lower_is_better: true,
        rows: wasm.heap,
      },
      {
        id: 'memory.wasm.per_gib',
        title: 'sandboxes per GiB, small component',
        unit: 'count',
        lower_is_better: false,
        rows: wasm.perGib,
      },
      {
        id: 'memory.js',
        title: 'memory per idle sandbox (RSS), JavaScript guest',
        unit: 'bytes',
        lower_is_better: true,
        reference: 'v8-js',
        rows: js.bytes,
      },
      {
        id: 'memory.js.heap',
        title: "JS heap per idle sandbox (the host isolate's), JavaScript guest",
        unit: 'bytes',
        lower_is_better: true,
        rows: js.heap,
      },
      {
        id: 'memory.js.per_gib',
        title: 'sandboxes per GiB, JavaScript guest',
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
        setup: `as in the call groups; ${count(id, quick)} sandboxes per child process, each called once${
          id === 'keel'
            ? "; kept: the Sandbox and sandbox.fn('add')"
            : id === 'plain' || id.startsWith('jco')
              ? '; kept: the exports object'
              : ''
        }`,
      })),
      measures,
      notes: [
        `One child process per subject and run (${runs} run${runs > 1 ? 's' : ''}, median), node --expose-gc: N sandboxes spawned in six steps after a first sixth that is not read, each called once and all kept (a WebAssembly subject's as its user keeps it: plain V8 and jco's glue the exports object, Keel the Sandbox and the function called); memoryUsage() after full collections at each step; the cost per sandbox is the Theil-Sen slope of those readings over the count. Nx = median RSS / the reference subject's (same run). External bytes are in the JSON.`,
        "A wasm sandbox's linear memory is reserved, and resident only where touched: the small component touches almost none of its 64 KiB page, so its RSS per sandbox is a few KiB and near this method's resolution (compare the min and max in the JSON); the componentize-js guest starts with its initialized engine heap. isolated-vm's isolates and QuickJS's wasm heap are outside the host's JS heap: RSS is the figure that compares them all.",
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
