/**
 * A core module type (`core type (module ...)`) is validated as core validation validates a
 * module (wasmparser validates module types so): each export's name once, each import's two-level
 * name once, a table's or memory's minimum no greater than its maximum, a memory of at most 2^16
 * pages (2^48 when 64-bit), a shared memory with a maximum, no shared table. Before, only its
 * function type indices were checked (the component model's validation/core-modules.wast 43-110).
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { loadOutcome } from '../helpers/components.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

async function load(decls: string): Promise<string> {
  const bytes = await parse(`(component (core type (module ${decls})))`);
  return loadOutcome(kernel, bytes);
}

it.each([
  ['(export "a" (func)) (export "a" (func))', /exports "a" twice/],
  ['(import "m" "a" (func)) (import "m" "a" (global i32))', /imports "m.a" twice/],
  ['(import "" "t" (table 2 1 funcref))', /the minimum 2 is greater than the maximum 1/],
  ['(import "" "m" (memory 3 2))', /the minimum 3 is greater than the maximum 2/],
  ['(import "" "m" (memory 65537))', /at most 65536 pages/],
  ['(export "m" (memory 1 65537))', /at most 65536 pages/],
  ['(import "" "m" (memory i64 281474976710657))', /at most 281474976710656 pages/],
  ['(import "" "m" (memory 1 shared))', /a shared memory must have a maximum/],
])('refuses a module type with %s', async (decls, message) => {
  const got = await load(decls);
  expect(got).toMatch(/^invalid-module: /);
  expect(got).toMatch(message);
});

it.each([
  '(import "m" "a" (func)) (import "n" "a" (func)) (export "a" (func)) (export "b" (func))',
  '(import "" "t" (table 1 1 funcref)) (import "" "m" (memory 2 2))',
  '(import "" "m" (memory 65536)) (export "n" (memory 0 65536))',
  '(import "" "m" (memory i64 281474976710656))',
  '(import "" "m" (memory 1 2 shared))',
])('loads a valid module type: %s', async (decls) => {
  expect(await load(decls)).toBe('loaded');
});
