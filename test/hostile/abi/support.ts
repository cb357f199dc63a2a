/**
 * The attacks on the canonical ABI boundary (test/hostile/abi/): hostile components, and a
 * launcher that runs one in a kernel beside a benign neighbour sandbox, then checks that the
 * host carries on: the neighbour still answers, the loader still loads, within bounded time
 * and memory. Each attack says what it must end as (`trap` for a guest's misuse at run time,
 * `invalid-module` at load); the ones today's run path gets wrong are listed, with what
 * happens instead, in PENDING.md beside this file (and run by pending.test.ts for survival).
 */
import { expect } from 'vitest';
import {
  type CapabilityProvider,
  isKeelError,
  type KeelError,
  Kernel,
  type KernelOptions,
  type Sandbox,
} from '../../../host/index.js';
import { componentEmbed, componentNew, parse } from '../../../scripts/lib/wasm-tools.js';
import { wat } from '../../../scripts/lib/wat.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../../helpers/components.js';

export type StringEncoding = 'utf8' | 'utf16' | 'compact-utf16';

/**
 * A component from a core module's fields (imports first; a memory named `memory` is added)
 * and a WIT world `w` of package `keel:hostile`.
 */
export async function hostileComponent(
  fields: string,
  world: string,
  encoding: StringEncoding = 'utf8',
  features: Parameters<typeof wat>[2] = undefined,
): Promise<Uint8Array> {
  const core = await wat(`(module\n${fields}\n(memory (export "memory") 1))`, 'hostile.wat', features);
  const embedded = await componentEmbed({
    binary: core,
    witSource: `package keel:hostile;\n${world}`,
    world: 'w',
    stringEncoding: encoding,
  });
  return componentNew(embedded, undefined);
}

/**
 * The WIT types of a world's imports as a provider declares them (`CapabilityProvider.wit`): the
 * dummy component wasm-tools makes for world `world` of package `keel:hostile`.
 */
export async function witTypes(wit: string, world = 'w'): Promise<Uint8Array> {
  const embedded = await componentEmbed({ dummy: true, witSource: `package keel:hostile;\n${wit}`, world });
  return componentNew(embedded, undefined);
}

/** A component from component WAT (for what WIT cannot say: malformed types, bad names). */
export function componentText(text: string): Promise<Uint8Array> {
  return parse(text);
}

/** A WAT string literal for any text (every character outside printable ASCII escaped). */
/**
 * Milliseconds one load of `bytes` takes in a fresh kernel (a kernel answers the same bytes again
 * from memory), closed after. What the load throws, the caller gets.
 */
export async function loadMs(
  bytes: Uint8Array,
  options: Pick<KernelOptions, 'metering'> = {},
): Promise<number> {
  const kernel = new Kernel({ cacheDir: false, ...options });
  try {
    const started = performance.now();
    await kernel.load(bytes);
    return performance.now() - started;
  } finally {
    await kernel.close();
  }
}

export function watString(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    out += code >= 0x20 && code < 0x7f && c !== '"' && c !== '\\' ? c : `\\u{${code.toString(16)}}`;
  }
  return `"${out}"`;
}

/** A bump `cabi_realloc` that never misbehaves (for attacks elsewhere). */
export const REALLOC = `(global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))`;

/** Core code that returns `(ptr, len)` through a return area at 16 (for a string or list result). */
export function returnsPair(ptr: number, len: number): string {
  return `(i32.store (i32.const 16) (i32.const ${ptr})) (i32.store (i32.const 20) (i32.const ${len})) (i32.const 16)`;
}

export interface Attack {
  component: () => Promise<Uint8Array>;
  /** The export to call once spawned (none: the attack is in loading). */
  call?: string;
  args?: unknown[];
  /** Instead of `call`: whatever the test does with the spawned sandbox (its result is `value`). */
  probe?: (sandbox: Sandbox) => unknown;
  /** Exports to call first, with their arguments, to set the attack up. */
  before?: [string, unknown[]][];
  providers?: CapabilityProvider[];
  grants?: string[];
}

export interface Aftermath {
  /** What the attack ended as: its error, or its value when it did not fail. */
  error: KeelError | undefined;
  thrown: unknown;
  value: unknown;
  /** The attacked sandbox, when it was spawned. */
  sandbox: Sandbox | undefined;
  ms: number;
  heapGrowthBytes: number;
}

let neighbourBytes: Promise<Uint8Array> | undefined;
let warmed: Promise<void> | undefined;
let fresh = 0;

/**
 * Loads a component once per process: the one-time start-up of the tools that build the
 * components (seconds on a loaded machine) is not the attack's time.
 */
function warmUp(): Promise<void> {
  warmed ??= (async () => {
    const adder = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const kernel = new Kernel({ cacheDir: false });
    try {
      await kernel.load(adder);
    } finally {
      await kernel.close();
    }
  })();
  return warmed;
}

/** The neighbour's module, made different each time (an unused global) so that loading it is never a cache hit. */
function freshNeighbour(): Promise<Uint8Array> {
  fresh++;
  const core = ADDER_WAT.replace(
    '(memory (export "memory") 1)',
    `(memory (export "memory") 1) (global i32 (i32.const ${fresh}))`,
  );
  return componentFromWat(core, ADDER_WIT, 'adder');
}

