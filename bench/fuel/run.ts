/**
 * What a unit of fuel costs in host time, by kind of work: compute (the compute bench's kernels,
 * and the slowest compute there is, a pointer chase through 64 MiB), bulk memory and table
 * operations, grows, host calls through the kernel (stdout, random bytes, clocks, files, resource
 * methods, functions taking strings,
 * keel:kernel log, ipc and events, a publication's fan-out to its subscribers), outgoing HTTP
 * requests (to a server on 127.0.0.1 in a child process), and what slices of fuel cost and buy (docs/fuel.md). The
 * prices are right when every kind costs about as much per unit as compute: docs/fuel.md
 * publishes the table from this bench, and the target is the worst kind within 10x of compute.
 *
 *     npm run build && node dist/bench/fuel/run.js [--quick] [--no-write] [--tag T] [--only memory,host,abi,http,slices]
 *
 * Method: each kind runs a guest that repeats one operation (or a compute kernel) in a loop
 * under Keel's metering with all the fuel there is, and reads the fuel the run used
 * (`MeterRuntime.used()` or the invocation's `fuel.used`) and its wall time. Each sample is
 * one such run after a warm-up; the figure is the median of the samples' ns per unit of fuel,
 * with their minimum. CPU time (the process's user and system time, so the kernel's syscalls
 * count), not wall time: on a shared machine wall time mostly measures the other processes
 * (a random_get of 16 bytes took 36-130 µs of wall time and 6-16 µs of CPU at load 16).
 * Results go to bench/results/fuel-<date>[-quick].{json,md}.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOST_COSTS } from '../../host/caps/provider.js';
import { Kernel, type Limits, type Sandbox } from '../../host/index.js';
import { DEFAULT_COSTS } from '../../host/meter/costs.js';
import { createMeterRuntime, type MeterRuntime, meterModule } from '../../host/meter/index.js';
import { WAT_ALL_FEATURES, wat } from '../../scripts/lib/wat.js';
import type { KernelSpec } from '../compute/run.js';
import { machine } from '../lib/measure.js';
import { ROOT, repoPath } from '../lib/paths.js';
import {
  ABI_PARAMS,
  abiComponent,
  childServer,
  command,
  GROW_WAT,
  httpComponent,
  keelComponent,
  randomCommand,
  randomComponent,
  streamsComponent,
  subscriberComponent,
  wasiGrants,
} from './guests.js';
import { type KindResult, kindsTable, type Report, type SliceCost, type SliceResult } from './table.js';

const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 3 : 7;
const TAG = (() => {
  const i = process.argv.indexOf('--tag');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set(process.argv[i + 1]!.split(',')) : undefined;
})();

/** One measurement: a run of `ops` operations that used `fuel` in `ns`. */
interface Sample {
  ns: number;
  fuel: number;
  ops: number;
}

const ALL_FUEL: Partial<Limits> = {
  fuel: Number.MAX_SAFE_INTEGER,
  fuelTotal: Number.MAX_SAFE_INTEGER,
  deadlineMs: 3_600_000,
  outputBytes: Number.MAX_SAFE_INTEGER,
  // Sends are accepted (a sample queues them all; nothing drains the mailbox while it runs).
  mailboxLength: 1_000_000,
  mailboxSenderPercent: 100,
};

/** ipc sends queue their bodies until the peer ends: a shorter sample keeps that in bounds. */
const IPC_SAMPLE_NS = (QUICK ? 20 : 30) * 1e6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** A kind of work to measure: `sample` runs it once (enough of it for one sample). */
interface KindSpec {
  group: string;
  name: string;
  what: string;
  sample: () => Sample | Promise<Sample>;
}

function kind(group: string, name: string, what: string, sample: KindSpec['sample']): KindSpec {
  return { group, name, what, sample };
}

/**
 * Measure every kind, interleaved: a warm-up of each (compile, tier up, fill caches), then
 * SAMPLES rounds that take one sample of each kind in turn, so that a burst of load on the
 * machine falls on all kinds alike rather than on the few measured while it lasted. A kind's
 * figure is the median of its samples' ns per unit of fuel.
 */
async function measure(specs: KindSpec[]): Promise<KindResult[]> {
  for (const spec of specs) await spec.sample();
  const samples: Sample[][] = specs.map(() => []);
  for (let round = 0; round < SAMPLES; round++) {
    for (let i = 0; i < specs.length; i++) samples[i]!.push(await specs[i]!.sample());
    console.log(`  round ${round + 1}/${SAMPLES} (load ${loadavg()[0]!.toFixed(1)})`);
  }
  return specs.map((spec, i) => {
    const mine = samples[i]!;
    const perFuel = mine.map((s) => s.ns / s.fuel);
    const fuel = mine.reduce((sum, s) => sum + s.fuel, 0);
    const ops = mine.reduce((sum, s) => sum + s.ops, 0);
    const result: KindResult = {
      group: spec.group,
      name: spec.name,
      what: spec.what,
      nsPerFuel: median(perFuel),
      nsPerFuelMin: Math.min(...perFuel),
      fuelPerOp: fuel / ops,
      nsPerOp: median(mine.map((s) => s.ns / s.ops)),
    };
    console.log(
      `  ${spec.name.padEnd(34)} ${result.nsPerFuel.toFixed(3).padStart(9)} ns/fuel (min ${result.nsPerFuelMin.toFixed(3)}), ${result.fuelPerOp.toFixed(1)} fuel and ${result.nsPerOp.toFixed(0)} ns per op`,
    );
    return result;
  });
}

