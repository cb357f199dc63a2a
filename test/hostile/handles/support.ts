/**
 * The handle-hoarding guests (`guests/wat/hostile/handles/<name>.wat` with its world in
 * `<name>.wit`), a kernel that records its events, and the measure every attack shares: what
 * the call ended as, how long it took and how much the host's heap grew.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type KeelError, type KeelEvent, Kernel, type KernelOptions } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const DIR = new URL('../../../guests/wat/hostile/handles/', import.meta.url);

export function hoarder(name: string): Promise<Uint8Array> {
  const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');
  return componentFromWat(read(`${name}.wat`), read(`${name}.wit`), name);
}

export function recordingKernel(options: KernelOptions = {}): { kernel: Kernel; events: KeelEvent[] } {
  const kernel = new Kernel({ cacheDir: false, ...options });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => void events.push(event));
  return { kernel, events };
}

export interface Refusal {
  error: KeelError;
  ms: number;
  heapGrowthBytes: number;
}

/** Run `call`, which must fail; what it failed with, in what time, with what heap growth. */
export async function refused(call: () => Promise<unknown>): Promise<Refusal> {
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  let error: unknown;
  try {
    await call();
  } catch (thrown) {
    error = thrown;
  }
  const ms = performance.now() - started;
  expect(error, 'the hoarding call must fail').toBeDefined();
  return { error: error as KeelError, ms, heapGrowthBytes: process.memoryUsage().heapUsed - before };
}
