/**
 * The disk cache's entries (host/loader/disk-cache.ts, format 6), read and written by the tests
 * that tamper with them. Written here from the format's description, not with the cache's own
 * code, so that a mistake in the cache's encoder is not copied into what the tests expect.
 *
 * An entry: `KEEL` and the format (u32), the sha256 (bytes 8-40) of the entry's key (its file
 * name without `.metered`) and of everything from byte 40 on, the number of modules (u32), each
 * one's size (u32) and the plan's size (u32, 0 for none), then the modules and the plan.
 * Integers little-endian.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'vitest';

const FORMAT = 6;
/** Where the hash starts, and where the module count starts (the hash ends). */
export const HASH_AT = 8;
export const COUNT_AT = 40;

/** The one entry in `cacheDir` (its path); fails the test when there is not exactly one. */
export function entryOf(cacheDir: string): string {
  const entries = readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
  expect(entries).toHaveLength(1);
  return join(cacheDir, entries[0]!);
}

/** An entry's parts as its header describes them: its modules and its plan (empty for none). */
export function entryParts(entry: Uint8Array): { modules: Uint8Array[]; plan: Uint8Array } {
  const view = new DataView(entry.buffer, entry.byteOffset, entry.length);
  const count = view.getUint32(COUNT_AT, true);
  let at = COUNT_AT + 8 + 4 * count;
  const modules: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = view.getUint32(COUNT_AT + 4 + 4 * i, true);
    modules.push(entry.subarray(at, at + size));
    at += size;
  }
  return { modules, plan: entry.subarray(at) };
}

/**
 * A valid entry for the file `file` holding `modules` and `plan` (none by default): its hash,
 * with the key, computed as the cache computes it.
 */
export function diskEntry(file: string, modules: Uint8Array[], plan: Uint8Array = new Uint8Array()): Buffer {
  const header = Buffer.alloc(COUNT_AT + 8 + 4 * modules.length);
  header.write('KEEL', 0, 'latin1');
  header.writeUInt32LE(FORMAT, 4);
  header.writeUInt32LE(modules.length, COUNT_AT);
  for (const [i, m] of modules.entries()) header.writeUInt32LE(m.length, COUNT_AT + 4 + 4 * i);
  header.writeUInt32LE(plan.length, COUNT_AT + 4 + 4 * modules.length);
  const hash = createHash('sha256').update(basename(file, '.metered')).update(header.subarray(COUNT_AT));
  for (const m of modules) hash.update(m);
  hash.update(plan);
  hash.digest().copy(header, HASH_AT);
  return Buffer.concat([header, ...modules, plan]);
}