/**
 * CPU time is counted in scheduler ticks here (getrusage: steps of 1 to 4 ms on this machine's
 * kernel), so a sample repeats its run until it has taken at least this much CPU.
 */
const MIN_SAMPLE_NS = (QUICK ? 40 : 100) * 1e6;

/** Repeat `once` until it has used `min` ns of CPU; its fuel, ops and CPU ns added up. */
function cpuSample(once: () => { fuel: number; ops: number }, min = MIN_SAMPLE_NS): Sample {
  let fuel = 0;
  let ops = 0;
  let ns = 0;
  const start = process.cpuUsage();
  do {
    const r = once();
    fuel += r.fuel;
    ops += r.ops;
    const spent = process.cpuUsage(start);
    ns = (spent.user + spent.system) * 1000;
  } while (ns < min);
  return { ns, fuel, ops };
}

function timed(meter: MeterRuntime, ops: number, run: () => unknown): Sample {
  return cpuSample(() => {
    const fuel = meter.used();
    run();
    return { fuel: meter.used() - fuel, ops };
  });
}

function metered(bytes: Uint8Array, imports: WebAssembly.Imports = {}, sliceFuel?: number) {
  const meter = createMeterRuntime({
    fuel: Number.MAX_SAFE_INTEGER,
    memoryBytes: 2 ** 32,
    tableElements: 10_000_000,
    ...(sliceFuel ? { sliceFuel } : {}),
  });
  const module = new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { ...imports, keel: meter.imports.keel });
  return { meter, exports: instance.exports as Record<string, (...args: number[]) => number> };
}

// -------------------------------------------------------------------------------------------
// Compute

async function computeKinds(): Promise<KindSpec[]> {
  const specs = (
    JSON.parse(readFileSync(repoPath('bench/compute/kernels.json'), 'utf8')) as { kernels: KernelSpec[] }
  ).kernels;
  const results: KindSpec[] = [];
  for (const spec of specs) {
    for (const lang of ['c', 'as']) {
      const bytes = new Uint8Array(readFileSync(repoPath(`bench/compute/wasm/${lang}-${spec.name}.wasm`)));
      const { meter, exports } = metered(bytes, { env: { abort: () => {} } });
      const n = spec.quickN;
      results.push(
        kind('compute', `${lang}-${spec.name}`, spec.what, () => timed(meter, 1, () => exports.run!(n))),
      );
    }
  }
  const chase = await wat(CHASE_WAT, 'chase.wat');
  const { meter, exports } = metered(chase);
  exports.setup!(CHASE_SLOTS);
  results.push(
    kind(
      'compute-slowest',
      'pointer-chase-64MiB',
      'dependent loads at random over 64 MiB (cache and TLB misses)',
      () => timed(meter, 1, () => exports.chase!(QUICK ? 200_000 : 1_000_000)),
    ),
  );
  return results;
}

/** 16 M slots of 4 bytes (64 MiB): a random cycle (Sattolo), then `chase` follows it. */
const CHASE_SLOTS = 16 * 1024 * 1024;
const CHASE_WAT = `(module
  (memory 1025)
  (func (export "setup") (param $n i32) (local $i i32) (local $j i32) (local $x i32) (local $seed i32)
    (local.set $seed (i32.const 12345))
    (loop $fill (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.sub (local.get $n) (i32.const 1)))
    (loop $shuffle
      (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1103515245)) (i32.const 12345)))
      (local.set $j (i32.rem_u (i32.shr_u (local.get $seed) (i32.const 4)) (local.get $i)))
      (local.set $x (i32.load (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.load (i32.shl (local.get $j) (i32.const 2))))
      (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $x))
      (br_if $shuffle (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
  (func (export "chase") (param $n i32) (result i32) (local $p i32)
    (loop $l
      (local.set $p (i32.load (i32.shl (local.get $p) (i32.const 2))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $p)))`;

// -------------------------------------------------------------------------------------------
// Memory and tables

