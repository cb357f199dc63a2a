/**
 * The module-level pass: walks the sections once, in order, copying what does not change and
 * rewriting what does.
 *
 * - Adds four imports from `keel` (the fuel global and three host functions) at the end of the
 *   import section, so imported functions and globals keep their indices and every defined
 *   function index moves up by 3, every defined global by 1. Every place that names one is
 *   fixed: code, constant expressions, exports, start, elements, and the name section.
 * - Adds types: two for those imports, `[] -> results` for bodies with several results, and a
 *   fuel-passing twin `[params, i64] -> [results, i64]` of every type.
 * - Decides which functions pass fuel (`decidePassing`). The function section is written only
 *   when the code section starts, once everything that decides it (exports, elements, start,
 *   globals) has been read; code that changes the decision (a `ref.func`, a table access, a
 *   tail call across conventions) makes the whole pass run once more (`rewriteModule`).
 * - Caps every defined memory's and table's maximum.
 * - Rewrites function bodies with `BodyRewriter`.
 * - Drops debug sections whose code offsets the rewriting invalidates (DWARF, source maps,
 *   branch hints).
 */
import { KeelError } from '../kernel/errors.js';
import { eachSection, MalformedError, malformed, Reader, Writer } from './binary.js';
import type { CostTables } from './costs.js';
import { BodyRewriter, skipValueType } from './fuel.js';
import { rewriteNameSection } from './names.js';

/** The host-side names of what the rewriter imports. */
export const KEEL_MODULE = 'keel';
export const KEEL_IMPORTS = {
  fuel: 'fuel',
  fuelSlice: 'fuel_slice',
  memoryGrow: 'memory_grow',
  tableGrow: 'table_grow',
} as const;

/** Function imports the rewriter adds (all defined function indices move up by this). */
export const FUNC_SHIFT = 3;

/** Functions with this many params or results keep the plain convention (V8 allows 1000). */
const MAX_PASSING = 999;
/** V8's limits on the number of types and of functions in a module. */
const MAX_TYPES = 1_000_000;
const MAX_FUNCTIONS = 1_000_000;

/** Defined or imported function indices that the export section names (read ahead). */
function scanExportedFunctions(bytes: Uint8Array): Set<number> {
  const found = new Set<number>();
  eachSection(bytes, (id, s) => {
    if (id !== 7) return undefined;
    const count = s.u32();
    for (let i = 0; i < count; i++) {
      s.skip(s.u32());
      const kind = s.byte();
      const index = s.u32();
      if (kind === 0x00) found.add(index);
    }
    return true;
  });
  return found;
}