/**
 * Runs an attack beside a neighbour sandbox of the same kernel, then checks that the host
 * carries on: the neighbour answers `add(2, 3) = 5`, and (unless `loaderSurvives: false`, for
 * an attack known to break it today) a fresh load and spawn of a new module in the same kernel
 * works.
 */
export async function launch(attack: Attack, options: { loaderSurvives?: boolean } = {}): Promise<Aftermath> {
  await warmUp();
  const kernel = new Kernel({ cacheDir: false, providers: attack.providers ?? [] });
  try {
    neighbourBytes ??= componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const neighbour = await kernel.spawn(await kernel.load(await neighbourBytes, { name: 'neighbour' }));
    const component = await attack.component();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let sandbox: Sandbox | undefined;
    let value: unknown;
    let thrown: unknown;
    try {
      const module = await kernel.load(component, { name: 'hostile' });
      sandbox = await kernel.spawn(module, { grants: attack.grants ?? [] });
      for (const [name, args] of attack.before ?? []) sandbox.fn(name)(...args);
      if (attack.call) value = sandbox.fn(attack.call)(...(attack.args ?? []));
      if (attack.probe) value = await attack.probe(sandbox);
    } catch (error) {
      thrown = error;
    }
    const ms = performance.now() - started;
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore;
    expect(neighbour.fn('docs:adder/add#add')(2, 3), 'the neighbour sandbox still answers').toBe(5);
    if (options.loaderSurvives !== false) {
      const after = await kernel.spawn(await kernel.load(await freshNeighbour(), { name: 'after' }));
      expect(after.fn('docs:adder/add#add')(20, 22), 'the loader still loads (and transpiles)').toBe(42);
    }
    return {
      error: isKeelError(thrown) ? thrown : undefined,
      thrown,
      value,
      sandbox,
      ms,
      heapGrowthBytes,
    };
  } finally {
    await kernel.close();
  }
}

/** The checks every attack shares: a typed error of this code, in bounded time and memory. */
export function expectContained(
  aftermath: Aftermath,
  code: 'trap' | 'invalid-module' | 'capability-denied',
  maxMs = 10_000,
): void {
  expect(aftermath.error, `expected ${code}, got ${String(aftermath.thrown ?? 'a value')}`).toBeDefined();
  expect(aftermath.error!.code).toBe(code);
  if (code === 'trap') expect(aftermath.sandbox?.state).toBe('poisoned');
  // Refused before any guest code ran: no sandbox to poison.
  if (code === 'capability-denied' || code === 'invalid-module') expect(aftermath.sandbox).toBeUndefined();
  expect(aftermath.ms).toBeLessThan(maxMs);
  expect(aftermath.heapGrowthBytes).toBeLessThan(64 * 1024 * 1024);
}

/**
 * The core module of a flood of `keel:hostile/sink`'s `take: func(l: list<T>) -> u32`:
 * `flood(n, len)` hands it the zeroed memory from 64 KiB on as a list of `len` values, n times
 * (4 pages: up to 192 KiB of elements); `more` adds functions to the module.
 */
export function sinkFloodWat(more = ''): string {
  return `(module
  (import "keel:hostile/sink" "take" (func $take (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "flood") (param $n i32) (param $len i32) (result i32) (local $i i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r (call $take (i32.const 65536) (local.get $len)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $r))${more})`;
}

/**
 * A cost attack on a provider's import (the lift-price tests): a kernel with `provider` alone,
 * fuel and the deadline out of the way (what is measured is host time per unit of fuel), and the
 * attack component (world `w`) spawned with the provider's interface granted. The kernel is
 * the caller's to close (closed here if the spawn fails).
 */
export async function providerFlood(
  provider: CapabilityProvider,
  watSource: string,
  witSource: string,
  hostArgBytes?: number,
): Promise<{ kernel: Kernel; flood: Sandbox }> {
  const kernel = new Kernel({
    cacheDir: false,
    providers: [provider],
    limits: {
      fuel: Number.MAX_SAFE_INTEGER,
      fuelTotal: Number.MAX_SAFE_INTEGER,
      deadlineMs: 600_000,
      ...(hostArgBytes === undefined ? {} : { hostArgBytes }),
    },
  });
  try {
    const flood = await kernel.spawn(await kernel.load(await componentFromWat(watSource, witSource, 'w')), {
      grants: [...provider.interfaces],
    });
    return { kernel, flood };
  } catch (error) {
    await kernel.close();
    throw error;
  }
}

/**
 * A guest whose `bomb(n)` grows its memory to hold n bytes and returns them all as a
 * `list<tuple<bool>>` of n one-byte tuples: 64 host bytes an element from one guest byte
 * (host/abi/heap.ts). For the attacks on what one call may make the host hold.
 */
export const TUPLE_BOMB_WIT = `package test:hostile-abi;
world bomb { export bomb: func(n: u32) -> list<tuple<bool>>; }`;
export const TUPLE_BOMB_WAT = `(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "bomb") (param $n i32) (result i32)
    (drop (memory.grow (i32.shr_u (i32.add (local.get $n) (i32.const 0xffff)) (i32.const 16))))
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16)))`;