const MEMORY_WAT = `(module
  (memory (export "memory") 1024)
  (table $t 100000 funcref)
  (elem $e func ${Array.from({ length: 64 }, () => '$f').join(' ')})
  (func $f)
  (data $d "${'\\2a'.repeat(65536)}")
  (func (export "fill") (param $n i32) (param $len i32)
    (loop $l (memory.fill (i32.const 0) (local.get $n) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "copy") (param $n i32) (param $len i32)
    (loop $l (memory.copy (i32.const 0) (local.get $len) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "init") (param $n i32) (param $len i32)
    (loop $l (memory.init $d (i32.const 0) (i32.const 0) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-fill") (param $n i32) (param $len i32)
    (loop $l (table.fill $t (i32.const 0) (ref.func $f) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-copy") (param $n i32) (param $len i32)
    (loop $l (table.copy $t $t (i32.const 0) (local.get $len) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-init") (param $n i32) (param $len i32)
    (loop $l (table.init $t $e (i32.const 0) (i32.const 0) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "grow0") (param $n i32) (param $len i32)
    (loop $l (drop (memory.grow (i32.const 0)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-grow0") (param $n i32) (param $len i32)
    (loop $l (drop (table.grow $t (ref.null func) (i32.const 0)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-set") (param $n i32) (param $len i32)
    (loop $l (table.set $t (i32.and (local.get $n) (i32.const 1023)) (ref.func $f))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "table-get") (param $n i32) (param $len i32)
    (loop $l (drop (table.get $t (i32.and (local.get $n) (i32.const 1023))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "data-drop") (param $n i32) (param $len i32)
    (loop $l (data.drop $d)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "elem-drop") (param $n i32) (param $len i32)
    (loop $l (elem.drop $e)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "ref-func") (param $n i32) (param $len i32)
    (loop $l (drop (ref.func $f))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;

/** Exceptions (legacy, as Node 20 has them): `throw` caught by the `try` around it, in a loop. */
const THROW_WAT = `(module
  (tag $x (param i32))
  (func (export "throw") (param $n i32) (param $len i32)
    (loop $l
      (try (do (throw $x (local.get $n))) (catch $x (drop)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "rethrow") (param $n i32) (param $len i32)
    (loop $l
      (try (do (try (do (throw $x (local.get $n))) (catch_all (rethrow 0)))) (catch $x (drop)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;

async function memoryKinds(): Promise<KindSpec[]> {
  const bytes = await wat(MEMORY_WAT, 'memory.wat');
  const { meter, exports } = metered(bytes);
  const results: KindSpec[] = [];
  // [export, kind, length (bytes or elements), operations per run]
  const bulk: [string, string, number, number][] = [
    ['fill', 'memory.fill', 16 << 20, 8],
    ['fill', 'memory.fill', 1 << 20, 64],
    ['fill', 'memory.fill', 64, 1 << 16],
    ['fill', 'memory.fill', 0, 1 << 16],
    ['copy', 'memory.copy', 16 << 20, 8],
    ['copy', 'memory.copy', 1 << 20, 64],
    ['copy', 'memory.copy', 64, 1 << 16],
    ['copy', 'memory.copy', 0, 1 << 16],
    ['init', 'memory.init', 1 << 16, 256],
    ['init', 'memory.init', 0, 1 << 16],
    ['table-fill', 'table.fill', 10_000, 64],
    ['table-fill', 'table.fill', 0, 1 << 16],
    ['table-copy', 'table.copy', 10_000, 64],
    ['table-copy', 'table.copy', 0, 1 << 16],
    ['table-init', 'table.init', 64, 4096],
    ['table-set', 'table.set', 1, 1 << 16],
    ['table-get', 'table.get', 1, 1 << 16],
    ['data-drop', 'data.drop', 0, 1 << 16],
    ['elem-drop', 'elem.drop', 0, 1 << 16],
    ['ref-func', 'ref.func', 0, 1 << 16],
    ['grow0', 'memory.grow', 0, 1 << 14],
    ['table-grow0', 'table.grow', 0, 1 << 14],
  ];
  for (const [op, name, len, n] of bulk) {
    const count = QUICK ? Math.max(1, n >> 2) : n;
    const unit = op.startsWith('table') ? 'elements' : op.startsWith('grow') ? 'pages' : 'bytes';
    // A dropped segment stays dropped: the drops run in an instance of their own.
    const own = op.endsWith('-drop') ? metered(bytes) : { meter, exports };
    results.push(
      kind('memory', `${name} ${len}`, `${name} of ${len} ${unit}, repeated`, () =>
        timed(own.meter, count, () => own.exports[op]!(count, len)),
      ),
    );
  }
  const thrower = metered(await wat(THROW_WAT, 'throw.wat', WAT_ALL_FEATURES));
  const throws = QUICK ? 1024 : 4096;
  results.push(
    kind('memory', 'throw and catch', 'throw of an exception caught by the try around it, repeated', () =>
      timed(thrower.meter, throws, () => thrower.exports.throw!(throws, 0)),
    ),
    kind('memory', 'throw, rethrow and catch', 'throw, caught and rethrown, caught again, repeated', () =>
      timed(thrower.meter, throws, () => thrower.exports.rethrow!(throws, 0)),
    ),
  );
  const module = new WebAssembly.Module(
    meterModule(await wat(GROW_WAT, 'grow.wat')) as Uint8Array<ArrayBuffer>,
  );
  const fresh = () => {
    const m = createMeterRuntime({
      fuel: Number.MAX_SAFE_INTEGER,
      memoryBytes: 2 ** 32,
      tableElements: 10_000_000,
    });
    const e = new WebAssembly.Instance(module, { keel: m.imports.keel }).exports as Record<
      string,
      (n: number, by: number) => number
    >;
    return { m, e };
  };
  const grows: [string, string, string, number, number][] = [
    ['grow', 'memory.grow 1 page', 'memory.grow by 1 page, 512 times in a fresh instance', 512, 1],
    [
      'grow-touch',
      'memory.grow 1 page, touched',
      'memory.grow by 1 page, then a store to each 4 KiB of it, 512 times in a fresh instance',
      512,
      1,
    ],
    ['table-grow', 'table.grow 1', 'table.grow by 1 element, 10,000 times in a fresh instance', 10_000, 1],
    ['table-grow', 'table.grow 1000', 'table.grow by 1,000 elements, 10 times in a fresh instance', 10, 1000],
  ];
  for (const [op, name, what, n, by] of grows) {
    results.push(
      kind('memory', name, what, () =>
        cpuSample(() => {
          const { m, e } = fresh();
          e[op]!(n, by);
          return { fuel: m.used(), ops: n };
        }),
      ),
    );
  }
  return results;
}

// -------------------------------------------------------------------------------------------
// Host calls: WASI through the preview1 adapter, keel:kernel through a component

/**
 * Random bytes beyond preview1's small requests: the largest request the default limits allow
 * (64 MiB), deterministic mode's seeded generator (`seeded`: a deterministic kernel), and WASI
 * 0.2's `get-random-bytes` / `get-insecure-random-bytes` (a list the canonical ABI lowers).
 */
async function randomKinds(kernel: Kernel, seeded: Kernel, scale: number): Promise<KindSpec[]> {
  const component = await randomComponent();
  // [kind, seeded, preview1 (-1) or the component's op, length, operations per run, what]
  const kinds: [string, boolean, number, number, number, string][] = [
    [
      'random 64 MiB',
      false,
      -1,
      64 << 20,
      4,
      'random_get of 64 MiB (the largest request the default limits allow)',
    ],
    ['random 4 KiB, seeded', true, -1, 4096, 2_000, 'random_get of 4 KiB in deterministic mode'],
    ['random 64 KiB, seeded', true, -1, 65536, 1_000, 'random_get of 64 KiB in deterministic mode'],
    ['random 64 MiB, seeded', true, -1, 64 << 20, 4, 'random_get of 64 MiB in deterministic mode'],
    [
      'get-random-bytes 4 KiB + 1',
      false,
      0,
      4097,
      2_000,
      'wasi:random get-random-bytes of 4 KiB + 1 (a list)',
    ],
    ['get-random-bytes 64 KiB', false, 0, 65536, 1_000, 'wasi:random get-random-bytes of 64 KiB'],
    ['get-random-bytes 64 MiB', false, 0, 64 << 20, 4, 'wasi:random get-random-bytes of 64 MiB'],
    [
      'get-random-bytes 64 KiB, seeded',
      true,
      0,
      65536,
      1_000,
      'get-random-bytes of 64 KiB, deterministic mode',
    ],
    [
      'get-random-bytes 64 MiB, seeded',
      true,
      0,
      64 << 20,
      4,
      'get-random-bytes of 64 MiB, deterministic mode',
    ],
    [
      'get-insecure-random-bytes 64 KiB, seeded',
      true,
      1,
      65536,
      1_000,
      'wasi:random/insecure get-insecure-random-bytes of 64 KiB, deterministic mode',
    ],
  ];
  const results: KindSpec[] = [];
  for (const [name, isSeeded, op, len, count, what] of kinds) {
    const k = isSeeded ? seeded : kernel;
    const n = Math.max(1, Math.floor(count / scale));
    const module =
      op < 0
        ? await k.load(await wat(randomCommand(n, len), 'random.wat'), { name: 'random' })
        : await k.load(component, { name: 'random-component' });
    results.push(
      kind('host', name, what, async () => {
        const sandbox = await k.spawn(module, {
          grants: ['wasi:cli/*', 'wasi:clocks/*', 'wasi:random/*'],
          denial: 'call',
        });
        const sample = cpuSample(() => ({
          fuel: (op < 0 ? sandbox.invokeSync('wasi:cli/run#run') : sandbox.invokeSync('run', [op, n, len]))
            .fuel.used,
          ops: n,
        }));
        sandbox.terminate('bench');
        return sample;
      }),
    );
  }
  return results;
}

async function hostKinds(kernel: Kernel, seeded: Kernel, dir: string): Promise<KindSpec[]> {
  const results: KindSpec[] = [];
  const scale = QUICK ? 4 : 1;
  writeFileSync(join(dir, 'f.bin'), Buffer.alloc(65536, 7));
  // [op, kind, length, operations per run, what; granted: false for a lazily denied call]
  const wasi: [string, string, number, number, string, boolean?][] = [
    ['stdout', 'stdout write 16 B', 16, 20_000, 'write 16 bytes to stdout'],
    ['stdout', 'stdout write 64 KiB', 65536, 1_000, 'write 64 KiB to stdout'],
    ['stdout', 'stdout write 0 B', 0, 20_000, 'write an empty buffer to stdout'],
    ['no-iovecs', 'stdout write, no iovecs', 0, 20_000, 'fd_write to stdout with no iovecs'],
    ['bad-fd', 'fd_write, bad fd (EBADF)', 16, 20_000, 'fd_write to a descriptor that is not open: an error'],
    ['random', 'random 16 B', 16, 20_000, 'get 16 random bytes'],
    ['random', 'random 64 KiB', 65536, 1_000, 'get 64 KiB of random bytes'],
    ['random', 'random 0 B', 0, 20_000, 'get no random bytes'],
    [
      'random',
      'random 4 KiB',
      4096,
      2_000,
      'get 4 KiB of random bytes (the largest request drawn from the pool)',
    ],
    [
      'random',
      'random 4 KiB + 1',
      4097,
      2_000,
      'get 4 KiB + 1 of random bytes (the smallest request not pooled)',
    ],
    ['random', 'random, denied', 16, 20_000, 'random_get without the grant (lazily denied: an error)', false],
    ['clock', 'clock now', 0, 50_000, 'read the monotonic clock'],
    ['yield', 'sched_yield', 0, 50_000, 'sched_yield: the call that does least'],
    ['poll-none', 'poll_oneoff, 0 subscriptions', 0, 50_000, 'poll_oneoff with no subscriptions (EINVAL)'],
    ['file-write', 'file write 64 KiB', 65536, 1_000, 'seek, then write 64 KiB to a host file'],
    ['file-read', 'file read 64 KiB', 65536, 1_000, 'seek, then read 64 KiB of a host file'],
    ['file-write', 'file write 16 B', 16, 10_000, 'seek, then write 16 bytes to a host file'],
    ['file-read', 'file read 16 B', 16, 10_000, 'seek, then read 16 bytes of a host file'],
    ['file-write', 'file write 0 B', 0, 10_000, 'seek, then write nothing to a host file'],
    ['file-open', 'file open and close', 0, 5_000, 'path_open of a host file, then fd_close'],
    ['file-missing', 'file open, missing (ENOENT)', 0, 5_000, 'path_open of a file that does not exist'],
  ];
  for (const [op, name, len, count, what, granted] of wasi) {
    const n = Math.max(1, Math.floor(count / scale));
    const module = await kernel.load(await wat(command(op, n, len), `${op}.wat`), { name: op });
    results.push(
      kind('host', name, what, async () => {
        const sandbox = await kernel.spawn(module, {
          grants: wasiGrants(dir, granted !== false),
          denial: 'call',
          io: { stdout: () => {} },
        });
        const sample = cpuSample(() => ({
          fuel: sandbox.invokeSync('wasi:cli/run#run').fuel.used,
          ops: n,
        }));
        sandbox.terminate('bench');
        return sample;
      }),
    );
  }
  const streams = await kernel.load(await streamsComponent(), { name: 'streams-bench' });
  const streamOps: [number, string, number, number, string][] = [
    [0, 'resource call, no data', 0, 50_000, 'pollable.ready: a resource method, nothing passed'],
    [
      1,
      'resource call, 16 B list',
      16,
      20_000,
      'output-stream.write of 16 bytes to stdout (a resource method)',
    ],
    [
      1,
      'resource call, 64 KiB list',
      65536,
      1_000,
      'output-stream.write of 64 KiB to stdout (a resource method)',
    ],
    [
      1,
      'resource call, empty list',
      0,
      20_000,
      'output-stream.write of no bytes to stdout (a resource method)',
    ],
    [2, 'function call, 16 B string', 16, 20_000, 'keel:kernel/log of a 16-byte string (nobody listening)'],
    [
      2,
      'function call, 64 KiB string',
      65536,
      1_000,
      'keel:kernel/log of a 64 KiB string (nobody listening)',
    ],
    [2, 'function call, empty string', 0, 20_000, 'keel:kernel/log of an empty string (nobody listening)'],
  ];
  for (const [op, name, len, count, what] of streamOps) {
    const n = Math.max(1, Math.floor(count / scale));
    results.push(
      kind('host', name, what, async () => {
        const sandbox = await kernel.spawn(streams, {
          grants: ['wasi:cli/stdout', 'keel:kernel/log'],
          io: { stdout: () => {} },
        });
        const sample = cpuSample(() => ({
          fuel: sandbox.invokeSync('run', [op, n, len]).fuel.used,
          ops: n,
        }));
        sandbox.terminate('bench');
        return sample;
      }),
    );
  }
  results.push(...(await randomKinds(kernel, seeded, scale)));
  const keel = await kernel.load(await keelComponent(), { name: 'keel-bench' });
  const spawn = (limits: Partial<Limits> = {}): Promise<Sandbox> =>
    kernel.spawn(keel, {
      limits,
      grants: [
        'keel:kernel/log',
        { interface: 'keel:kernel/ipc', scope: { peers: ['*'] } },
        { interface: 'keel:kernel/events', scope: { publish: ['bench.*', 'bench.**'] } },
      ],
    });
  // [op, kind, size, operations per run, what; to: the peer ('full': one whose mailbox is full,
  // none: a name no sandbox has)]
  const keelOps: [number, string, number, number, string, string?][] = [
    [0, 'log 64 B', 64, 20_000, 'keel:kernel/log, a 64-byte message (nobody listening)'],
    [0, 'log 4 KiB', 4096, 2_000, 'keel:kernel/log, a 4 KiB message (nobody listening)'],
    [1, 'ipc send 64 B', 64, 500, 'keel:kernel/ipc send of 64 bytes to a peer (queued)'],
    [1, 'ipc send 16 KiB', 16384, 100, 'keel:kernel/ipc send of 16 KiB to a peer (queued)'],
    [1, 'ipc send 0 B', 0, 500, 'keel:kernel/ipc send of an empty message to a peer (queued)'],
    [
      1,
      'ipc send, mailbox full',
      64,
      2_000,
      'keel:kernel/ipc send to a peer whose mailbox is full: an error',
      'full',
    ],
    [
      1,
      'ipc send, no such peer',
      64,
      2_000,
      'keel:kernel/ipc send to a peer that does not exist: an error',
      'nobody',
    ],
    [2, 'events publish 64 B', 64, 20_000, 'keel:kernel/events publish of 64 bytes, no subscriber'],
    [2, 'events publish 0 B', 0, 20_000, 'keel:kernel/events publish of an empty message, no subscriber'],
  ];
  for (const [op, name, size, count, what, to] of keelOps) {
    const n = Math.max(1, Math.floor(count / scale));
    results.push(
      kind('host', name, what, async () => {
        const sender = await spawn();
        const peer = await spawn(to === 'full' ? { mailboxLength: 1 } : {});
        const target = to === undefined || to === 'full' ? peer.id : to;
        const sample = cpuSample(
          () => ({ fuel: sender.invokeSync('run', [op, n, size, target]).fuel.used, ops: n }),
          op === 1 ? IPC_SAMPLE_NS : MIN_SAMPLE_NS,
        );
        sender.terminate('bench');
        peer.terminate('bench');
        return sample;
      }),
    );
  }
  results.push(...(await fanoutKinds(kernel, spawn)));
  return results;
}

/**
 * A publication's fan-out: a guest publishing to a topic that N sandboxes subscribe to (the
 * least a subscriber can be: its handler does nothing), each sample timing the publications
 * and then their deliveries (the scheduler run to idle): what the host does per recipient.
 * Also a publication matched against subscriptions that do not match it. The subscribers are
 * spawned, and given their first delivery, before each sample, untimed, and ended after it.
 */
async function fanoutKinds(kernel: Kernel, spawn: (limits?: Partial<Limits>) => Promise<Sandbox>) {
  const subscriber = await kernel.load(await subscriberComponent(), { name: 'subscriber-bench' });
  // [kind, subscribers, body bytes, patterns per subscriber (none matching), what; long: the
  // patterns are 80 `**` segments and the topic 126 segments, the dearest match there is]
  const fanouts: [string, number, number, number, string, boolean?][] = [
    ['events publish 0 B to 1 subscriber', 1, 0, 0, 'an empty event to 1 subscriber, delivered'],
    ['events publish 0 B to 100 subscribers', 100, 0, 0, 'an empty event to 100 subscribers, delivered'],
    ['events publish 0 B to 1000 subscribers', 1000, 0, 0, 'an empty event to 1,000 subscribers, delivered'],
    [
      'events publish 16 KiB to 100 subscribers',
      100,
      16384,
      0,
      'a 16 KiB event to 100 subscribers, delivered',
    ],
    [
      'events publish, 1000 subscriptions unmatched',
      4,
      0,
      250,
      'an empty event matched against 4 subscribers of 250 patterns each, none matching',
    ],
    [
      'events publish, 1000 long ** subscriptions unmatched',
      4,
      0,
      250,
      'an empty event on a 126-segment topic matched against 4 subscribers of 250 patterns of 80 ** segments, none matching',
      true,
    ],
  ];
  const longTopic = `bench${'.a'.repeat(125)}`;
  const bomb = Array(80).fill('**').join('.');
  return fanouts.map(([name, count, size, patterns, what, long]) =>
    kind('host', name, what, async () => {
      const subscribers: Sandbox[] = [];
      for (let i = 0; i < count; i++) {
        const sandbox = await kernel.spawn(subscriber, {});
        if (patterns === 0) kernel.sched.subscribe(sandbox, 'bench.*');
        for (let p = 0; p < patterns; p++) {
          kernel.sched.subscribe(sandbox, long ? `p${p}.${bomb}` : `other.t${p}`);
        }
        subscribers.push(sandbox);
      }
      const [op, topic] = long ? [3, longTopic] : [2, ''];
      const sender = await spawn();
      // A subscriber's first delivery is its handler's first call (some hundred µs: the
      // export's first use), once in its life: made before the timing, with the spawns.
      sender.invokeSync('run', [op, 1, size, topic]);
      await kernel.sched.run();
      // About 4,000 deliveries between two runs of the scheduler.
      const n = Math.max(1, Math.floor(4000 / (patterns > 0 ? 4000 : count)));
      let fuel = 0;
      let ops = 0;
      let ns = 0;
      const start = process.cpuUsage();
      do {
        fuel += sender.invokeSync('run', [op, n, size, topic]).fuel.used;
        ops += n;
        await kernel.sched.run();
        const spent = process.cpuUsage(start);
        ns = (spent.user + spent.system) * 1000;
      } while (ns < MIN_SAMPLE_NS);
      sender.terminate('bench');
      for (const sandbox of subscribers) sandbox.terminate('bench');
      return { ns, fuel, ops };
    }),
  );
}

// -------------------------------------------------------------------------------------------
// Outgoing HTTP

/**
 * A guest's GETs through `wasi:http` to a server on 127.0.0.1 in a child process (its CPU is
 * not counted): each request whole (the future waited for, the body read to its end, the
 * handles dropped). This process's CPU time counts the kernel's thread and the network thread
 * the provider hands each request to.
 */
async function httpKinds(kernel: Kernel, port: number): Promise<KindSpec[]> {
  const module = await kernel.load(await httpComponent(), { name: 'http-bench' });
  const scale = QUICK ? 2 : 1;
  // [kind, response bytes, requests per run]
  const gets: [string, number, number][] = [
    ['http GET, 2 B response', 2, 20],
    ['http GET, 64 KiB response', 65536, 10],
    ['http GET, 1 MiB response', 1 << 20, 2],
  ];
  return gets.map(([name, bytes, count]) => {
    const n = Math.max(1, Math.floor(count / scale));
    return kind('host', name, `GET of ${bytes} bytes from 127.0.0.1, read to the end`, async () => {
      const sandbox = await kernel.spawn(module, {
        grants: [
          {
            interface: 'wasi:http/outgoing-handler',
            scope: { allow: [`http://127.0.0.1:${port}`], maxRequests: 10_000, maxResponseBytes: 2 << 20 },
          },
        ],
      });
      const sample = cpuSample(() => ({
        fuel: sandbox.invokeSync('get', [`127.0.0.1:${port}`, `/bytes?n=${bytes}`, n]).fuel.used,
        ops: n,
      }));
      sandbox.terminate('bench');
      return sample;
    });
  });
}

// -------------------------------------------------------------------------------------------
// Slices

/**
 * What a refill costs: a loop that checks at every turn (an `if` in its body keeps it from being
 * a counted loop), timed in CPU time with slices of 1,024 fuel and in one slice; the difference
 * over the number of refills. The table then follows for each slice size: its share of that
 * loop's time, and how long a slice lasts at typical and at the slowest speed.
 */
async function slices(compute: KindResult[]): Promise<{ cost: SliceCost; sizes: SliceResult[] }> {
  console.log('slices');
  const typical = median(compute.filter((k) => k.group === 'compute').map((k) => k.nsPerFuel));
  const worst = compute.find((k) => k.group === 'compute-slowest')!.nsPerFuel;
  const bytes = await wat(
    `(module (func (export "run") (param $n i32) (result i32) (local $a i32)
      (loop $l
        (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 31)) (local.get $n)))
        (if (i32.eqz (local.get $a)) (then (local.set $a (i32.const 1))))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $a)))`,
    'tight.wat',
  );
  const turns = QUICK ? 5_000_000 : 20_000_000;
  const time = (sliceFuel: number) => {
    let refills = 0;
    const meter = createMeterRuntime(
      { fuel: Number.MAX_SAFE_INTEGER, memoryBytes: 65536, tableElements: 1, sliceFuel },
      {
        onSlice: () => {
          // What the kernel does at every slice: read the clock.
          if (performance.now() >= 0) refills++;
        },
      },
    );
    const module = new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>);
    const run = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports.run as (
      n: number,
    ) => number;
    run(1_000_000);
    const samples: number[] = [];
    let fuel = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const used = meter.used();
      const cpu = process.cpuUsage();
      run(turns);
      const spent = process.cpuUsage(cpu);
      samples.push((spent.user + spent.system) * 1000);
      fuel = meter.used() - used;
    }
    return { ns: median(samples), fuel, refills };
  };
  const whole = time(Number.MAX_SAFE_INTEGER);
  const small = time(1024);
  const refillNs = (small.ns - whole.ns) / (small.fuel / 1024);
  const cost = { refillNs, loopNsPerFuel: whole.ns / whole.fuel };
  console.log(`  a refill: ${refillNs.toFixed(0)} ns; the loop: ${cost.loopNsPerFuel.toFixed(3)} ns/fuel`);
  const sizes: SliceResult[] = [];
  for (const sliceFuel of [16_384, 65_536, 131_072, 262_144, 1_048_576, 4_194_304]) {
    const result = {
      sliceFuel,
      overhead: refillNs / (sliceFuel * cost.loopNsPerFuel),
      typicalSliceMs: (sliceFuel * typical) / 1e6,
      worstSliceMs: (sliceFuel * worst) / 1e6,
    };
    console.log(
      `  slice ${String(sliceFuel).padStart(9)}: refills ${(result.overhead * 100).toFixed(2)} % of the tight loop; a slice lasts ${result.typicalSliceMs.toFixed(3)} ms (typical), ${result.worstSliceMs.toFixed(2)} ms (slowest)`,
    );
    sizes.push(result);
  }
  return { cost, sizes };
}

// -------------------------------------------------------------------------------------------

/**
 * The canonical ABI's priced work (docs/fuel.md's charge table): the resource built-ins
 * (`HANDLE_BUILTIN_BYTES`, `HANDLE_REP_BYTES`) and values lifted for a host function
 * (`VALUE_LIFT_BYTES`, `HANDLE_LIFT_BYTES`), in a kernel of its own (a provider of host
 * resources). Measured with `--only abi` too.
 */
async function abiKinds(): Promise<{ kinds: KindSpec[]; kernel: Kernel }> {
  const { component, provider } = await abiComponent();
  const kernel = new Kernel({ limits: ALL_FUEL, providers: [provider] });
  const module = await kernel.load(component, { name: 'abi-bench' });
  const scale = QUICK ? 4 : 1;
  const LIST = 5_000;
  // [op, kind, operations per run, list length, what]
  const ops: [number, string, number, number, string][] = [
    [
      0,
      'resource.new and drop',
      20_000,
      0,
      'resource.new then resource.drop of a resource the guest defines',
    ],
    [1, 'resource.rep', 50_000, 0, 'resource.rep of a resource the guest defines'],
    [2, 'list<enum> 5,000', 20, LIST, 'a host function given a list of 5,000 enum cases'],
    [
      3,
      'list<borrow> 5,000',
      20,
      LIST,
      "a host function given a list of 5,000 borrows of a provider's resource",
    ],
    [
      4,
      `${ABI_PARAMS} borrow parameters`,
      5_000,
      0,
      `a host function given ${ABI_PARAMS} borrows as its parameters`,
    ],
  ];
  const kinds = ops.map(([op, name, count, len, what]) =>
    kind('host', name, what, async () => {
      const sandbox = await kernel.spawn(module, { grants: ['keel:fuel-bench/things'] });
      sandbox.invokeSync('make', [LIST]);
      const n = Math.max(1, Math.floor(count / scale));
      const sample = cpuSample(() => ({ fuel: sandbox.invokeSync('run', [op, n, len]).fuel.used, ops: n }));
      sandbox.terminate('bench');
      return sample;
    }),
  );
  return { kinds, kernel };
}

function markdown(r: Report): string {
  const lines = [
    `# Fuel prices, ${r.date}`,
    '',
    `- Command: \`${r.command}\``,
    `- Machine: ${r.machine.cpu} (${r.machine.cores} CPUs, ${r.machine.memory_gib} GiB), ${r.machine.os}; load average ${r.loadBefore.join(', ')} at the start, ${r.machine.load.join(', ')} at the end`,
    `- Node ${r.machine.node} (V8 ${r.machine.v8})`,
    `- Compute reference: ${r.computeNsPerFuel.toFixed(3)} ns per unit of fuel (median of the compute kernels)`,
    '',
    kindsTable(r),
    '',
  ];
  if (r.sliceCost) {
    lines.push(
      `A refill costs ${r.sliceCost.refillNs.toFixed(0)} ns (measured on a loop that checks at every turn, ${r.sliceCost.loopNsPerFuel.toFixed(3)} ns per unit of fuel).`,
      '',
      '| slice (fuel) | refills, share of that loop | a slice of typical compute | a slice of the slowest compute |',
      '| ---: | ---: | ---: | ---: |',
      ...r.slices.map(
        (s) =>
          `| ${s.sliceFuel} | ${(s.overhead * 100).toFixed(2)} % | ${s.typicalSliceMs.toFixed(3)} ms | ${s.worstSliceMs.toFixed(2)} ms |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const want = (group: string) => !ONLY || ONLY.has(group);
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const dir = mkdtempSync(join(tmpdir(), 'keel-fuel-bench-'));
  const kernel = new Kernel({ limits: ALL_FUEL });
  const seeded = new Kernel({ limits: ALL_FUEL, deterministic: { seed: 7 } });
  const server = want('http') ? await childServer() : undefined;
  const abi = want('host') || want('abi') ? await abiKinds() : undefined;
  let kinds: KindResult[];
  try {
    // Compute is always measured: it is the reference every other kind is compared with.
    const specs = [
      ...(await computeKinds()),
      ...(want('memory') ? await memoryKinds() : []),
      ...(want('host') ? await hostKinds(kernel, seeded, dir) : []),
      ...(abi?.kinds ?? []),
      ...(server ? await httpKinds(kernel, server.port) : []),
    ];
    console.log(`${specs.length} kinds, ${SAMPLES} rounds`);
    kinds = await measure(specs);
  } finally {
    await kernel.close();
    await seeded.close();
    await abi?.kernel.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const sliced = want('slices') ? await slices(kinds) : undefined;
  const computeNsPerFuel = median(kinds.filter((k) => k.group === 'compute').map((k) => k.nsPerFuel));
  for (const k of kinds) k.ratio = Number((k.nsPerFuel / computeNsPerFuel).toFixed(3));
  const date = new Date().toISOString().slice(0, 10);
  const tag = TAG ? `-${TAG}` : QUICK ? '-quick' : '';
  const report: Report = {
    date,
    command: `npm run build && node dist/bench/fuel/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    loadBefore,
    prices: { costs: DEFAULT_COSTS, host: DEFAULT_HOST_COSTS },
    computeNsPerFuel,
    kinds,
    ...(sliced ? { sliceCost: sliced.cost } : {}),
    slices: sliced?.sizes ?? [],
  };
  const text = markdown(report);
  console.log(`\n${text}`);
  if (!process.argv.includes('--no-write')) {
    const out = join(ROOT, 'bench/results');
    mkdirSync(out, { recursive: true });
    const base = join(out, `fuel-${date}${tag}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, text);
    console.log(`wrote ${base}.{json,md}`);
    if (!tag) {
      // What docs/fuel.md publishes and test/bench/fuel-calibration.test.ts checks.
      writeFileSync(join(out, 'fuel-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(out, 'fuel-latest.md'), text);
    }
  }
}

await main();
