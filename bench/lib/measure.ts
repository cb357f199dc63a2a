/**
 * A small, honest timing harness: warm up, then repeated samples of a batch of calls, reported
 * as the median per-operation time with the spread (min, max of the samples). Batching matters
 * for calls that take nanoseconds: a timer read costs more than the call.
 */
import { arch, cpus, totalmem } from 'node:os';

export interface Measurement {
  name: string;
  /** Median nanoseconds per operation. */
  median_ns: number;
  min_ns: number;
  max_ns: number;
  samples: number;
  batch: number;
}

export interface MeasureOptions {
  /** Operations per timed sample. */
  batch: number;
  /** Timed samples (after warm-up). */
  samples: number;
  /** Untimed warm-up samples. */
  warmup?: number;
}

export function measure(name: string, op: (i: number) => unknown, options: MeasureOptions): Measurement {
  const { batch, samples } = options;
  const warmup = options.warmup ?? Math.max(2, Math.ceil(samples / 4));
  let sink: unknown;
  const times: number[] = [];
  for (let s = 0; s < warmup + samples; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink = op(i);
    const elapsed = Number(process.hrtime.bigint() - start) / batch;
    if (s >= warmup) times.push(elapsed);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  times.sort((a, b) => a - b);
  return {
    name,
    median_ns: times[Math.floor(times.length / 2)]!,
    min_ns: times[0]!,
    max_ns: times[times.length - 1]!,
    samples,
    batch,
  };
}

/** The same for asynchronous operations (loads), one operation per sample. */
export async function measureAsync(
  name: string,
  op: (i: number) => Promise<unknown>,
  options: { samples: number; warmup?: number },
): Promise<Measurement> {
  const warmup = options.warmup ?? 1;
  const times: number[] = [];
  for (let s = 0; s < warmup + options.samples; s++) {
    const start = process.hrtime.bigint();
    await op(s);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (s >= warmup) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    median_ns: times[Math.floor(times.length / 2)]!,
    min_ns: times[0]!,
    max_ns: times[times.length - 1]!,
    samples: options.samples,
    batch: 1,
  };
}

export function machine() {
  const cpu = cpus()[0];
  return {
    cpu: cpu?.model ?? 'unknown',
    cores: cpus().length,
    arch: arch(),
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
  };
}

export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}
