/**
 * Which functions pass fuel in a parameter (the `local` strategy's fast convention), decided
 * once per pass over the module from what escapes, what the tables hold and the tail calls.
 */
import { malformed } from './binary.js';

/**
 * What a first pass learned that makes fuel passing through tables unsafe: tables the code
 * reads or changes (`table.get`, `table.set`, ...), and functions it names with `ref.func`.
 */
export interface Leaks {
  tables: Set<number>;
  /** Defined function indices (original numbering). */
  functions: Set<number>;
  /**
   * Tail calls, `[caller, callee]` and `[caller, table, type]`: a tail call keeps its meaning
   * (no frame left behind, no `try` of the caller around the callee) only between functions of
   * one convention, so their conventions are decided together.
   */
  tailCalls: [number, number][];
  tailIndirect: [number, number, number][];
  /** A tail call between conventions was seen: the pass must run again with the edges known. */
  mismatch: boolean;
}

export const noLeaks = (): Leaks => ({
  tables: new Set(),
  functions: new Set(),
  tailCalls: [],
  tailIndirect: [],
  mismatch: false,
});

/** What the module pass knows when the code section starts. */
export interface PassingInput {
  /** Type index of each defined function. */
  funcTypes: readonly number[];
  /** Type index of each imported function. */
  importTypes: readonly number[];
  funcImports: number;
  /** By type index: whether it has a fuel-passing twin. */
  hasTwin: (type: number) => boolean;
  /** By type index: its signature, and its twin's (empty when it has none). */
  typeKeys: readonly string[];
  twinKey: (type: number) => string;
  /** By defined function: 1 when a reference to it escapes (export, element, global, start). */
  escaped: Uint8Array;
  /** Exported functions that have a wrapper, in the order the wrappers are appended. */
  wrapped: readonly number[];
  /** Entries (function indices, original numbering) of active segments, by table. */
  tableEntries: ReadonlyMap<number, readonly number[]>;
  /** Tables that JavaScript or the code may read or change. */
  openTables: ReadonlySet<number>;
  leaks: Leaks;
}

/** A map of lists: add `value` to `key`'s. */
function link<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Which functions pass fuel (1 by defined function index), and by table the signatures whose
 * `call_indirect` passes fuel (added to `passingIndirect`). Any function that escapes keeps its
 * type. A function reached only through closed tables passes fuel if every function of its type
 * in each of those tables can (a `call_indirect` uses one convention per table and type): one
 * that cannot holds its whole group back, which may hold back other groups, until nothing
 * changes.
 */
export function decidePassing(p: PassingInput, passingIndirect: Map<number, Set<string>>): Uint8Array {
  const internal = new Uint8Array(p.funcTypes.length);
  for (let i = 0; i < p.funcTypes.length; i++) {
    const type = p.funcTypes[i]!;
    if (type >= p.typeKeys.length) malformed(`function ${p.funcImports + i} has an unknown type`);
    if (p.escaped[i] === 0 && p.hasTwin(type) && !p.leaks.functions.has(p.funcImports + i)) internal[i] = 1;
  }
  for (const [table, entries] of p.tableEntries) {
    if (!p.openTables.has(table)) continue;
    for (const f of entries) if (f >= p.funcImports) internal[f - p.funcImports] = 0;
  }
  // No table entries and no tail calls: no group and no neighbour, nothing to settle (the graph
  // and the worklist were 4-10 µs of a cold load of the bench component, a module like most).
  if (p.tableEntries.size === 0 && p.leaks.tailCalls.length === 0 && p.leaks.tailIndirect.length === 0)
    return internal;
  const graph = buildGraph(p);
  const blocked = settle(p, graph, internal);
  for (const key of graph.groups.keys()) {
    if (blocked.has(key)) continue;
    const table = Number(key.slice(0, key.indexOf(':')));
    const type = key.slice(key.indexOf(':') + 1);
    const set = passingIndirect.get(table);
    if (set) set.add(type);
    else passingIndirect.set(table, new Set([type]));
  }
  return internal;
}

