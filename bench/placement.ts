/**
 * SandboxPlacement: the same sandboxes inline (the kernel's thread) and in worker threads, with
 * isolated-vm (one V8 isolate per sandbox, the usual JavaScript sandbox) beside them, in one run:
 *
 * - spawn: one sandbox of a small component (the pool keeps one worker started ahead);
 * - scalar call: `add(u32, u32) -> u32` through the typed fast path (`sandbox.fn`);
 * - guest-to-host round trip: a guest loop calling a host function, per call, through the
 *   synchronous path (`sandbox.fn`: the kernel's thread waits on the channel) and through
 *   `invoke` (the kernel's event loop waits, `Atomics.waitAsync`);
 * - the floor under any worker round trip: a bare SharedArrayBuffer ping-pong between two
 *   threads (`Atomics.wait`/`notify` on both sides, or `Atomics.waitAsync` on the main one),
 *   measured in the same run, with and without a bounded spin before each wait; and Keel's
 *   worker round trip with the channel's spin (`workers.spin`), the spins interleaved round by
 *   round;
 * - kill latency: from `terminate()` to the rejected call, for a guest in a loop without fuel
 *   checks (target p99 ≤ 10 ms);
 * - memory per idle sandbox: RSS growth over 16 idle sandboxes.
 *
 *     npm run build && node dist/bench/placement.js [--quick]
 *
 * Writes bench/results/placement-<date>.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { type CapabilityProvider, Kernel, type SandboxPlacement } from '../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../scripts/lib/fixtures.js';
import { wat } from '../scripts/lib/wat.js';
import { machine, stats } from './lib/measure.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const SPAWNS = quick ? 10 : 40;
const CALLS = quick ? 2_000 : 20_000;
const HOST_CALLS = quick ? 2_000 : 20_000;
const KILLS = quick ? 10 : 40;
const IDLE = 16;

const LOOP_WAT = `(module (import "env" "tick" (func $tick (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $tick (local.get $acc)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "spin") (loop $l (br $l))))`;

const ticker: CapabilityProvider = {
  name: 'ticker',
  interfaces: [],
  coreImports: ['env.tick'],
  link: () => ({ tick: (n: number) => n + 1 }),
};

type Row = {
  group: string;
  subject: string;
  unit: string;
  median: number;
  p99?: number;
  /** Process CPU time (user + system, every thread) per unit, median of the rounds. */
  cpu?: number;
  note?: string;
};
const rows: Row[] = [];

/** Wall and process CPU time of `run`, in ns per unit, over `rounds` rounds: the medians. */
async function timed(
  units: number,
  run: () => unknown,
  rounds = 5,
): Promise<{ median: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await run();
    wall.push(((performance.now() - t) * 1e6) / units);
    const used = process.cpuUsage(c);
    cpu.push(((used.user + used.system) * 1e3) / units);
  }
  return { median: stats(wall).median, cpu: stats(cpu).median };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function keel(placement: SandboxPlacement): Promise<void> {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [ticker], placement });
  const adder = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
  const loop = await kernel.load(await wat(LOOP_WAT));
  const subject = `keel-${placement}`;

  // Spawn.
  await kernel.spawn(adder); // warm the pool and the caches
  const spawns: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const t = performance.now();
    const s = await kernel.spawn(adder);
    spawns.push(performance.now() - t);
    s.terminate('bench');
  }
  rows.push({ group: 'spawn', subject, unit: 'ms', median: stats(spawns).median });

  // Scalar call.
  const sandbox = await kernel.spawn(adder);
  const add = sandbox.fn<(a: number, b: number) => number>('docs:adder/add#add');
  for (let i = 0; i < 1000; i++) add(i, 1);
  rows.push({
    group: 'scalar call',
    subject,
    unit: 'ns/call',
    ...(await timed(CALLS, () => {
      for (let i = 0; i < CALLS; i++) add(i, 1);
    })),
  });

  // Guest-to-host round trip.
  const looper = await kernel.spawn(loop, { grants: ['env.tick'] });
  const run = looper.fn<(n: number) => number>('run');
  run(1000);
  rows.push({
    group: 'guest-to-host call',
    subject,
    unit: 'ns/call',
    ...(await timed(HOST_CALLS, () => {
      if (run(HOST_CALLS) !== HOST_CALLS) throw new Error('the loop miscounted');
    })),
  });
  if (placement === 'worker') {
    rows.push({
      group: 'guest-to-host call',
      subject: `${subject} (invoke)`,
      unit: 'ns/call',
      note: "the kernel's event loop waits (Atomics.waitAsync)",
      ...(await timed(HOST_CALLS, async () => {
        if ((await looper.invoke('run', [HOST_CALLS])).value !== HOST_CALLS) throw new Error('miscounted');
      })),
    });
  }

  // Memory per idle sandbox.
  const before = process.memoryUsage().rss;
  const idle = [];
  for (let i = 0; i < IDLE; i++) idle.push(await kernel.spawn(adder));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const perSandbox = (process.memoryUsage().rss - before) / IDLE / 2 ** 20;
  rows.push({ group: 'memory per idle sandbox', subject, unit: 'MiB', median: perSandbox });
  for (const s of idle) s.terminate('bench');
  await kernel.close();
}

