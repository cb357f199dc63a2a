/**
 * The guest of the host-argument attacks (`guests/wat/hostile/host-args/arg-flood.wat`), loaded
 * once per file in a kernel that records its events.
 */
import { readFileSync } from 'node:fs';
import { type KeelEvent, Kernel, type KernelOptions, type ModuleHandle } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

export interface Flood {
  kernel: Kernel;
  module: ModuleHandle;
  events: KeelEvent[];
}

export async function flood(options: KernelOptions = {}): Promise<Flood> {
  const dir = new URL('../../../guests/wat/hostile/host-args/', import.meta.url);
  const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
  const kernel = new Kernel({ cacheDir: false, ...options });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => void events.push(event));
  const component = await componentFromWat(read('arg-flood.wat'), read('arg-flood.wit'), 'arg-flood');
  const module = await kernel.load(component, { name: 'arg-flood' });
  return { kernel, module, events };
}

/** Heap growth in bytes since `before` (no forced GC: an upper bound of what was retained). */
export function heapGrowth(before: number): number {
  return process.memoryUsage().heapUsed - before;
}