/** Who must share a convention with whom. */
interface Graph {
  /** By closed table and signature (`table:signature`), the functions a `call_indirect` can reach. */
  groups: Map<string, number[]>;
  groupsOf: Map<number, string[]>;
  /** Tail calls: neighbours must share a convention (both ways). */
  neighbours: Map<number, number[]>;
  /** Tail calls through a closed table: the group's callers share its convention. */
  groupCallers: Map<string, number[]>;
  callerGroups: Map<number, string[]>;
  /** Tail calls through an open table, or to no group: the caller keeps the plain convention. */
  ungrouped: number[];
  typeOf: (f: number) => number | undefined;
}

function buildGraph(p: PassingInput): Graph {
  const { funcImports, funcTypes } = p;
  const typeOf = (f: number): number | undefined => {
    if (f < funcImports) return p.importTypes[f];
    const defined = f - funcImports;
    if (defined < funcTypes.length) return funcTypes[defined];
    const target = p.wrapped[defined - funcTypes.length];
    return target === undefined ? undefined : funcTypes[target - funcImports];
  };
  const g: Graph = {
    groups: new Map(),
    groupsOf: new Map(),
    neighbours: new Map(),
    groupCallers: new Map(),
    callerGroups: new Map(),
    ungrouped: [],
    typeOf,
  };
  for (const [table, entries] of p.tableEntries) {
    if (p.openTables.has(table)) continue;
    for (const f of entries) {
      const type = typeOf(f);
      if (type === undefined || type >= p.typeKeys.length) malformed(`element names unknown function ${f}`);
      const key = `${table}:${p.typeKeys[type]}`;
      link(g.groups, key, f);
      link(g.groupsOf, f, key);
    }
  }
  for (const [caller, callee] of p.leaks.tailCalls) {
    link(g.neighbours, caller, callee);
    link(g.neighbours, callee, caller);
  }
  for (const [caller, table, type] of p.leaks.tailIndirect) {
    const key = `${table}:${p.typeKeys[type]}`;
    if (p.openTables.has(table) || !g.groups.has(key)) g.ungrouped.push(caller);
    else {
      link(g.groupCallers, key, caller);
      link(g.callerGroups, caller, key);
    }
  }
  return g;
}

/**
 * Hold back whatever cannot pass fuel, and everything that must share its convention, until
 * nothing changes. A worklist: each function is held back at most once, each group at most
 * once (linear). Returns the groups held back.
 */
function settle(p: PassingInput, g: Graph, internal: Uint8Array): Set<string> {
  const { funcImports } = p;
  const passes = (f: number) => f >= funcImports && internal[f - funcImports] === 1;
  const blocked = new Set<string>();
  const queue: number[] = [];
  const demote = (f: number) => {
    if (!passes(f)) return;
    internal[f - funcImports] = 0;
    queue.push(f);
  };
  const block = (key: string) => {
    if (blocked.has(key)) return;
    blocked.add(key);
    for (const f of g.groups.get(key) ?? []) demote(f);
    for (const caller of g.groupCallers.get(key) ?? []) demote(caller);
  };
  // A twin signature that equals one of the module's own would let a `call_indirect` of that
  // type reach a function it could not reach before: such groups keep the plain convention.
  const signatures = new Set(p.typeKeys);
  for (const [key, members] of g.groups) {
    const type = g.typeOf(members[0]!)!;
    if (signatures.has(p.twinKey(type)) || !members.every(passes)) block(key);
  }
  for (const [caller, callee] of p.leaks.tailCalls) {
    if (!passes(caller)) demote(callee);
    if (!passes(callee)) demote(caller);
  }
  for (const caller of g.ungrouped) demote(caller);
  for (const [caller, keys] of g.callerGroups) if (!passes(caller)) for (const key of keys) block(key);
  while (queue.length > 0) {
    const f = queue.pop()!;
    for (const key of g.groupsOf.get(f) ?? []) block(key);
    for (const other of g.neighbours.get(f) ?? []) demote(other);
    for (const key of g.callerGroups.get(f) ?? []) block(key);
  }
  return blocked;
}