/**
 * The floor: the same hand-off with nothing else, two threads bumping a shared word and sleeping
 * on it in turn. Whatever a worker sandbox adds is above this. Word 3 is the spin: polls of the
 * word before sleeping on it, on both sides (0: sleep at once).
 */
const PING_PONG = `
const { workerData } = require('node:worker_threads');
const w = new Int32Array(workerData);
for (;;) {
  Atomics.wait(w, 1, 0);
  Atomics.store(w, 1, 0);
  const n = Atomics.load(w, 2);
  const spin = Atomics.load(w, 3);
  for (let i = 0; i < n; i++) {
    Atomics.store(w, 0, 1);
    Atomics.notify(w, 0);
    for (let k = 0; k < spin && Atomics.load(w, 0) === 1; k++);
    while (Atomics.load(w, 0) === 1) Atomics.wait(w, 0, 1);
  }
}`;

/** Polls of the other side's word before sleeping, measured beside no spin at all. */
const SPINS = [0, 100, 1_000, 10_000];
/** Round trips per round of the spin comparisons (a spin that misses costs both sides a core). */
const SPIN_CALLS = quick ? 1_000 : 5_000;

/**
 * Subjects measured in turn, round after round (so that a change of load hits them alike):
 * each one's median wall and process CPU time per unit.
 */
async function interleaved(
  units: number,
  subjects: { name: string; run: () => unknown }[],
  rounds = 7,
): Promise<Map<string, { median: number; cpu: number }>> {
  const wall = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  const cpu = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const subject of subjects) {
      const c = process.cpuUsage();
      const t = performance.now();
      await subject.run();
      wall.get(subject.name)!.push(((performance.now() - t) * 1e6) / units);
      const used = process.cpuUsage(c);
      cpu.get(subject.name)!.push(((used.user + used.system) * 1e3) / units);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return new Map(
    subjects.map((s) => [s.name, { median: median(wall.get(s.name)!), cpu: median(cpu.get(s.name)!) }]),
  );
}

async function floor(): Promise<void> {
  const shared = new SharedArrayBuffer(16);
  const w = new Int32Array(shared);
  const worker = new Worker(PING_PONG, { eval: true, workerData: shared });
  const begin = (n: number, spin: number) => {
    Atomics.store(w, 2, n);
    Atomics.store(w, 3, spin);
    Atomics.store(w, 1, 1);
    Atomics.notify(w, 1);
  };
  const sync = (n: number, spin = 0) => {
    begin(n, spin);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < spin && Atomics.load(w, 0) === 0; k++);
      while (Atomics.load(w, 0) === 0) Atomics.wait(w, 0, 0);
      Atomics.store(w, 0, 0);
      Atomics.notify(w, 0);
    }
  };
  const waitAsync = (
    Atomics as unknown as {
      waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
    }
  ).waitAsync;
  const async = async (n: number) => {
    begin(n, 0);
    for (let i = 0; i < n; i++) {
      while (Atomics.load(w, 0) === 0) {
        const waited = waitAsync(w, 0, 0);
        if (waited.async) await waited.value;
      }
      Atomics.store(w, 0, 0);
      Atomics.notify(w, 0);
    }
  };
  sync(1000);
  await async(1000);
  const measured = await interleaved(SPIN_CALLS, [
    ...SPINS.map((spin) => ({ name: `spin ${spin}`, run: () => sync(SPIN_CALLS, spin) })),
    { name: 'waitAsync', run: () => async(SPIN_CALLS) },
  ]);
  for (const spin of SPINS) {
    rows.push({
      group: 'guest-to-host call',
      subject: spin === 0 ? 'floor: SAB ping-pong, Atomics.wait' : `floor: SAB ping-pong, spin ${spin}`,
      unit: 'ns/call',
      note:
        spin === 0
          ? 'two threads, nothing but the hand-off'
          : `each side polls the word ${spin} times before Atomics.wait`,
      ...measured.get(`spin ${spin}`)!,
    });
  }
  rows.push({
    group: 'guest-to-host call',
    subject: 'floor: SAB ping-pong, waitAsync',
    unit: 'ns/call',
    note: 'the main thread waits on its event loop',
    ...measured.get('waitAsync')!,
  });
  await worker.terminate();
}

