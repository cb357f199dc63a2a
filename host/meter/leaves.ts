/**
 * Uncharged twins of constant-cost leaf exports, for the host's scalar fast path
 * (host/abi/fast.ts). A leaf is an exported function whose body is straight-line code of
 * locals, constants, numeric instructions and loads and stores of memory 0: no branch, call,
 * global or grow, so every run that completes executes every instruction once and costs the
 * same, `cost`, which the pass charges as one subtraction at the body's end (a trap before it
 * charges nothing). The metered export is unchanged (every other caller pays through it); the
 * pass appends, after all other functions (no index moves), the original body as a function of
 * its own, exported as `keel:leaf/NAME`, and the costs in one custom section, `keel:leaves`,
 * which the host reads once per compiled module (`leafCosts`): a cost is a constant of the
 * module, not a `WebAssembly.Global` in every instance (idle memory and spawn, issue 12:
 * bench/results/twins-2026-12-07-17.md). The host's fast path calls the twin and charges `cost`
 * itself, from fuel the meter lends it, before the call (`MeterRuntime.lend`): the same fuel,
 * checked before the work runs, and no counter load and store inside a call of a few
 * nanoseconds (bench/results/perf-calls-2026-12-07-16.md). A module that exports either
 * reserved prefix itself is refused (module.ts), and the pass drops a `keel:leaves` section of
 * its input, so a twin and its cost are always the pass's. A leaf that costs nothing is written
 * as it is by the pass (module.ts: no counter read or write) and gets no twin: the section lists
 * it at cost 0, and the host calls the export itself, which cannot move the counter, with
 * nothing to settle after it. Written in the defined form only
 * (index.ts): a component's sole core instance.
 */
import { eachSection, nameBytes, Reader, type Writer } from './binary.js';
import type { CostTables } from './costs.js';
import { skipValueType } from './instructions.js';

export const LEAF_PREFIX = 'keel:leaf/';
/** Reserved as an export name prefix too (keel-meter-v6 exported each cost as a global under it). */
export const COST_PREFIX = 'keel:cost/';
/** The custom section of the twins' costs: a count, then each leaf's export name and cost (u32). */
export const LEAVES_SECTION = 'keel:leaves';
const LEAF_NAME = nameBytes(LEAF_PREFIX);
const COST_NAME = nameBytes(COST_PREFIX);
const LEAVES_NAME = nameBytes(LEAVES_SECTION);

/**
 * A twin's body at most this long (bytes): the fast path's exports are small; others are not
 * copied. Also the longest body looked at for costing nothing (module.ts): a free leaf is
 * listed at cost 0 only if it is written as it is, so the two bounds are one.
 */
export const MAX_LEAF_BODY = 256;
/** At most this many twins a module. */
const MAX_LEAVES = 64;
/** The fast path takes at most 3 parameters (each a scalar, one core value) and one result. */
const MAX_PARAMS = 3;

const utf8 = new TextDecoder();

/** The export name of `length` bytes at `bytes[at]`. */
function nameAt(bytes: Uint8Array, at: number, length: number): string {
  return utf8.decode(bytes.subarray(at, at + length));
}

/** Whether the name of `length` bytes at `bytes[at]` starts with a prefix the pass reserves. */
export function reservedLeafName(bytes: Uint8Array, at: number, length: number): boolean {
  return startsWith(bytes, at, length, LEAF_NAME) || startsWith(bytes, at, length, COST_NAME);
}

