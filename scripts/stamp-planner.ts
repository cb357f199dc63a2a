/**
 * `npm run build`'s step after strip-comments: writes the planner's fingerprint into
 * dist/host/abi/plan-fingerprint.js (host/abi/plan-fingerprint.ts says what it keys). It is the
 * sha256 of every compiled module that the roots below import statically, directly or not, each
 * by its path under dist/host and its text (without comments: a comment changes no plan), the
 * fingerprint's own file left out. A module the planner comes to import is hashed with it, and a
 * change to any of them (a check added to the parser, the planner, the loader or the meter) makes
 * another fingerprint: a disk entry written by other code is not read
 * (test/loader/plan-cache-fingerprint).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The modules whose code decides what a disk entry holds (paths under dist/host). */
export const ROOTS = [
  'loader/loader.js',
  'abi/plan-codec.js',
  'kernel/metering.js',
  'kernel/import-types.js',
  'kernel/export-types.js',
];
export const FINGERPRINT_FILE = 'abi/plan-fingerprint.js';

/** Relative specifiers of a compiled module's static imports and re-exports. */
export function staticImports(text: string): string[] {
  const out: string[] = [];
  const from = /(?:^|[\n;])\s*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])(\.{1,2}\/[^'"]+)\1/g;
  const bare = /(?:^|[\n;])\s*import\s*(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const m of text.matchAll(from)) out.push(m[2]!);
  for (const m of text.matchAll(bare)) out.push(m[2]!);
  return out;
}

/** The files (absolute) that `ROOTS` reach under `hostDir`, sorted. */
export function plannerFiles(hostDir: string): string[] {
  const seen = new Set<string>();
  const todo = ROOTS.map((r) => join(hostDir, r));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) todo.push(resolve(dirname(file), spec));
  }
  seen.delete(join(hostDir, FINGERPRINT_FILE));
  return [...seen].sort();
}

/** The fingerprint of the compiled host code under `hostDir` (dist/host). */
export function plannerFingerprint(hostDir: string): string {
  const hash = createHash('sha256');
  for (const file of plannerFiles(hostDir)) {
    hash.update(relative(hostDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function fingerprintModule(fingerprint: string): string {
  return `export const PLANNER_FINGERPRINT = '${fingerprint}';\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const host = fileURLToPath(new URL('../host/', import.meta.url));
  writeFileSync(join(host, FINGERPRINT_FILE), fingerprintModule(plannerFingerprint(host)));
}
