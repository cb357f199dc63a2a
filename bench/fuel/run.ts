/**
 * What a unit of fuel costs in host time, by kind of work: compute (the compute bench's kernels,
 * and the slowest compute there is, a pointer chase through 64 MiB), bulk memory and table
 * operations, grows, host calls through the kernel (stdout, random bytes, clocks, files, resource
 * methods, functions taking strings,
 * keel:kernel log, ipc and events), and what slices of fuel cost and buy (docs/fuel.md). The
 * prices are right when every kind costs about as much per unit as compute: docs/fuel.md
 * publishes the table from this bench, and the target is the worst kind within 10x of compute.
 *
 *     npm run build && node dist/bench/fuel/run.js [--quick] [--no-write] [--only compute,memory,host,slices]
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { Kernel, type Limits, type Sandbox } from '../../host/index.js';
import { createMeterRuntime, type MeterRuntime, meterModule } from '../../host/meter/index.js';
import { wat } from '../../scripts/lib/wat.js';
import type { KernelSpec } from '../compute/run.js';
import { machine } from '../lib/measure.js';
import { ROOT, repoPath } from '../lib/paths.js';

const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 5 : 11;
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

export interface KindResult {
  group: string;
  name: string;
  what: string;
  /** ns per unit of fuel: median and minimum over the samples. */
  nsPerFuel: number;
  nsPerFuelMin: number;
  fuelPerOp: number;
  nsPerOp: number;
}

const ALL_FUEL: Partial<Limits> = {
  fuel: Number.MAX_SAFE_INTEGER,
  fuelTotal: Number.MAX_SAFE_INTEGER,
  deadlineMs: 3_600_000,
  outputBytes: Number.MAX_SAFE_INTEGER,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

async function kind(
  group: string,
  name: string,
  what: string,
  sample: () => Sample | Promise<Sample>,
): Promise<KindResult> {
  await sample(); // warm-up: compile, tier up, fill caches
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await sample());
  const perFuel = samples.map((s) => s.ns / s.fuel);
  const last = samples[samples.length - 1]!;
  const result = {
    group,
    name,
    what,
    nsPerFuel: median(perFuel),
    nsPerFuelMin: Math.min(...perFuel),
    fuelPerOp: last.fuel / last.ops,
    nsPerOp: median(samples.map((s) => s.ns / s.ops)),
  };
  console.log(
    `  ${name.padEnd(26)} ${result.nsPerFuel.toFixed(3).padStart(9)} ns/fuel (min ${result.nsPerFuelMin.toFixed(3)}), ${result.fuelPerOp.toFixed(1)} fuel and ${result.nsPerOp.toFixed(0)} ns per op`,
  );
  return result;
}

/**
 * CPU time is counted in scheduler ticks here (getrusage: steps of 1 to 4 ms on this machine's
 * kernel), so a sample repeats its run until it has taken at least this much CPU.
 */
const MIN_SAMPLE_NS = (QUICK ? 100 : 250) * 1e6;

/** Repeat `once` until it has used MIN_SAMPLE_NS of CPU; its fuel, ops and CPU ns added up. */
function cpuSample(once: () => { fuel: number; ops: number }): Sample {
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
  } while (ns < MIN_SAMPLE_NS);
  return { ns, fuel, ops };
}

function timed(meter: MeterRuntime, ops: number, run: () => unknown): Sample {
  return cpuSample(() => {
    const fuel = meter.used();
    run();
    return { fuel: meter.used() - fuel, ops };
  });
}