/** A signature as a string (value types are one byte each here), whatever its encoding. */
function signatureKey(params: string, results: string): string {
  return `${params}->${results}`;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

export interface RewriteOptions {
  costs: CostTables;
  maxMemoryPages: number;
  maxTableElements: number;
  maxDataSegmentBytes: number;
  strategy: 'local' | 'global';
  countedLoops: boolean;
}

const SECTION_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

/** Custom sections that describe code offsets or function bodies the pass changes. */
function dropsCustom(name: string): boolean {
  return (
    name.startsWith('.debug_') ||
    name === 'sourceMappingURL' ||
    name === 'external_debug_info' ||
    name.startsWith('metadata.code.')
  );
}

const TYPE_VOID = [0x60, 0x00, 0x00];
const TYPE_I32_I32_TO_I32 = [0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f];

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

const noLeaks = (): Leaks => ({
  tables: new Set(),
  functions: new Set(),
  tailCalls: [],
  tailIndirect: [],
  mismatch: false,
});

export function rewriteModule(bytes: Uint8Array, options: RewriteOptions): Uint8Array {
  const leaks = noLeaks();
  for (let attempt = 0; ; attempt++) {
    const found = noLeaks();
    const out = rewriteOnce(bytes, options, leaks, found);
    if (found.tables.size === 0 && found.functions.size === 0 && !found.mismatch) return out;
    if (attempt >= 3) throw new Error('fuel passing did not settle');
    // Rare: code that inspects a table, takes a function's reference, or tail-calls across
    // conventions. Once more, knowing it.
    for (const t of found.tables) leaks.tables.add(t);
    for (const f of found.functions) leaks.functions.add(f);
    leaks.tailCalls = found.tailCalls;
    leaks.tailIndirect = found.tailIndirect;
  }
}

function rewriteOnce(bytes: Uint8Array, options: RewriteOptions, leaks: Leaks, found: Leaks): Uint8Array {
  if (bytes.length < 8) malformed('shorter than a module header');
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    malformed('no \\0asm magic number');
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    if (bytes[6] === 1 && bytes[7] === 0) malformed('this is a component, not a core module');
    malformed('unsupported binary version');
  }

  const out = new Writer(Math.max(1024, Math.floor(bytes.length * 1.5)));
  out.copy(bytes, 0, 8);
  const body = new Writer(1024);
  const r = new Reader(bytes, 8);

  const paramCounts: number[] = [];
  let funcImports = 0;
  let globalImports = 0;
  const tableTypes: number[] = [];
  const funcTypes: number[] = [];
  let typesWritten = false;
  let importsWritten = false;
  let lastOrder = 0;
  let codeSeen = false;
  let voidType = -1;
  let growType = -1;

  const resultBlockTypes: Uint8Array[] = [];
  /** Types `[] -> results` added for functions with several results (their body block's type). */
  const companions: [number, number][] = [];
  /**
   * By type index: where its params and results are, for its fuel-passing twin
   * `[params, i64] -> [results, i64]` (or undefined when the type cannot take one more).
   */
  const twins: ([number, number, number, number, number, number] | undefined)[] = [];
  let passing = options.strategy === 'local';
  /** By type index: its signature, as a string of its bytes (types match by structure). */
  const typeKeys: string[] = [];
  const importTypes: number[] = [];
  let twinBase = 0;
  const writeTypes = (start: number, end: number, count: number) => {
    // Twins double the types; never past V8's limit on them.
    if (count * 2 + 2 + companions.length > MAX_TYPES) passing = false;
    voidType = count;
    growType = count + 1;
    body.reset();
    body.u32(count + 2 + companions.length + (passing ? twins.length : 0));
    body.copy(bytes, start, end);
    for (const b of TYPE_VOID) body.byte(b);
    for (const b of TYPE_I32_I32_TO_I32) body.byte(b);
    for (const [from, to] of companions) {
      body.byte(0x60);
      body.byte(0x00);
      body.copy(bytes, from, to);
    }
    twinBase = count + 2 + companions.length;
    if (passing) {
      for (const twin of twins) {
        if (!twin) {
          body.byte(0x60); // a placeholder keeps twin indices simple
          body.byte(0x00);
          body.byte(0x00);
          continue;
        }
        const [params, paramsFrom, paramsTo, results, resultsFrom, resultsTo] = twin;
        body.byte(0x60);
        body.u32(params + 1);
        body.copy(bytes, paramsFrom, paramsTo);
        body.byte(0x7e);
        body.u32(results + 1);
        body.copy(bytes, resultsFrom, resultsTo);
        body.byte(0x7e);
      }
    }
    out.section(1, body);
    typesWritten = true;
  };
  const writeImports = (start: number, end: number, count: number) => {
    body.reset();
    body.u32(count + 4);
    body.copy(bytes, start, end);
    const add = (name: string, kind: number, desc: number[]) => {
      body.name(KEEL_MODULE);
      body.name(name);
      body.byte(kind);
      for (const b of desc) body.u32(b);
    };
    add(KEEL_IMPORTS.fuel, 0x03, [0x7e, 0x01]);
    add(KEEL_IMPORTS.fuelSlice, 0x00, [voidType]);
    add(KEEL_IMPORTS.memoryGrow, 0x00, [growType]);
    add(KEEL_IMPORTS.tableGrow, 0x00, [growType]);
    out.section(2, body);
    importsWritten = true;
  };
  let functionSectionAt = -1;
  let escaped = new Uint8Array(0);
  let internal = new Uint8Array(0);
  /**
   * Exported functions get a wrapper of their own type, appended after the defined functions:
   * every reference that lets a function escape (export, element, global, start, `ref.func`)
   * names the wrapper, which loads the counter, calls the function with it and stores it
   * back; direct calls keep calling the function, which then passes fuel. (An exported
   * recursive function would otherwise pay the plain convention on every call.)
   */
  const exported = scanExportedFunctions(bytes);
  let wrapped: number[] = [];
  const wrapperOf = new Map<number, number>();
  const decideWrappers = () => {
    if (!passing) return;
    const candidates = [...exported]
      .filter(
        (f) => f >= funcImports && f - funcImports < funcTypes.length && twins[funcTypes[f - funcImports]!],
      )
      .sort((a, b) => a - b);
    if (funcImports + FUNC_SHIFT + funcTypes.length + candidates.length > MAX_FUNCTIONS) return;
    wrapped = candidates;
    for (const [k, f] of wrapped.entries()) wrapperOf.set(f, funcImports + funcTypes.length + k);
  };
  /** The index an escaping reference to `index` uses (original numbering in, final out). */
  const escapeIndex = (index: number) => {
    if (index < funcImports) return index;
    return (wrapperOf.get(index) ?? index) + FUNC_SHIFT;
  };
  /** Renumber a function index that escapes (export, element, global, start). */
  const remapFunc = (index: number) => {
    if (index < funcImports) return index;
    if (!wrapperOf.has(index) && index - funcImports < escaped.length) escaped[index - funcImports] = 1;
    return escapeIndex(index);
  };
  const remapFuncName = (index: number) => (index >= funcImports ? index + FUNC_SHIFT : index);
  /** Tables that JavaScript or the code may read or change (imported, exported, inspected). */
  const openTables = new Set<number>(leaks.tables);
  /** Entries (function indices, original numbering) put in each table by active segments. */
  const tableEntries = new Map<number, number[]>();
  const onElement = (table: number, func: number | undefined) => {
    if (func !== undefined) func = wrapperOf.get(func) ?? func; // the table holds the wrapper
    if (table < 0 || func === undefined) {
      // A passive or declarative segment, or an entry we cannot name: it escapes.
      if (table >= 0) openTables.add(table);
      else if (func !== undefined) remapFunc(func);
      return;
    }
    const list = tableEntries.get(table);
    if (list) list.push(func);
    else tableEntries.set(table, [func]);
  };
  /** By table: original type indices whose `call_indirect` passes fuel. */
  const passingIndirect = new Map<number, Set<string>>();
  const remapLocalName = (func: number, local: number) => {
    const defined = func - funcImports;
    if (defined < 0 || internal[defined] !== 1) return local;
    return local >= paramCounts[funcTypes[defined]!]! ? local + 1 : local;
  };
  /** Whether each defined function has a restart trampoline (see `writeRestart`). */
  let restarts = false;
  const writeRestart = (w: Writer, i: number) => {
    const params = paramCounts[funcTypes[i]!]!;
    const passes = internal[i] === 1;
    const t = new Writer(16 + params * 3);
    t.byte(0);
    t.byte(0x10);
    t.u32(funcImports);
    for (let k = 0; k < params; k++) {
      t.byte(0x20);
      t.u32(k);
    }
    if (passes) {
      t.byte(0x23);
      t.u32(globalImports);
    }
    t.byte(0x12);
    t.u32(funcImports + i + FUNC_SHIFT);
    t.byte(0x0b);
    w.u32(t.len);
    w.append(t);
  };
  const writeFunctions = () => {
    if (functionSectionAt < 0) return;
    decidePassing();
    body.reset();
    restarts = funcImports + FUNC_SHIFT + 2 * funcTypes.length + wrapped.length <= MAX_FUNCTIONS;
    body.u32(funcTypes.length + wrapped.length + (restarts ? funcTypes.length : 0));
    for (let i = 0; i < funcTypes.length; i++) {
      const type = funcTypes[i]!;
      body.u32(internal[i] === 1 ? twinBase + type : type);
    }
    for (const f of wrapped) body.u32(funcTypes[f - funcImports]!);
    if (restarts) {
      for (let i = 0; i < funcTypes.length; i++) {
        const type = funcTypes[i]!;
        body.u32(internal[i] === 1 ? twinBase + type : type);
      }
    }
    const section = new Writer(body.len + 6);
    section.section(3, body);
    out.insert(functionSectionAt, section);
    functionSectionAt = -1;
  };
  const remapGlobal = (index: number) => (index >= globalImports ? index + 1 : index);
  /**
   * `local.get 0..n-1; global.get $fuel; call $f; global.set $fuel`, or, when `$f` ended up with
   * the plain convention (held back by a tail call), `local.get 0..n-1; return_call $f`: the
   * wrapper may itself be the target of a tail call (`return_call_indirect` through a table,
   * `return_call` of an import), and a plain `call` would leave its frame on every round of a
   * tail-recursive chain. A body that passes fuel makes tail calls only to functions that pass
   * fuel too (the pass decides tail-call neighbours together), so no tail chain comes back
   * through its wrapper and the plain `call` there adds at most one frame.
   */
  const writeWrapper = (w: Writer, f: number) => {
    const params = paramCounts[funcTypes[f - funcImports]!]!;
    const passes = internal[f - funcImports] === 1;
    const wrapper = new Writer(16 + params * 3);
    wrapper.byte(0); // no locals
    for (let i = 0; i < params; i++) {
      wrapper.byte(0x20);
      wrapper.u32(i);
    }
    if (passes) {
      wrapper.byte(0x23);
      wrapper.u32(globalImports);
    }
    wrapper.byte(passes ? 0x10 : 0x12);
    wrapper.u32(f + FUNC_SHIFT);
    if (passes) {
      wrapper.byte(0x24);
      wrapper.u32(globalImports);
    }
    wrapper.byte(0x0b);
    w.u32(wrapper.len);
    w.append(wrapper);
  };

  /**
   * Which functions pass fuel. Any function that escapes keeps its type. A function reached
   * only through closed tables passes fuel if every function of its type in each of those
   * tables can (a `call_indirect` uses one convention per table and type): one that cannot
   * holds its whole group back, which may hold back other groups, until nothing changes.
   */
  const decidePassing = () => {
    internal = new Uint8Array(funcTypes.length);
    if (!passing) return;
    for (let i = 0; i < funcTypes.length; i++) {
      const type = funcTypes[i]!;
      if (type >= twins.length) malformed(`function ${funcImports + i} has an unknown type`);
      if (escaped[i] === 0 && twins[type] && !leaks.functions.has(funcImports + i)) internal[i] = 1;
    }
    for (const [table, entries] of tableEntries) {
      if (!openTables.has(table)) continue;
      for (const f of entries) if (f >= funcImports) internal[f - funcImports] = 0;
    }
    // Groups: by closed table and signature, the functions a `call_indirect` can reach.
    const groups = new Map<string, number[]>();
    const groupsOf = new Map<number, string[]>();
    const typeOf = (f: number): number | undefined => {
      if (f < funcImports) return importTypes[f];
      const defined = f - funcImports;
      if (defined < funcTypes.length) return funcTypes[defined];
      const target = wrapped[defined - funcTypes.length];
      return target === undefined ? undefined : funcTypes[target - funcImports];
    };
    const link = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    for (const [table, entries] of tableEntries) {
      if (openTables.has(table)) continue;
      for (const f of entries) {
        const type = typeOf(f);
        if (type === undefined || type >= typeKeys.length) malformed(`element names unknown function ${f}`);
        const key = `${table}:${typeKeys[type]}`;
        link(groups, key, f);
        link(groupsOf, f, key);
      }
    }
    // Tail calls: neighbours must share a convention (both ways); callers of a group likewise.
    const neighbours = new Map<number, number[]>();
    for (const [caller, callee] of leaks.tailCalls) {
      link(neighbours, caller, callee);
      link(neighbours, callee, caller);
    }
    const groupCallers = new Map<string, number[]>();
    const callerGroups = new Map<number, string[]>();
    const ungrouped: number[] = [];
    for (const [caller, table, type] of leaks.tailIndirect) {
      const key = `${table}:${typeKeys[type]}`;
      if (openTables.has(table) || !groups.has(key)) ungrouped.push(caller);
      else {
        link(groupCallers, key, caller);
        link(callerGroups, caller, key);
      }
    }
    // Worklist: each function is held back at most once, each group at most once (linear).
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
      for (const f of groups.get(key) ?? []) demote(f);
      for (const caller of groupCallers.get(key) ?? []) demote(caller);
    };
    // A twin signature that equals one of the module's own would let a `call_indirect` of that
    // type reach a function it could not reach before: such groups keep the plain convention.
    const signatures = new Set(typeKeys);
    for (const [key, members] of groups) {
      const type = typeOf(members[0]!)!;
      if (signatures.has(twinKey(type)) || !members.every(passes)) block(key);
    }
    for (const [caller, callee] of leaks.tailCalls) {
      if (!passes(caller)) demote(callee);
      if (!passes(callee)) demote(caller);
    }
    for (const caller of ungrouped) demote(caller);
    for (const [caller, keys] of callerGroups) if (!passes(caller)) for (const key of keys) block(key);
    while (queue.length > 0) {
      const f = queue.pop()!;
      for (const key of groupsOf.get(f) ?? []) block(key);
      for (const other of neighbours.get(f) ?? []) demote(other);
      for (const key of callerGroups.get(f) ?? []) block(key);
    }
    for (const key of groups.keys()) {
      if (blocked.has(key)) continue;
      const table = Number(key.slice(0, key.indexOf(':')));
      const type = key.slice(key.indexOf(':') + 1);
      const set = passingIndirect.get(table);
      if (set) set.add(type);
      else passingIndirect.set(table, new Set([type]));
    }
  };
  const twinKey = (type: number): string => {
    const twin = twins[type];
    if (!twin) return '';
    const [, paramsFrom, paramsTo, , resultsFrom, resultsTo] = twin;
    return signatureKey(
      `${latin1(bytes, paramsFrom, paramsTo)}\x7e`,
      `${latin1(bytes, resultsFrom, resultsTo)}\x7e`,
    );
  };
  const indirectPasses = (table: number, type: number): boolean => {
    const key = typeKeys[type];
    return key !== undefined && passingIndirect.get(table)?.has(key) === true;
  };

  let bodies: BodyRewriter | undefined;

  while (r.pos < bytes.length) {
    const sectionStart = r.pos;
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    if (end > bytes.length) malformed(`section ${id} runs past the end of the module`);
    if (id !== 0) {
      const order = SECTION_ORDER[id];
      if (order === undefined) malformed(`unknown section id ${id}`);
      if (order <= lastOrder) malformed(`section ${id} is out of order or repeated`);
      lastOrder = order;
      if (order > 1 && !typesWritten) writeTypes(0, 0, 0);
      if (order > 2 && !importsWritten) writeImports(0, 0, 0);
    }
    const s = new Reader(bytes, start, end);
    switch (id) {
      case 0: {
        const name = s.name();
        if (dropsCustom(name)) break;
        if (name === 'name') {
          const rewritten = rewriteNameSection(
            bytes,
            s.pos,
            end,
            remapFuncName,
            remapGlobal,
            remapLocalName,
            (f) => wrapperOf.get(f),
          );
          if (rewritten) {
            body.reset();
            body.name('name');
            body.copy(rewritten.buf, 0, rewritten.len);
            out.section(0, body);
          }
          break;
        }
        out.copy(bytes, sectionStart, end);
        break;
      }
      case 1: {
        const count = s.u32();
        const first = s.pos;
        for (let i = 0; i < count; i++) {
          const form = s.byte();
          if (form !== 0x60)
            malformed(form === 0x4e || form === 0x50 ? 'GC types are not supported' : 'bad type');
          const params = s.u32();
          const paramsFrom = s.pos;
          for (let j = 0; j < params; j++) skipValueType(s);
          const resultsAt = s.pos;
          const results = s.u32();
          const resultsFrom = s.pos;
          let last = 0x40;
          for (let j = 0; j < results; j++) last = skipValueType(s);
          typeKeys.push(
            signatureKey(latin1(bytes, paramsFrom, resultsAt), latin1(bytes, resultsFrom, s.pos)),
          );
          twins.push(
            params < MAX_PASSING && results < MAX_PASSING
              ? [params, paramsFrom, resultsAt, results, resultsFrom, s.pos]
              : undefined,
          );
          paramCounts.push(params);
          if (results <= 1) resultBlockTypes.push(Uint8Array.of(last));
          else {
            const blockType = new Writer(5);
            blockType.sleb(count + 2 + companions.length);
            resultBlockTypes.push(blockType.bytes());
            companions.push([resultsAt, s.pos]);
          }
        }
        expectEnd(s, 'type');
        writeTypes(first, end, count);
        break;
      }
      case 2: {
        const count = s.u32();
        const first = s.pos;
        for (let i = 0; i < count; i++) {
          const module = s.name();
          s.name();
          if (module === KEEL_MODULE) {
            throw new KeelError(
              'invalid-module',
              `the module imports from "${KEEL_MODULE}", a name reserved for Keel's metering (already metered?)`,
            );
          }
          const kind = s.byte();
          if (kind === 0x00) {
            importTypes.push(s.u32());
            funcImports++;
          } else if (kind === 0x01) {
            openTables.add(tableTypes.length);
            tableTypes.push(readTableType(s));
            readLimits(s, 'table');
          } else if (kind === 0x02) {
            readMemoryLimits(s);
          } else if (kind === 0x03) {
            skipValueType(s);
            s.byte();
            globalImports++;
          } else if (kind === 0x04) {
            s.byte();
            s.u32();
          } else malformed(`unknown import kind ${kind}`);
        }
        expectEnd(s, 'import');
        writeImports(first, end, count);
        break;
      }
      case 3: {
        const count = s.u32();
        for (let i = 0; i < count; i++) funcTypes.push(s.u32());
        expectEnd(s, 'function');
        // Written when the code section comes: which functions pass fuel is known only then.
        functionSectionAt = out.len;
        escaped = new Uint8Array(count);
        decideWrappers();
        break;
      }
      case 4: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) {
          const type = readTableType(s);
          tableTypes.push(type);
          const { min, max } = readLimits(s, 'table');
          if (min > options.maxTableElements) {
            throw new KeelError(
              'table-limit',
              `table ${tableTypes.length - 1} starts with ${min} elements, over the ${options.maxTableElements}-element cap`,
              { requested: min, limit: options.maxTableElements },
            );
          }
          body.byte(type);
          body.byte(0x01);
          body.u32(min);
          body.u32(Math.min(max ?? Number.POSITIVE_INFINITY, options.maxTableElements));
        }
        expectEnd(s, 'table');
        out.section(4, body);
        break;
      }
      case 5: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) {
          const { flags, min, max } = readMemoryLimits(s);
          if (min > options.maxMemoryPages) {
            throw new KeelError(
              'memory-limit',
              `memory ${i} starts with ${min} pages, over the ${options.maxMemoryPages}-page cap`,
              { requestedPages: min, limitPages: options.maxMemoryPages },
            );
          }
          body.byte(flags | 0x01);
          body.u32(min);
          body.u32(Math.min(max ?? Number.POSITIVE_INFINITY, options.maxMemoryPages));
        }
        expectEnd(s, 'memory');
        out.section(5, body);
        break;
      }
      case 13:
        out.copy(bytes, sectionStart, end);
        break;
      case 6: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) {
          const from = s.pos;
          skipValueType(s);
          s.byte();
          body.copy(bytes, from, s.pos);
          rewriteConstExpr(s, body, remapFunc, remapGlobal);
        }
        expectEnd(s, 'global');
        out.section(6, body);
        break;
      }
      case 7: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) {
          const from = s.pos;
          s.skip(s.u32());
          const kind = s.byte();
          body.copy(bytes, from, s.pos);
          const index = s.u32();
          if (kind === 0x01) openTables.add(index);
          body.u32(kind === 0x00 ? remapFunc(index) : kind === 0x03 ? remapGlobal(index) : index);
        }
        expectEnd(s, 'export');
        out.section(7, body);
        break;
      }
      case 8: {
        body.reset();
        body.u32(remapFunc(s.u32()));
        expectEnd(s, 'start');
        out.section(8, body);
        break;
      }
      case 9: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) rewriteElement(s, body, escapeIndex, remapGlobal, onElement);
        expectEnd(s, 'element');
        out.section(9, body);
        break;
      }
      case 12:
        out.copy(bytes, sectionStart, end);
        break;
      case 10: {
        codeSeen = true;
        const count = s.u32();
        if (count !== funcTypes.length) malformed('function and code section counts differ');
        if (functionSectionAt >= 0) {
          // Insert the function section where it belongs; the code is appended after it.
          writeFunctions();
        }
        bodies ??= new BodyRewriter({
          bytes,
          costs: options.costs,
          strategy: options.strategy,
          countedLoops: options.countedLoops,
          paramCounts,
          resultBlockTypes,
          internal,
          indirectPasses,
          wrapperOf: (f: number) => wrapperOf.get(f),
          restartOf: (f: number) =>
            restarts
              ? funcImports + FUNC_SHIFT + funcTypes.length + wrapped.length + (f - funcImports)
              : undefined,
          closedTable: (table: number) => passing && !openTables.has(table),
          twinBase,
          found,
          funcImports,
          funcShift: FUNC_SHIFT,
          globalImports,
          fuelGlobal: globalImports,
          fnFuelSlice: funcImports,
          fnMemoryGrow: funcImports + 1,
          fnTableGrow: funcImports + 2,
          tableTypes,
        });
        // Bodies are written straight into the output after 5 bytes kept for the section size,
        // which is then written in its minimal form (some tools reject padded sizes).
        out.byte(10);
        const sizeAt = out.len;
        out.reserve(5 + Math.floor(size * 1.5));
        out.len += 5;
        const code = out;
        code.u32(count + wrapped.length + (restarts ? count : 0));
        for (let i = 0; i < count; i++) {
          const bodySize = s.u32();
          const bodyStart = s.pos;
          const bodyEnd = bodyStart + bodySize;
          if (bodyEnd > end) malformed(`function ${funcImports + i} runs past the code section`);
          bodies.rewrite(bodyStart, bodyEnd, funcTypes[i]!, funcImports + i, internal[i] === 1, code);
          s.pos = bodyEnd;
        }
        expectEnd(s, 'code');
        for (const f of wrapped) writeWrapper(code, f);
        if (restarts) for (let i = 0; i < count; i++) writeRestart(code, i);
        out.patchU32(sizeAt, 5, out.len - sizeAt - 5);
        break;
      }
      case 11: {
        const count = s.u32();
        body.reset();
        body.u32(count);
        for (let i = 0; i < count; i++) {
          const flags = s.u32();
          body.u32(flags);
          if (flags === 2) body.u32(s.u32());
          if (flags === 0 || flags === 2) rewriteConstExpr(s, body, remapFunc, remapGlobal);
          else if (flags !== 1) malformed(`unknown data segment flags ${flags}`);
          const length = s.u32();
          if (length > s.end - s.pos) malformed(`data segment ${i} runs past its section`);
          if (length > options.maxDataSegmentBytes) {
            throw new KeelError(
              'invalid-module',
              `data segment ${i} is ${length} bytes, over the ${options.maxDataSegmentBytes}-byte data segment limit`,
              { segment: i, size: length, limit: options.maxDataSegmentBytes },
            );
          }
          body.u32(length);
          body.copy(bytes, s.pos, s.pos + length);
          s.pos += length;
        }
        expectEnd(s, 'data');
        out.section(11, body);
        break;
      }
    }
    r.pos = end;
  }
  if (!typesWritten) writeTypes(0, 0, 0);
  if (!importsWritten) writeImports(0, 0, 0);
  if (!codeSeen && funcTypes.length > 0) malformed('functions declared without a code section');
  writeFunctions();
  // A copy of its own: callers may hand `.buffer` to APIs that read the whole ArrayBuffer.
  return out.bytes();
}

