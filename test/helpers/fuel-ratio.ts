/**
 * For the cheapest-fuel attacks (`test/hostile/fuel/`): what a unit of fuel costs the host when
 * a guest spends it on one kind of work, against what it costs in compute. The compute
 * reference is the committed calibration (`bench/results/fuel-latest.json`, the median compute
 * kernel on this machine), and that kernel is run again here between the attack's windows: on
 * a machine loaded by other processes a unit of compute costs more CPU time too (caches and the
 * core's other hyperthread are shared), so the attack is compared with the larger of the two.
 * The attack is timed in CPU time (this process: user + system, the kernel's system calls
 * included), repeated until the clock's ticks are small beside it.
 */
import { readFileSync } from 'node:fs';
import type { Report } from '../../bench/fuel/table.js';
import { Kernel, type KernelOptions } from '../../host/index.js';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { tempCacheDir } from './components.js';
import { wat } from './wat.js';

/** The bound docs/fuel.md promises: no kind of work costs more than this many units of compute per unit. */
export const FUEL_BOUND = 10;

const calibration = JSON.parse(
  readFileSync(new URL('../../bench/results/fuel-latest.json', import.meta.url), 'utf8'),
) as Report;

/** ns of CPU per unit of fuel of the median compute kernel. */
export const COMPUTE_NS_PER_FUEL = calibration.computeNsPerFuel;

/** The compute kernel run here: the calibration's median one (as-sieve, 1.00x the reference). */
const KERNEL = 'as-sieve';
const KERNEL_N = 1_000_000;

/** CPU ns and fuel of `once` repeated until it has taken `minMs` of CPU or `maxMs` of wall time. */
async function window(once: () => number | Promise<number>, minMs: number, maxMs: number) {
  let fuel = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let ns = 0;
  do {
    fuel += await once();
    const spent = process.cpuUsage(cpu);
    ns = (spent.user + spent.system) * 1000;
  } while (ns < minMs * 1e6 && performance.now() - start < maxMs);
  return { ns, fuel: Math.max(1, fuel) };
}

let kernel: (() => number) | undefined;

/**
 * The calibration's median compute kernel, metered as the bench meters it: a function that runs
 * it once and returns the fuel it used. Made and warmed up (V8 tiers its code up while it runs)
 * once per test file.
 */
export function computeKernel(): () => number {
  if (kernel) return kernel;
  const bytes = readFileSync(new URL(`../../bench/compute/wasm/${KERNEL}.wasm`, import.meta.url));
  const meter = createMeterRuntime({
    fuel: Number.MAX_SAFE_INTEGER,
    memoryBytes: 2 ** 32,
    tableElements: 10_000_000,
  });
  const module = new WebAssembly.Module(meterModule(new Uint8Array(bytes)) as Uint8Array<ArrayBuffer>);
  const abort = () => {
    throw new Error(`abort() called by ${KERNEL}`);
  };
  const instance = new WebAssembly.Instance(module, { env: { abort }, keel: meter.imports.keel });
  const run = instance.exports.run as (n: number) => number;
  kernel = () => {
    const used = meter.used();
    run(KERNEL_N);
    return meter.used() - used;
  };
  const cpu = process.cpuUsage();
  while (process.cpuUsage(cpu).user < 100_000) kernel();
  return kernel;
}

/** ns of CPU per unit of fuel of compute now, scaled to the calibration's median kernel. */
async function computeNow(): Promise<number> {
  const calibrated = calibration.kinds.find((k) => k.name === KERNEL)!.nsPerFuel;
  const { ns, fuel } = await window(computeKernel(), 10, 3_000);
  return (ns / fuel) * (COMPUTE_NS_PER_FUEL / calibrated);
}

/** Rounds of the measure: each a window of compute, then one of the attack. */
const ROUNDS = 5;

/**
 * CPU ns per unit of fuel of `once` (which returns the fuel it used), over the compute
 * reference, in the steady state an attacker's flood reaches: after a warm-up of 50 ms of CPU
 * (V8 compiles the host's code on its own threads, whose time counts), the median of 5 rounds,
 * each a window of `minMs` of CPU of the attack against a window of compute taken just before it
 * (the committed reference, or compute now when the machine makes that dearer). A window also
 * ends after `maxMs` of wall time (a guest whose fuel is far too cheap could otherwise run for
 * minutes before the test sees it).
 */
export async function fuelRatio(
  once: () => number | Promise<number>,
  minMs = 30,
  maxMs = 3_000,
): Promise<number> {
  await window(once, 50, maxMs);
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const reference = Math.max(COMPUTE_NS_PER_FUEL, await computeNow());
    const { ns, fuel } = await window(once, minMs, maxMs);
    ratios.push(ns / fuel / reference);
  }
  return ratios.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

/** V8's heap in use, for the bounded-memory half of each attack. */
export function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

/**
 * A kernel (deterministic if asked) whose limits never end a flood (fuel per invocation, total fuel, the deadline): the
 * attack runs as long as it likes, and the test compares the fuel it is charged with its CPU.
 */
export function floodKernel(options: Pick<KernelOptions, 'deterministic'> = {}): Kernel {
  return new Kernel({
    ...options,
    cacheDir: tempCacheDir(),
    limits: { fuel: Number.MAX_SAFE_INTEGER, fuelTotal: Number.MAX_SAFE_INTEGER, deadlineMs: 600_000 },
  });
}

/** The compute loop `spinRatios` sets attacks against: an add and a multiply a turn. */
const SPIN = `(module (func (export "spin") (param $n i32) (result i32) (local $i i32) (local $s i32)
  (loop $l (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 3))))
    (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
  (local.get $s)))`;

/** Wall ns per unit of fuel of one invocation (the fuel its outcome says it used). */
export function nsPerFuel(run: () => { fuel: { used: number } }): number {
  const started = performance.now();
  const { fuel } = run();
  return ((performance.now() - started) * 1e6) / fuel.used;
}

/**
 * Each attack's wall ns per unit of fuel over a compute loop's (10,000,000 turns, spawned in
 * `kernel`), interleaved in one process, the best of `rounds` rounds of each: the measure of the
 * floods priced by bytes' worth of `byte` (a quicker, same-process check than `fuelRatio`'s
 * calibrated one). An attack returns its own ns per unit of fuel (`nsPerFuel` of an invocation,
 * or a harness's measure).
 */
export async function spinRatios<K extends string>(
  kernel: Kernel,
  attacks: Record<K, () => number>,
  rounds = 6,
): Promise<Record<K, number>> {
  const spin = await kernel.spawn(await kernel.load(await wat(SPIN, 'spin.wat')));
  const names = Object.keys(attacks) as K[];
  const best = Object.fromEntries(names.map((name) => [name, Number.POSITIVE_INFINITY])) as Record<K, number>;
  let compute = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    compute = Math.min(
      compute,
      nsPerFuel(() => spin.invokeSync('spin', [10_000_000])),
    );
    for (const name of names) best[name] = Math.min(best[name], attacks[name]());
  }
  return Object.fromEntries(names.map((name) => [name, best[name] / compute])) as Record<K, number>;
}