/** Keel's worker round trip with the channel's bounded spin (`workers.spin`), side by side. */
async function workerSpin(): Promise<void> {
  const kernels = SPINS.map(
    (spin) =>
      new Kernel({ cacheDir: tempCacheDir(), providers: [ticker], placement: 'worker', workers: { spin } }),
  );
  const subjects: { name: string; run: () => unknown }[] = [];
  for (const [i, kernel] of kernels.entries()) {
    const loop = await kernel.load(await wat(LOOP_WAT));
    const looper = await kernel.spawn(loop, { grants: ['env.tick'], limits: { deadlineMs: 600_000 } });
    const run = looper.fn<(n: number) => number>('run');
    run(1000);
    subjects.push({
      name: `spin ${SPINS[i]}`,
      run: () => {
        if (run(SPIN_CALLS) !== SPIN_CALLS) throw new Error('the loop miscounted');
      },
    });
  }
  const measured = await interleaved(SPIN_CALLS, subjects);
  for (const spin of SPINS) {
    rows.push({
      group: 'guest-to-host call',
      subject: `keel-worker, workers.spin ${spin}`,
      unit: 'ns/call',
      note: spin === 0 ? 'the default' : `each side polls the channel ${spin} times before Atomics.wait`,
      ...measured.get(`spin ${spin}`)!,
    });
  }
  for (const kernel of kernels) await kernel.close();
}

async function killLatency(): Promise<void> {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), metering: false, providers: [ticker] });
  const loop = await kernel.load(await wat(LOOP_WAT));
  const samples: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const sandbox = await kernel.spawn(loop, { placement: 'worker', grants: ['env.tick'] });
    const call: Promise<number> = sandbox.invoke('spin').then(
      () => Number.NaN,
      () => performance.now(),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const t = performance.now();
    sandbox.terminate('bench');
    samples.push((await call) - t);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  rows.push({
    group: 'kill latency',
    subject: 'keel-worker',
    unit: 'ms',
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    note: 'a guest spinning without fuel checks; terminate() to the rejected call',
  });
  await kernel.close();
}

async function isolatedVm(): Promise<void> {
  const { default: ivm } = await import('isolated-vm');
  const spawns: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const t = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = isolate.createContextSync();
    context.evalSync('function add(a, b) { return (a + b) >>> 0; }');
    spawns.push(performance.now() - t);
    isolate.dispose();
  }
  rows.push({ group: 'spawn', subject: 'isolated-vm', unit: 'ms', median: stats(spawns).median });
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = isolate.createContextSync();
  context.global.setSync('tick', new ivm.Callback((n: number) => n + 1));
  context.evalSync(
    'function add(a, b) { return (a + b) >>> 0; } function run(n) { let acc = 0; while (n-- > 0) acc = tick(acc); return acc; }',
  );
  const add = context.global.getSync('add', { reference: true });
  rows.push({
    group: 'scalar call',
    subject: 'isolated-vm',
    unit: 'ns/call',
    ...(await timed(CALLS, () => {
      for (let i = 0; i < CALLS; i++) add.applySync(undefined, [i, 1]);
    })),
  });
  const run = context.global.getSync('run', { reference: true });
  rows.push({
    group: 'guest-to-host call',
    subject: 'isolated-vm',
    unit: 'ns/call',
    ...(await timed(HOST_CALLS, () => run.applySync(undefined, [HOST_CALLS]))),
  });
  isolate.dispose();
}

const loadBefore = machine().load;
await keel('inline');
await keel('worker');
await floor();
await workerSpin();
await killLatency();
await isolatedVm();

const date = new Date().toISOString().slice(0, 10);
const result = {
  date,
  command: `node dist/bench/placement.js${quick ? ' --quick' : ''}`,
  quick,
  machine: machine(),
  loadBefore,
  rows,
};
writeFileSync(repoPath(`bench/results/placement-${date}.json`), `${JSON.stringify(result, null, 2)}\n`);
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3));
const lines = [
  `# SandboxPlacement, ${date}`,
  '',
  `\`${result.command}\` on ${result.machine.cpu} (${result.machine.cores} cores), Node ${result.machine.node}, load ${loadBefore.join(' ')} at the start, ${result.machine.load.join(' ')} at the end.`,
  '',
  'Wall time is the median of 5 rounds; CPU is process CPU time (user + system, all threads) per',
  'unit in the same rounds, steadier than wall time on a shared machine.',
  '',
  '| group | subject | median | p99 | CPU | unit |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.group} | ${r.subject} | ${fmt(r.median)} | ${r.p99 === undefined ? '' : fmt(r.p99)} | ${r.cpu === undefined ? '' : fmt(r.cpu)} | ${r.unit} |`,
  ),
  '',
];
writeFileSync(repoPath(`bench/results/placement-${date}.md`), lines.join('\n'));
console.log(lines.join('\n'));
process.exit(0);