function expectEnd(s: Reader, section: string): void {
  if (s.pos !== s.end) malformed(`${section} section size does not match its contents`);
}

function readTableType(s: Reader): number {
  const type = s.byte();
  if (type === 0x70 || type === 0x6f) return type;
  if (type === 0x40) malformed('table initializers (typed references) are not supported');
  return malformed(`unsupported table element type 0x${type.toString(16)}`);
}

export interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
}

export function readLimits(s: Reader, what: 'table' | 'memory'): Limits {
  const flags = s.byte();
  const known = what === 'memory' ? 0x03 : 0x01;
  if (flags & ~known) {
    if (flags & 0x04) malformed(`${what}64 is not supported`);
    malformed(`unknown ${what} limits flags 0x${flags.toString(16)}`);
  }
  const min = s.u32();
  const max = flags & 0x01 ? s.u32() : undefined;
  return { flags, min, max };
}

function readMemoryLimits(s: Reader): Limits {
  return readLimits(s, 'memory');
}

/** Copy a constant expression, renumbering `global.get` and `ref.func`. */
export function rewriteConstExpr(
  s: Reader,
  out: Writer,
  remapFunc: (index: number) => number,
  remapGlobal: (index: number) => number,
): void {
  for (;;) {
    const at = s.pos;
    const op = s.byte();
    switch (op) {
      case 0x0b:
        out.byte(op);
        return;
      case 0x41:
      case 0x42:
        s.skipLeb(10);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0x43:
        s.skip(4);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0x44:
        s.skip(8);
        out.copy(s.bytes, at, s.pos);
        break;
      case 0xd0:
        s.s33();
        out.copy(s.bytes, at, s.pos);
        break;
      case 0xd2:
        out.byte(op);
        out.u32(remapFunc(s.u32()));
        break;
      case 0x23:
        out.byte(op);
        out.u32(remapGlobal(s.u32()));
        break;
      // extended-const
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        out.byte(op);
        break;
      case 0xfd: {
        if (s.u32() !== 12) malformed('unsupported instruction in a constant expression');
        s.skip(16);
        out.copy(s.bytes, at, s.pos);
        break;
      }
      default:
        malformed(`unsupported instruction 0x${op.toString(16)} in a constant expression`);
    }
  }
}