function startsWith(bytes: Uint8Array, at: number, length: number, prefix: Uint8Array): boolean {
  if (length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

export interface Leaf {
  /** The export's name, as bytes of the original module. */
  nameFrom: number;
  nameTo: number;
  type: number;
  bodyFrom: number;
  bodyTo: number;
  cost: number;
}

/**
 * The constant-cost leaf exports of `original` (of those named in `only`, when given: the
 * exports the host's fast path calls), in export order; none when there is none or the module
 * has a structure this does not expect. The module pass writes their twins in the same pass
 * (module.ts): their types after the function section's own, their exports after the module's
 * own (`writeTwinExports`), their bodies after the code section's own, and `keel:leaves` last
 * (`writeLeavesSection`). A second pass over the output to append them cost 150-200 µs of the
 * bench component's cold load (bench/results/perf-cold-2026-12-07-18.md).
 */
export function leavesOf(original: Uint8Array, costs: CostTables, only?: ReadonlySet<string>): Leaf[] {
  try {
    return findLeaves(original, costs, only);
  } catch {
    return [];
  }
}

function findLeaves(bytes: Uint8Array, costs: CostTables, only: ReadonlySet<string> | undefined): Leaf[] {
  let funcImports = 0;
  const shapes: boolean[] = [];
  let funcTypes: number[] = [];
  const exports: [number, number, number][] = [];
  let code: Reader | undefined;
  eachSection(bytes, (id, s) => {
    if (id === 1) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        if (s.byte() !== 0x60) {
          shapes.length = 0;
          return true;
        }
        const params = s.u32();
        for (let k = 0; k < params; k++) skipValueType(s);
        const results = s.u32();
        for (let k = 0; k < results; k++) skipValueType(s);
        shapes.push(params <= MAX_PARAMS && results <= 1);
      }
    } else if (id === 2) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        s.skipName();
        s.skipName();
        if (importKind(s) === 0x00) funcImports++;
      }
    } else if (id === 3) {
      const count = s.u32();
      funcTypes = [];
      for (let i = 0; i < count; i++) funcTypes.push(s.u32());
    } else if (id === 7) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const length = s.u32();
        const from = s.pos;
        s.skip(length);
        const kind = s.byte();
        const index = s.u32();
        // Not the canonical ABI's helpers (`cabi_realloc`, `cabi_post_*`): never lifted, never the fast path's.
        const helper =
          length >= 5 &&
          bytes[from] === 0x63 &&
          bytes[from + 1] === 0x61 &&
          bytes[from + 2] === 0x62 &&
          bytes[from + 3] === 0x69 &&
          bytes[from + 4] === 0x5f;
        if (
          kind === 0x00 &&
          index >= funcImports &&
          !helper &&
          (only === undefined || only.has(nameAt(bytes, from, length)))
        )
          exports.push([from, from + length, index - funcImports]);
      }
    } else if (id === 10) code = s;
    return false;
  });
  if (!code || exports.length === 0 || shapes.length === 0) return [];
  // Bodies by defined index.
  const c = code as Reader;
  const count = c.u32();
  if (count !== funcTypes.length) return [];
  const bodies = new Int32Array(count * 2);
  for (let i = 0; i < count; i++) {
    const size = c.u32();
    bodies[2 * i] = c.pos;
    bodies[2 * i + 1] = c.pos + size;
    c.skip(size);
  }
  const leaves: Leaf[] = [];
  for (const [nameFrom, nameTo, d] of exports) {
    if (leaves.length >= MAX_LEAVES || d >= count) continue;
    const type = funcTypes[d]!;
    if (shapes[type] !== true) continue;
    const from = bodies[2 * d]!;
    const to = bodies[2 * d + 1]!;
    if (to - from > MAX_LEAF_BODY) continue;
    // One that costs nothing is metered as it is, uncharged (module.ts): no twin, cost 0 in the section.
    const cost = leafCost(bytes, from, to, costs);
    if (cost >= 0) leaves.push({ nameFrom, nameTo, type, bodyFrom: from, bodyTo: to, cost });
  }
  return leaves;
}

/**
 * The cost of the body at `bytes[from, to)` when it is a constant-cost leaf (see above), else
 * -1: every instruction's price in the cost model, the body's final `end` free, as the pass
 * charges it.
 */
export function leafCost(bytes: Uint8Array, from: number, to: number, costs: CostTables): number {
  const r = new Reader(bytes, from, to);
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.u32();
    skipValueType(r);
  }
  const plain = costs.plain;
  let cost = 0;
  while (r.pos < to) {
    const op = r.byte();
    // At most 2^31 - 1 (`leafCosts` takes no more): a custom cost model's larger one gets no twin (review16 L2).
    if (op === 0x0b) return r.pos === to && cost <= 0x7fff_ffff ? cost : -1;
    if (op === 0x20 || op === 0x21 || op === 0x22) r.u32();
    else if (op === 0x41) r.skipLeb(5);
    else if (op === 0x42) r.skipLeb(10);
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op >= 0x28 && op <= 0x3e) {
      // A load or store of memory 0 (no multi-memory flag), any offset.
      const align = r.u32();
      if (align >= 0x40) return -1;
      r.skipLeb(10);
    } else if (op === 0xfc) {
      const sub = r.u32();
      if (sub > 7) return -1; // the saturating truncations only
      cost += costs.fc[sub]!;
      continue;
    } else if (!(op === 0x01 || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4))) return -1;
    cost += plain[op]!;
  }
  return -1;
}

