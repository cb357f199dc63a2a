/**
 * WAT → wasm for tests, benchmarks and the demo, with the `wabt` npm package (no Debian package needed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type wabtInit from 'wabt';
import { cached } from './wasm-tools.js';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
/**
 * wabt is imported on the first compile, not with this module: its 700 KB of JavaScript cost a
 * process about 0.1 s of CPU to evaluate, and most test files find every module they compile in
 * the cache.
 */
let wabt: Promise<Wabt> | undefined;

/** Features V8 in Node 20 accepts by default. */
export const WAT_FEATURES = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  tail_call: true,
};

/** Features beyond `WAT_FEATURES` that the metering tests also use: exceptions (legacy), threads. */
export const WAT_ALL_FEATURES = { ...WAT_FEATURES, exceptions: true, threads: true };

/** wabt's version, part of every cached output's key. */
let wabtVersion: string | undefined;

/**
 * WAT → wasm, from the fixtures' cache (./wasm-tools.ts) when these exact inputs were compiled
 * before: starting wabt costs a process about 0.1 s of CPU. Errors are not cached.
 */
export async function wat(source: string, name = 'inline.wat', features = WAT_FEATURES): Promise<Uint8Array> {
  if (wabtVersion === undefined) {
    const main = fileURLToPath(import.meta.resolve('wabt'));
    const pkg = `${main.slice(0, main.lastIndexOf('/node_modules/wabt/'))}/node_modules/wabt/package.json`;
    wabtVersion = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  }
  const flags = JSON.stringify(Object.entries(features).sort(([a], [b]) => (a < b ? -1 : 1)));
  return cached(['wat', wabtVersion, name, flags, source], () => watUncached(source, name, features));
}

/** WAT → wasm by wabt itself, never from the cache (what `wat` stores; its tests compare with it). */
export async function watUncached(
  source: string,
  name = 'inline.wat',
  features = WAT_FEATURES,
): Promise<Uint8Array> {
  wabt ??= import('wabt').then(({ default: init }) => init());
  const module = (await wabt).parseWat(name, source, features);
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}