/** Wall time of one run (for what cannot be repeated in place: grows of a fresh instance). */
function wallTimed(meter: MeterRuntime, ops: number, run: () => unknown): Sample {
  const fuel = meter.used();
  const start = process.hrtime.bigint();
  run();
  const ns = Number(process.hrtime.bigint() - start);
  return { ns, fuel: meter.used() - fuel, ops };
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

async function computeKinds(): Promise<KindResult[]> {
  console.log('compute');
  const specs = (
    JSON.parse(readFileSync(repoPath('bench/compute/kernels.json'), 'utf8')) as { kernels: KernelSpec[] }
  ).kernels;
  const results: KindResult[] = [];
  for (const spec of specs) {
    for (const lang of ['c', 'as']) {
      const bytes = new Uint8Array(readFileSync(repoPath(`bench/compute/wasm/${lang}-${spec.name}.wasm`)));
      const { meter, exports } = metered(bytes, { env: { abort: () => {} } });
      const n = spec.quickN;
      results.push(
        await kind('compute', `${lang}-${spec.name}`, spec.what, () =>
          timed(meter, 1, () => exports.run!(n)),
        ),
      );
    }
  }
  const chase = await wat(CHASE_WAT, 'chase.wat');
  const { meter, exports } = metered(chase);
  exports.setup!(CHASE_SLOTS);
  results.push(
    await kind(
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
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func (export "table-grow") (param $n i32) (result i32) (table.grow $t (ref.null func) (local.get $n))))`;

async function memoryKinds(): Promise<KindResult[]> {
  console.log('memory and tables');
  const bytes = await wat(MEMORY_WAT, 'memory.wat');
  const { meter, exports } = metered(bytes);
  const results: KindResult[] = [];
  const bulk: [string, string, number, number][] = [
    ['fill', 'memory.fill', 16 << 20, 8],
    ['fill', 'memory.fill', 1 << 20, 64],
    ['fill', 'memory.fill', 64, 1 << 16],
    ['copy', 'memory.copy', 16 << 20, 8],
    ['copy', 'memory.copy', 1 << 20, 64],
    ['copy', 'memory.copy', 64, 1 << 16],
    ['init', 'memory.init', 1 << 16, 256],
    ['table-fill', 'table.fill', 10_000, 64],
    ['table-copy', 'table.copy', 10_000, 64],
    ['table-init', 'table.init', 64, 4096],
  ];
  for (const [op, name, len, n] of bulk) {
    const count = QUICK ? Math.max(1, n >> 2) : n;
    results.push(
      await kind(
        'memory',
        `${name} ${len}`,
        `${name} of ${len} ${op.startsWith('table') ? 'elements' : 'bytes'}, repeated`,
        () => timed(meter, count, () => exports[op]!(count, len)),
      ),
    );
  }
  // Grows: one per fresh instance (memory and tables only grow).
  const module = new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>);
  const fresh = () => {
    const m = createMeterRuntime({
      fuel: Number.MAX_SAFE_INTEGER,
      memoryBytes: 2 ** 32,
      tableElements: 10_000_000,
    });
    return {
      m,
      e: new WebAssembly.Instance(module, { keel: m.imports.keel }).exports as Record<
        string,
        (n: number) => number
      >,
    };
  };
  results.push(
    await kind('memory', 'memory.grow 1024 pages', 'memory.grow by 64 MiB, in a fresh instance', () => {
      const { m, e } = fresh();
      return wallTimed(m, 1024, () => e.grow!(1024));
    }),
  );
  results.push(
    await kind('memory', 'table.grow 10000', 'table.grow by 10,000 elements, in a fresh instance', () => {
      const { m, e } = fresh();
      return wallTimed(m, 10_000, () => e['table-grow']!(10_000));
    }),
  );
  return results;
}

// -------------------------------------------------------------------------------------------
// Host calls: WASI through the preview1 adapter, keel:kernel through a component

const PREVIEW1_IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))`;

/** A WASI command that repeats `op` `n` times; `len` bytes where the op moves bytes. */
function command(op: string, n: number, len: number): string {
  const file = '(i32.load (i32.const 300))';
  const body: Record<string, string> = {
    stdout: '(call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 16))',
    stdin: '(call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 16))',
    random: `(call $random_get (i32.const 1024) (i32.const ${len}))`,
    clock: '(call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16))',
    'file-open':
      '(block (result i32) (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 5) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 304))) (call $fd_close (i32.load (i32.const 304))))',
    'file-write': `(block (result i32) (drop (call $fd_seek ${file} (i64.const 0) (i32.const 0) (i32.const 16))) (call $fd_write ${file} (i32.const 32) (i32.const 1) (i32.const 16)))`,
    'file-read': `(block (result i32) (drop (call $fd_seek ${file} (i64.const 0) (i32.const 0) (i32.const 16))) (call $fd_read ${file} (i32.const 32) (i32.const 1) (i32.const 16)))`,
  };
  return `(module ${PREVIEW1_IMPORTS}
  (memory (export "memory") 4)
  (data (i32.const 32) "\\00\\04\\00\\00")
  (data (i32.const 200) "f.bin")
  (func (export "_start") (local $i i32)
    (i32.store (i32.const 36) (i32.const ${len}))
    ${op.startsWith('file') ? '(drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 5) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 300)))' : ''}
    (loop $l
      (drop ${body[op]})
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n}))))))`;
}

/**
 * A component calling resource methods (WASI 0.2.3 streams and pollables, with the stand-in
 * WIT of the host-argument attacks) and a record function taking a string: `run(op, n, len)`
 * repeats `pollable.ready` (op 0: a resource method, nothing passed), `output-stream.write` of
 * `len` bytes (op 1: a resource method with a list) or `log` of `len` bytes (op 2: a function
 * with a string).
 */
const STREAMS_WAT = `(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "run") (param $op i32) (param $n i32) (param $len i32) (result i32)
    (local $i i32) (local $s i32) (local $p i32) (local $sum i32)
    (local.set $s (call $get-stdout))
    (local.set $p (call $subscribe (local.get $s)))
    (loop $l
      (if (i32.eqz (local.get $op))
        (then (local.set $sum (i32.add (local.get $sum) (call $ready (local.get $p))))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $write (local.get $s) (i32.const 1024) (local.get $len) (i32.const 32))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $log (i32.const 2) (i32.const 1024) (local.get $len))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))`;

async function streamsComponent(): Promise<Uint8Array> {
  const wit = readFileSync(repoPath('guests/wat/hostile/host-args/arg-flood.wit'), 'utf8').replace(
    /world arg-flood \{[^}]*\}/,
    `world fuel-streams {
  import keel:kernel/log@0.2.0;
  import wasi:cli/stdout@0.2.3;
  import wasi:io/poll@0.2.3;
  export run: func(op: u32, n: u32, len: u32) -> u32;
}`,
  );
  const embedded = await componentEmbed({
    binary: await wat(STREAMS_WAT, 'streams.wat'),
    witSource: wit,
    world: 'fuel-streams',
  });
  return await componentNew(embedded, []);
}

/** A component importing keel:kernel log, ipc and events: `run(op, n, size)` repeats one. */
const KEEL_WAT = `(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "keel:kernel/ipc@0.2.0" "send" (func $send (param i32 i32 i32 i32 i32)))
  (import "keel:kernel/events@0.2.0" "publish" (func $publish (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "bench.topic")
  (func (export "run") (param $op i32) (param $n i32) (param $size i32) (param $to i32) (param $toLen i32) (result i32)
    (local $i i32)
    (loop $l
      (if (i32.eqz (local.get $op)) (then (call $log (i32.const 2) (i32.const 1024) (local.get $size))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $send (local.get $to) (local.get $toLen) (i32.const 1024) (local.get $size) (i32.const 64))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $publish (i32.const 0) (i32.const 11) (i32.const 1024) (local.get $size) (i32.const 64))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.load8_u (i32.const 64)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8192)))`;

const KEEL_WIT = `
world fuel-bench {
  import log;
  import ipc;
  import events;
  export run: func(op: u32, n: u32, size: u32, to: string) -> u32;
}`;

async function keelComponent(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-fuel-bench-'));
  try {
    for (const file of ['log', 'ipc', 'events', 'self', 'types', 'handler', 'worlds']) {
      writeFileSync(join(dir, `${file}.wit`), readFileSync(repoPath(`wit/keel-kernel/${file}.wit`)));
    }
    writeFileSync(join(dir, 'fuel-bench.wit'), `package keel:kernel@0.2.0;\n${KEEL_WIT}`);
    const embedded = await componentEmbed({
      binary: await wat(KEEL_WAT, 'keel.wat'),
      witPath: dir,
      world: 'fuel-bench',
    });
    return await componentNew(embedded, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function hostKinds(): Promise<KindResult[]> {
  console.log('host calls');
  const dir = mkdtempSync(join(tmpdir(), 'keel-fuel-bench-'));
  const kernel = new Kernel({ limits: ALL_FUEL });
  const results: KindResult[] = [];
  const scale = QUICK ? 4 : 1;
  try {
    writeFileSync(join(dir, 'f.bin'), Buffer.alloc(65536, 7));
    const wasi: [string, string, number, number, string][] = [
      ['stdout', 'stdout write 16 B', 16, 20_000, 'write 16 bytes to stdout'],
      ['stdout', 'stdout write 64 KiB', 65536, 1_000, 'write 64 KiB to stdout'],
      ['random', 'random 16 B', 16, 20_000, 'get 16 random bytes'],
      ['random', 'random 64 KiB', 65536, 1_000, 'get 64 KiB of random bytes'],
      ['clock', 'clock now', 0, 50_000, 'read the monotonic clock'],
      ['file-write', 'file write 64 KiB', 65536, 1_000, 'seek, then write 64 KiB to a host file'],
      ['file-read', 'file read 64 KiB', 65536, 1_000, 'seek, then read 64 KiB of a host file'],
      ['file-write', 'file write 16 B', 16, 10_000, 'seek, then write 16 bytes to a host file'],
      ['file-read', 'file read 16 B', 16, 10_000, 'seek, then read 16 bytes of a host file'],
      ['file-open', 'file open and close', 0, 5_000, 'path_open of a host file, then fd_close'],
    ];
    for (const [op, name, len, count, what] of wasi) {
      const n = Math.max(1, Math.floor(count / scale));
      const module = await kernel.load(await wat(command(op, n, len), `${op}.wat`), { name: op });
      results.push(
        await kind('host', name, what, async () => {
          const sandbox = await kernel.spawn(module, {
            grants: [
              'wasi:cli/*',
              'wasi:clocks/*',
              'wasi:random/*',
              {
                interface: 'wasi:filesystem/preopens',
                scope: {
                  preopens: [{ guest: '/d', host: dir, dirPerms: 'read-write', filePerms: 'read-write' }],
                  bytesWritten: Number.MAX_SAFE_INTEGER,
                },
              },
            ],
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
      [2, 'function call, 16 B string', 16, 20_000, 'keel:kernel/log of a 16-byte string (nobody listening)'],
      [
        2,
        'function call, 64 KiB string',
        65536,
        1_000,
        'keel:kernel/log of a 64 KiB string (nobody listening)',
      ],
    ];
    for (const [op, name, len, count, what] of streamOps) {
      const n = Math.max(1, Math.floor(count / scale));
      results.push(
        await kind('host', name, what, async () => {
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
    const keel = await kernel.load(await keelComponent(), { name: 'keel-bench' });
    const spawn = (): Promise<Sandbox> =>
      kernel.spawn(keel, {
        grants: [
          'keel:kernel/log',
          { interface: 'keel:kernel/ipc', scope: { peers: ['*'] } },
          { interface: 'keel:kernel/events', scope: { publish: ['bench.*'] } },
        ],
      });
    const keelOps: [number, string, number, number, string][] = [
      [0, 'log 64 B', 64, 20_000, 'keel:kernel/log, a 64-byte message (nobody listening)'],
      [0, 'log 4 KiB', 4096, 2_000, 'keel:kernel/log, a 4 KiB message (nobody listening)'],
      [1, 'ipc send 64 B', 64, 500, 'keel:kernel/ipc send of 64 bytes to a peer (queued)'],
      [1, 'ipc send 16 KiB', 16384, 500, 'keel:kernel/ipc send of 16 KiB to a peer (queued)'],
      [2, 'events publish 64 B', 64, 20_000, 'keel:kernel/events publish of 64 bytes, no subscriber'],
    ];
    for (const [op, name, size, count, what] of keelOps) {
      const n = Math.max(1, Math.floor(count / (op === 1 ? 1 : scale)));
      results.push(
        await kind('host', name, what, async () => {
          const sender = await spawn();
          const peer = await spawn();
          const sample = cpuSample(() => ({
            fuel: sender.invokeSync('run', [op, n, size, peer.id]).fuel.used,
            ops: n,
          }));
          sender.terminate('bench');
          peer.terminate('bench');
          return sample;
        }),
      );
    }
  } finally {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

// -------------------------------------------------------------------------------------------
// Slices

export interface SliceResult {
  sliceFuel: number;
  /** What refills add to the tightest metered loop, as a fraction of its time. */
  overhead: number;
  /** One slice of typical compute (the compute kernels' median), in ms. */
  typicalSliceMs: number;
  /** One slice of the slowest compute (the pointer chase), in ms: how late a deadline can be. */
  worstSliceMs: number;
}

export interface SliceCost {
  /** ns a refill costs (the call out of the guest, the accounting, a look at the clock). */
  refillNs: number;
  /** ns per fuel of the loop it was measured on: a loop with a check at every turn. */
  loopNsPerFuel: number;
}

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

interface Report {
  date: string;
  command: string;
  machine: ReturnType<typeof machine>;
  computeNsPerFuel: number;
  kinds: KindResult[];
  sliceCost?: SliceCost;
  slices: SliceResult[];
}

function markdown(r: Report): string {
  const lines = [
    `# Fuel prices, ${r.date}`,
    '',
    `- Command: \`${r.command}\``,
    `- Machine: ${r.machine.cpu} (${r.machine.cores} CPUs, ${r.machine.memory_gib} GiB), ${r.machine.os}; load average ${r.machine.load.join(', ')}`,
    `- Node ${r.machine.node} (V8 ${r.machine.v8})`,
    `- Compute reference: ${r.computeNsPerFuel.toFixed(3)} ns per unit of fuel (median of the compute kernels)`,
    '',
    '| group | kind | ns per fuel | min | × compute | fuel per op | ns per op |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.kinds.map(
      (k) =>
        `| ${k.group} | ${k.name} | ${k.nsPerFuel.toFixed(3)} | ${k.nsPerFuelMin.toFixed(3)} | ${(k.nsPerFuel / r.computeNsPerFuel).toFixed(2)} | ${k.fuelPerOp.toFixed(1)} | ${k.nsPerOp.toFixed(0)} |`,
    ),
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
  const kinds: KindResult[] = [];
  const compute = want('compute') || want('slices') ? await computeKinds() : [];
  if (want('compute')) kinds.push(...compute);
  if (want('memory')) kinds.push(...(await memoryKinds()));
  if (want('host')) kinds.push(...(await hostKinds()));
  const sliced = want('slices') ? await slices(compute) : undefined;
  const computeNsPerFuel = compute.length
    ? median(compute.filter((k) => k.group === 'compute').map((k) => k.nsPerFuel))
    : Number.NaN;
  const date = new Date().toISOString().slice(0, 10);
  const report: Report = {
    date,
    command: `node dist/bench/fuel/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    computeNsPerFuel,
    kinds,
    ...(sliced ? { sliceCost: sliced.cost } : {}),
    slices: sliced?.sizes ?? [],
  };
  const text = markdown(report);
  console.log(`\n${text}`);
  if (!process.argv.includes('--no-write')) {
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `fuel-${date}${QUICK ? '-quick' : ''}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, text);
    console.log(`wrote ${base}.{json,md}`);
  }
}

await main();