/** The twins' exports, `keel:leaf/NAME`, the first at function index `firstTwin`. */
export function writeTwinExports(
  body: Writer,
  original: Uint8Array,
  leaves: readonly Leaf[],
  firstTwin: number,
): void {
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k]!;
    body.u32(LEAF_NAME.length + leaf.nameTo - leaf.nameFrom);
    body.copy(LEAF_NAME, 0, LEAF_NAME.length);
    body.copy(original, leaf.nameFrom, leaf.nameTo);
    body.byte(0x00);
    body.u32(firstTwin + k);
  }
}

/** The twins' bodies, the leaves' own (their original bytes). */
export function writeTwinBodies(out: Writer, original: Uint8Array, leaves: readonly Leaf[]): void {
  for (const leaf of leaves) {
    out.u32(leaf.bodyTo - leaf.bodyFrom);
    out.copy(original, leaf.bodyFrom, leaf.bodyTo);
  }
}

/** The `keel:leaves` section, last of the module: the host reads it once per compiled module (`leafCosts`). */
export function writeLeavesSection(
  out: Writer,
  body: Writer,
  original: Uint8Array,
  leaves: readonly Leaf[],
): void {
  body.reset();
  body.nameOf(LEAVES_NAME);
  body.u32(leaves.length);
  for (const leaf of leaves) {
    body.u32(leaf.nameTo - leaf.nameFrom);
    body.copy(original, leaf.nameFrom, leaf.nameTo);
    body.u32(leaf.cost);
  }
  out.section(0, body);
}

/** Each compiled module's leaf costs by export name, read once (`leafCosts`). */
const costsOf = new WeakMap<WebAssembly.Module, ReadonlyMap<string, number>>();
const NO_COSTS: ReadonlyMap<string, number> = new Map();

/**
 * The costs of the twins of a compiled module of the pass (its `keel:leaves` section), by the
 * leaf's export name, read once per module; none when the section is missing, repeated or not
 * as the pass writes it (the fast path then calls the metered export).
 */
export function leafCosts(module: WebAssembly.Module): ReadonlyMap<string, number> {
  let costs = costsOf.get(module);
  if (costs === undefined) {
    costs = readCosts(WebAssembly.Module.customSections(module, LEAVES_SECTION));
    costsOf.set(module, costs);
  }
  return costs;
}

function readCosts(sections: ArrayBuffer[]): ReadonlyMap<string, number> {
  if (sections.length !== 1) return NO_COSTS;
  const bytes = new Uint8Array(sections[0]!);
  try {
    const r = new Reader(bytes, 0, bytes.length);
    const count = r.u32();
    if (count > MAX_LEAVES) return NO_COSTS;
    const costs = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const name = r.name();
      const cost = r.u32();
      if (cost > 0x7fff_ffff || costs.has(name)) return NO_COSTS;
      costs.set(name, cost);
    }
    return r.pos === bytes.length ? costs : NO_COSTS;
  } catch {
    return NO_COSTS;
  }
}

/** Read an import's description (after its names): returns its kind. */
function importKind(s: Reader): number {
  const kind = s.byte();
  if (kind === 0x00) s.u32();
  else if (kind === 0x01) {
    s.byte();
    limits(s);
  } else if (kind === 0x02) limits(s);
  else if (kind === 0x03) {
    skipValueType(s);
    s.byte();
  } else if (kind === 0x04) {
    s.byte();
    s.u32();
  } else throw new Error(`unknown import kind ${kind}`);
  return kind;
}

function limits(s: Reader): void {
  const flags = s.byte();
  s.skipLeb(10);
  if (flags & 0x01) s.skipLeb(10);
}