function rewriteElement(
  s: Reader,
  out: Writer,
  remapFunc: (index: number) => number,
  remapGlobal: (index: number) => number,
  onElement: (table: number, func: number | undefined) => void,
): void {
  const flags = s.u32();
  if (flags > 7) malformed(`unknown element segment flags ${flags}`);
  out.u32(flags);
  // bit 0: passive or declarative; bit 1: explicit table (active) or declarative; bit 2: expressions.
  const active = (flags & 0x01) === 0;
  let table = active ? 0 : -1;
  if (active && flags & 0x02) {
    table = s.u32();
    out.u32(table);
  }
  if (active) rewriteConstExpr(s, out, remapFunc, remapGlobal);
  if (flags & 0x03) {
    // elemkind (0x00) or reftype
    const kind = s.byte();
    out.byte(kind);
  }
  const count = s.u32();
  out.u32(count);
  if (flags & 0x04) {
    for (let i = 0; i < count; i++) {
      // `ref.func f`, `ref.null t` or `global.get g` (an entry we cannot name).
      const at = s.pos;
      const op = s.bytes[at];
      let func: number | undefined;
      if (op === 0xd2) {
        s.pos = at + 1;
        func = s.u32();
        s.pos = at;
      }
      rewriteConstExpr(s, out, remapFunc, remapGlobal);
      if (op !== 0xd0) onElement(table, func);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const func = s.u32();
      onElement(table, func);
      out.u32(remapFunc(func));
    }
  }
}

export { MalformedError };
