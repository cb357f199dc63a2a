/**
 * The hostile guests of the event and log attacks (guests/wat/hostile/events/): components
 * built from their WAT and WIT, as a guest toolchain would.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { componentFromWat } from '../../helpers/components.js';

const DIR = new URL('../../../guests/wat/hostile/events/', import.meta.url);

/** The component of `guests/wat/hostile/events/<name>.{wat,wit}`, world `<name>`. */
export function eventsGuest(name: string): Promise<Uint8Array> {
  return componentFromWat(
    readFileSync(new URL(`${name}.wat`, DIR), 'utf8'),
    readFileSync(new URL(`${name}.wit`, DIR), 'utf8'),
    name,
  );
}

// vitest's forks run without --expose-gc: switch it on for this process to measure live memory.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap used now, after a full collection: what is still reachable. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
