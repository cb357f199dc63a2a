/**
 * The module-level pass: walks the sections once, in order, copying what does not change and
 * rewriting what does.
 *
 * - Adds imports from `keel` (the fuel global and up to three host functions) at the end of the
 *   import section, so imported functions and globals keep their indices and every defined
 *   function index moves up by 3, every defined global by 1. Every place that names one is
 *   fixed: code, constant expressions, exports, start, elements, and the name section. The
 *   grow checks (`memory_grow`, `table_grow`) are imported only by a module whose code may hold
 *   that grow (`GrowScan`); for one whose code cannot, the index is a defined function of its
 *   own that is never called (`unreachable`), first of the defined functions: V8 links each
 *   imported JavaScript function at every instantiation, about 1 us a spawn for the two.
 *   With `counter: 'defined'` the fuel global is not imported but defined, first of the
 *   module's globals (the same index), and exported as `keel:fuel`; a start function is then
 *   not started but exported as `keel:start`, for the host to call once it has adopted the
 *   counter (`adoptCounter`). Either form refuses a module that exports those names itself.
 * - Adds types: two for those imports, `[] -> results` for bodies with several results, and a
 *   fuel-passing twin `[params, i64] -> [results, i64]` of every type.
 * - Decides which functions pass fuel (`decidePassing`). The function section is written only
 *   when the code section starts, once everything that decides it (exports, elements, start,
 *   globals) has been read; code that changes the decision (a `ref.func`, a table access, a
 *   tail call across conventions) makes the whole pass run once more (`rewriteModule`);
 *   passing.ts decides.
 * - Caps every defined memory's and table's maximum.
 * - Rewrites function bodies with `BodyRewriter` (fuel.ts), and appends the wrappers and
 *   restart trampolines of wrappers.ts.
 * - Drops debug sections whose code offsets the rewriting invalidates (DWARF, source maps,
 *   branch hints).
 */
import { KeelError } from '../kernel/errors.js';
import { eachSection, malformed, nameBytes, Reader, SECTION_ORDER, Writer } from './binary.js';
import type { CostTables } from './costs.js';
import { BodyRewriter } from './fuel.js';
import { skipValueType } from './instructions.js';
import {
  LEAVES_SECTION,
  type Leaf,
  leafCost,
  MAX_LEAF_BODY,
  reservedLeafName,
  writeLeavesSection,
  writeTwinBodies,
  writeTwinExports,
} from './leaves.js';
import { rewriteNameSection } from './names.js';
import { decidePassing, type Leaks, noLeaks } from './passing.js';
import {
  expectEnd,
  readLimits,
  readMemoryLimits,
  readTableType,
  rewriteConstExpr,
  rewriteElement,
} from './sections.js';
import { type AppendedContext, writeRestart, writeWrapper } from './wrappers.js';

export { MalformedError } from './binary.js';
export { type Limits, readLimits, rewriteConstExpr } from './sections.js';

/** The host-side names of what the rewriter imports. */
export const KEEL_MODULE = 'keel';
export const KEEL_IMPORTS = {
  fuel: 'fuel',
  fuelSlice: 'fuel_slice',
  memoryGrow: 'memory_grow',
  tableGrow: 'table_grow',
} as const;

/**
 * What a module metered with `counter: 'defined'` exports for the host: its fuel counter, and
 * its start function, which it no longer starts itself. Reserved in both forms: a module that
 * exports either name is refused, so an instance's `keel:fuel` is always the meter's.
 */
export const KEEL_EXPORTS = {
  fuel: 'keel:fuel',
  start: 'keel:start',
} as const;

/**
 * Where a metered module's fuel counter lives: imported from `keel` (the host's global, which
 * every core module of a sandbox shares), or defined by the module and exported (one load
 * fewer per access in V8; only for a sandbox's sole core instance, whose host adopts it).
 */
export type CounterForm = 'imported' | 'defined';

/**
 * The names the pass writes or looks for, encoded once per process (`TextEncoder` and
 * `TextDecoder` per name were a fixed cost of every module, paid in V8's lower tiers on a cold load).
 */
const NAME = {
  module: nameBytes(KEEL_MODULE),
  fuel: nameBytes(KEEL_IMPORTS.fuel),
  fuelSlice: nameBytes(KEEL_IMPORTS.fuelSlice),
  memoryGrow: nameBytes(KEEL_IMPORTS.memoryGrow),
  tableGrow: nameBytes(KEEL_IMPORTS.tableGrow),
  fuelExport: nameBytes(KEEL_EXPORTS.fuel),
  startExport: nameBytes(KEEL_EXPORTS.start),
  nameSection: nameBytes('name'),
};

/**
 * Functions the rewriter adds before the module's own (all defined function indices move up by
 * this): `fuel_slice`, and the two grow checks, imported or, when unused, stubs (`GrowScan`).
 */
export const FUNC_SHIFT = 3;

/** A never-called stand-in for a grow check the module's code cannot reach: `unreachable`. */
const GROW_STUB_BODY = [0x03, 0x00, 0x00, 0x0b];

/** Functions with this many params or results keep the plain convention (V8 allows 1000). */
const MAX_PASSING = 999;
/** V8's limits on the number of types and of functions in a module. */
const MAX_TYPES = 1_000_000;
const MAX_FUNCTIONS = 1_000_000;

export interface RewriteOptions {
  costs: CostTables;
  maxMemoryPages: number;
  maxTableElements: number;
  maxDataSegmentBytes: number;
  strategy: 'local' | 'global';
  countedLoops: boolean;
  counter: CounterForm;
}

const TYPE_VOID = [0x60, 0x00, 0x00];

/**
 * The block type of one result or none, by its byte (0x40, or a value type `skipValueType`
 * accepts): made once per process, not per type of every module (only ever read: `#finish` in
 * fuel.ts copies it).
 */
const SHORT_BLOCK_TYPES: Uint8Array[] = [];
for (const b of [0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]) SHORT_BLOCK_TYPES[b] = Uint8Array.of(b);
const TYPE_I32_I32_TO_I32 = [0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f];

/**
 * Which grow checks a module's code may call: whether any body holds a `memory.grow` (0x40
 * and a memory index 0) or a `table.grow` (0xfc and 15, LEB128), read as bytes wherever they
 * stand (an immediate too), in the loop of `scanExportedFunctions`. A false match only keeps an import, as every module had before.
 * A 0x40 right after `block`, `loop`, `if` or `try` is taken for their empty block type (`if`
 * then `unreachable` is 0x04 0x40 0x00): should it be a grow after an immediate ending in such
 * a byte, the rewriter meets it and the pass runs again with both imported (`rewriteModule`).
 * Without a function body there is no stub to write: both are imported. A malformed code
 * section keeps both (the pass itself then reports it).
 */
interface GrowScan {
  memory: boolean;
  table: boolean;
}

const BOTH_GROWS: GrowScan = Object.freeze({ memory: true, table: true });

/**
 * Read ahead: the function indices the export section names, and which of them the module
 * itself reaches (calls directly, tail-calls, names with `ref.func` in code or a global, or
 * puts in an element segment). Only those get a wrapper (see `#wrapped`); the others are
 * exported as they are, with the plain convention, which costs a call from JavaScript nothing
 * more than its own counter's load and store. The scan of code and globals is a conservative
 * look at every `call`, `return_call` and `ref.func` opcode byte and the LEB128 after it
 * (wherever the byte stands, in an immediate too): a false match only keeps a wrapper, which is
 * always correct. A malformed section stops the scan and keeps every wrapper (the pass itself
 * then reports it).
 */
interface ExportScan {
  exported: Set<number>;
  reached: Set<number>;
  /** Which grows the code may hold (`GrowScan`), found in the same loop over its bodies. */
  grows: GrowScan;
}

function scanExportedFunctions(bytes: Uint8Array): ExportScan {
  const exported = new Set<number>();
  const reached = new Set<number>();
  // Indices `ref.func` names in globals, which come before the export section.
  const inGlobals = new Set<number>();
  let marked: Uint8Array | undefined;
  const grows: GrowScan = { memory: false, table: false };
  let bodies = 0;
  try {
    eachSection(bytes, (id, s) => {
      if (id === 6) {
        // Each `ref.func` byte and the LEB128 after it.
        for (let at = s.pos; at < s.end; at++) {
          if (bytes[at] !== 0xd2) continue;
          const f = lebAt(bytes, at + 1, s.end);
          if (f >= 0) inGlobals.add(f);
        }
      } else if (id === 7) {
        const count = s.u32();
        for (let i = 0; i < count; i++) {
          s.skip(s.u32());
          const kind = s.byte();
          const index = s.u32();
          if (kind === 0x00) exported.add(index);
        }
        for (const f of inGlobals) if (exported.has(f)) reached.add(f);
      } else if (id === 9) {
        const count = s.u32();
        const scratch = new Writer(64);
        const note = (f: number) => {
          if (exported.has(f)) reached.add(f);
          return f;
        };
        for (let i = 0; i < count; i++) {
          scratch.reset();
          rewriteElement(
            s,
            scratch,
            note,
            (g) => g,
            (_table, f) => f !== undefined && note(f),
          );
        }
      } else if (id === 10) {
        // Each body's instructions, after its size and its locals (whose bytes would match).
        const count = s.u32();
        bodies = count;
        for (let i = 0; i < count; i++) {
          const size = s.u32();
          const end = s.pos + size;
          if (end > s.end) malformed('a function body runs past the code section');
          const groups = s.u32();
          for (let g = 0; g < groups; g++) {
            s.u32();
            skipValueType(s);
          }
          marked ??= markOf(exported, reached);
          scanCalls(bytes, s.pos, end, marked, reached, grows);
          s.pos = end;
        }
        return true;
      }
      return undefined;
    });
  } catch {
    for (const f of exported) reached.add(f);
    return { exported, reached, grows: BOTH_GROWS };
  }
  // Without a function body there is no stub to write: both checks are imported.
  return { exported, reached, grows: bodies === 0 ? BOTH_GROWS : grows };
}

/**
 * Exported function indices as a table (1 = exported), up to the largest one. An index past
 * MAX_FUNCTIONS (no module the pass accepts has one) is not in the table: it is taken as
 * reached, which keeps its wrapper, as a scan that fails does.
 */
function markOf(exported: ReadonlySet<number>, reached: Set<number>): Uint8Array {
  let max = -1;
  for (const f of exported) {
    if (f > MAX_FUNCTIONS) reached.add(f);
    else max = Math.max(max, f);
  }
  const marked = new Uint8Array(max + 1);
  for (const f of exported) if (f <= MAX_FUNCTIONS) marked[f] = 1;
  return marked;
}

/**
 * The code scan of `scanExportedFunctions` over one body's instructions: each `call`,
 * `return_call` and `ref.func` byte and the LEB128 after it, in one loop (a callback and a set
 * lookup per match were two thirds of the scan of an 11 MB module), and the grows (`GrowScan`):
 * 3% more of the meter's time on that module (bench/results/perf-spawn-2026-12-07-15.md).
 */
function scanCalls(
  bytes: Uint8Array,
  from: number,
  to: number,
  marked: Uint8Array,
  reached: Set<number>,
  grows: GrowScan,
): void {
  const limit = marked.length;
  for (let at = from; at < to; at++) {
    const kind = SCANNED[bytes[at]!]!;
    if (kind === 0) continue;
    if (kind === CALL) {
      const f = lebAt(bytes, at + 1, to);
      if (f >= 0 && f < limit && marked[f] === 1) reached.add(f);
    } else if (kind === MEMORY_GROW) {
      // 0x40 then the memory index 0: a grow, unless the byte before is a block's.
      if (grows.memory || (bytes[at + 1] !== 0 && lebAt(bytes, at + 1, to) !== 0)) continue;
      const before = bytes[at - 1]!;
      if (before !== 0x02 && before !== 0x03 && before !== 0x04 && before !== 0x06) grows.memory = true;
    } else if (!grows.table && lebAt(bytes, at + 1, to) === 15) grows.table = true;
  }
}

/** What `scanCalls` looks at, by byte: a call, a `memory.grow`, a 0xfc prefix (`table.grow`). */
const CALL = 1;
const MEMORY_GROW = 2;
const PREFIX_FC = 3;
const SCANNED = new Uint8Array(256);
SCANNED[0x10] = CALL;
SCANNED[0x12] = CALL;
SCANNED[0xd2] = CALL;
SCANNED[0x40] = MEMORY_GROW;
SCANNED[0xfc] = PREFIX_FC;

/** An unsigned LEB128 of at most 5 bytes at `at`, before `end`; -1 when there is none. */
function lebAt(bytes: Uint8Array, at: number, end: number): number {
  let result = 0;
  for (let k = 0; k < 5 && at + k < end; k++) {
    const b = bytes[at + k]!;
    result += (b & 0x7f) * 2 ** (7 * k);
    if (b < 0x80) return result;
  }
  return -1;
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

/** Custom sections the pass drops: those that describe code offsets or function bodies it changes, and its own. */
function dropsCustom(name: string): boolean {
  return (
    name.startsWith('.debug_') ||
    name === 'sourceMappingURL' ||
    name === 'external_debug_info' ||
    name.startsWith('metadata.code.') ||
    // The pass's own (leaves.ts): the host trusts the costs in it.
    name === LEAVES_SECTION
  );
}

/**
 * The metered module: a view of a buffer that may be longer (the loader reads only the view;
 * `meterModule` hands out a copy of its own). `buffer`: one to write into when it is large enough
 * (its contents are overwritten; see `OutputBuffers` in index.ts).
 */
export function rewriteModule(
  bytes: Uint8Array,
  options: RewriteOptions,
  buffer?: Uint8Array,
  leaves: readonly Leaf[] = [],
): Uint8Array {
  const leaks = noLeaks();
  const exports = scanExportedFunctions(bytes);
  let grows = exports.grows;
  let missed = false;
  const onMissedGrow = () => {
    missed = true;
  };
  for (let attempt = 0; ; attempt++) {
    const found = noLeaks();
    const out = new ModulePass(
      bytes,
      options,
      leaks,
      found,
      exports,
      grows,
      onMissedGrow,
      buffer,
      leaves,
    ).run();
    if (!missed && found.tables.size === 0 && found.functions.size === 0 && !found.mismatch) return out;
    // The next attempt writes over this one's output, which nothing else has seen.
    buffer = new Uint8Array(out.buffer);
    if (attempt >= 3) throw new Error('fuel passing did not settle');
    // A grow the scan took for something else: once more with both checks imported.
    if (missed) {
      grows = BOTH_GROWS;
      missed = false;
    }
    // Rare: code that inspects a table, takes a function's reference, or tail-calls across
    // conventions. Once more, knowing it.
    for (const t of found.tables) leaks.tables.add(t);
    for (const f of found.functions) leaks.functions.add(f);
    leaks.tailCalls = found.tailCalls;
    leaks.tailIndirect = found.tailIndirect;
  }
}

/** A fuel-passing twin `[params, i64] -> [results, i64]`: where its params and results are. */
type Twin = [
  params: number,
  paramsFrom: number,
  paramsTo: number,
  results: number,
  resultsFrom: number,
  resultsTo: number,
];

/** One pass over a module: the sections in order, each copied or rewritten once. */
class ModulePass {
  readonly #bytes: Uint8Array;
  readonly #options: RewriteOptions;
  readonly #leaks: Leaks;
  readonly #found: Leaks;
  readonly #out: Writer;
  /** Scratch for one section's contents. */
  readonly #body = new Writer(1024);

  // What the sections read so far declare.
  readonly #paramCounts: number[] = [];
  #funcImports = 0;
  #globalImports = 0;
  readonly #tableTypes: number[] = [];
  readonly #funcTypes: number[] = [];
  readonly #importTypes: number[] = [];
  /** By type index: its signature, as a string of its bytes (types match by structure). */
  readonly #typeKeys: string[] = [];
  readonly #resultBlockTypes: Uint8Array[] = [];

  // The added types.
  #voidType = -1;
  #growType = -1;
  /** Types `[] -> results` added for functions with several results (their body block's type). */
  readonly #companions: [number, number][] = [];
  /** By type index: its twin, or undefined when the type cannot take one more param. */
  readonly #twins: (Twin | undefined)[] = [];
  #twinBase = 0;
  /** Whether functions may pass fuel at all (the `local` strategy, within V8's limits). */
  #passing: boolean;

  // Progress through the sections.
  #typesWritten = false;
  #importsWritten = false;
  /** The counter is defined and exported (`counter: 'defined'`): see `KEEL_EXPORTS`. */
  readonly #definesCounter: boolean;
  #globalsWritten = false;
  #exportsWritten = false;
  #lastOrder = 0;
  #codeSeen = false;
  /** Where the function section goes, once the code section says which functions pass fuel. */
  #functionSectionAt = -1;

  // Which functions escape, are wrapped, pass fuel.
  /**
   * Exported functions get a wrapper of their own type, appended after the defined functions:
   * every reference that lets a function escape (export, element, global, start, `ref.func`)
   * names the wrapper, which loads the counter, calls the function with it and stores it
   * back; direct calls keep calling the function, which then passes fuel. (An exported
   * recursive function would otherwise pay the plain convention on every call.)
   */
  readonly #exported: Set<number>;
  /** Exported functions the module reaches itself (see `scanExportedFunctions`). */
  readonly #reached: Set<number>;
  #wrapped: number[] = [];
  readonly #wrapperOf = new Map<number, number>();
  #escaped: Uint8Array = new Uint8Array(0);
  #internal: Uint8Array = new Uint8Array(0);
  /** Whether each defined function has a restart trampoline (see wrappers.ts). */
  #restarts = false;
  /** Tables that JavaScript or the code may read or change (imported, exported, inspected). */
  readonly #openTables: Set<number>;
  /** Entries (function indices, original numbering) put in each table by active segments. */
  readonly #tableEntries = new Map<number, number[]>();
  /** By table: original type indices whose `call_indirect` passes fuel. */
  readonly #passingIndirect = new Map<number, Set<string>>();
  #bodies: BodyRewriter | undefined;
  /** Which grow checks are imported (the others are stubs, see `GrowScan`), and where each is. */
  readonly #grows: GrowScan;
  readonly #fnMemoryGrow: number;
  readonly #fnTableGrow: number;
  readonly #onMissedGrow: () => void;
  /** Stubs written first of the defined functions. */
  readonly #stubs: number;
  /** Leaf exports that get an uncharged twin (leaves.ts), written after every other function. */
  readonly #leaves: readonly Leaf[];
  /**
   * Every leaf, in `keel:leaves`: those that cost nothing too, which get no twin (written as they
   * are, below: the host calls the export itself, with nothing to settle after it).
   */
  readonly #listed: readonly Leaf[];

  constructor(
    bytes: Uint8Array,
    options: RewriteOptions,
    leaks: Leaks,
    found: Leaks,
    { exported, reached }: ExportScan,
    grows: GrowScan,
    onMissedGrow: () => void,
    buffer: Uint8Array | undefined,
    leaves: readonly Leaf[],
  ) {
    checkHeader(bytes);
    this.#grows = grows;
    this.#onMissedGrow = onMissedGrow;
    this.#stubs = (grows.memory ? 0 : 1) + (grows.table ? 0 : 1);
    // Offsets past the module's function imports: `fuel_slice` at 0, then the imported grow
    // checks, then the stubs (both imported: 1 and 2, as before there were stubs).
    const memoryAt = grows.memory ? 1 : grows.table ? 2 : 1;
    this.#fnMemoryGrow = memoryAt;
    this.#fnTableGrow = memoryAt === 1 ? 2 : 1;
    this.#bytes = bytes;
    this.#options = options;
    this.#leaks = leaks;
    this.#found = found;
    this.#out = new Writer(Math.max(1024, Math.floor(bytes.length * 1.5)), buffer);
    this.#passing = options.strategy === 'local';
    this.#definesCounter = options.counter === 'defined';
    this.#exported = exported;
    this.#reached = reached;
    this.#openTables = new Set<number>(leaks.tables);
    this.#leaves = leaves.filter((leaf) => leaf.cost > 0);
    this.#listed = leaves;
  }

  run(): Uint8Array {
    const bytes = this.#bytes;
    const out = this.#out;
    out.copy(bytes, 0, 8);
    const r = new Reader(bytes, 8);
    while (r.pos < bytes.length) {
      const sectionStart = r.pos;
      const id = r.byte();
      const size = r.u32();
      const start = r.pos;
      const end = start + size;
      if (end > bytes.length) malformed(`section ${id} runs past the end of the module`);
      if (id !== 0) this.#ordered(id);
      this.#section(id, new Reader(bytes, start, end), sectionStart, size);
      r.pos = end;
    }
    if (!this.#typesWritten) this.#writeTypes(0, 0, 0);
    if (!this.#importsWritten) this.#writeImports(0, 0, 0);
    if (!this.#codeSeen && this.#funcTypes.length > 0) malformed('functions declared without a code section');
    this.#writeFunctions();
    // A module whose last section comes before them (no code, no data): appended, in order.
    if (this.#definesCounter && !this.#globalsWritten) this.#writeGlobals(0, 0, 0);
    if (this.#definesCounter && !this.#exportsWritten) this.#writeExports(0, 0, 0);
    if (this.#listed.length > 0) writeLeavesSection(out, this.#body, this.#bytes, this.#listed);
    // A view of the pass's buffer: a copy of 16 MB (an 11 MB guest's output) into fresh pages
    // cost 20-45 ms of page faults on this machine. `meterModule` copies it for its callers.
    return out.buf.subarray(0, out.len);
  }

  /** Check section `id` comes in order; write the type and import sections if they were absent. */
  #ordered(id: number): void {
    const order = SECTION_ORDER[id];
    if (order === undefined) malformed(`unknown section id ${id}`);
    if (order <= this.#lastOrder) malformed(`section ${id} is out of order or repeated`);
    this.#lastOrder = order;
    if (order > 1 && !this.#typesWritten) this.#writeTypes(0, 0, 0);
    if (order > 2 && !this.#importsWritten) this.#writeImports(0, 0, 0);
    if (!this.#definesCounter) return;
    // The defined counter needs a global and an export section, the module's or new ones.
    if (order > SECTION_ORDER[6]! && !this.#globalsWritten) this.#writeGlobals(0, 0, 0);
    if (order > SECTION_ORDER[7]! && !this.#exportsWritten) this.#writeExports(0, 0, 0);
  }

  #section(id: number, s: Reader, sectionStart: number, size: number): void {
    switch (id) {
      case 0:
        this.#custom(s, sectionStart);
        break;
      case 1:
        this.#typeSection(s);
        break;
      case 2:
        this.#importSection(s);
        break;
      case 3:
        this.#functionSection(s);
        break;
      case 4:
        this.#tableSection(s);
        break;
      case 5:
        this.#memorySection(s);
        break;
      case 6:
        this.#globalSection(s);
        break;
      case 7:
        this.#exportSection(s);
        break;
      case 8:
        this.#startSection(s);
        break;
      case 9:
        this.#elementSection(s);
        break;
      case 10:
        this.#codeSection(s, size);
        break;
      case 11:
        this.#dataSection(s);
        break;
      default:
        // 12 (data count), 13 (tags): copied as they are.
        this.#out.copy(this.#bytes, sectionStart, s.end);
    }
  }

  #custom(s: Reader, sectionStart: number): void {
    const name = s.name();
    if (dropsCustom(name)) return;
    if (name !== 'name') {
      this.#out.copy(this.#bytes, sectionStart, s.end);
      return;
    }
    const rewritten = rewriteNameSection(
      this.#bytes,
      s.pos,
      s.end,
      this.#remapFuncName,
      this.#remapGlobal,
      this.#remapLocalName,
      (f) => this.#wrapperOf.get(f),
    );
    if (rewritten) {
      const body = this.#body;
      body.reset();
      body.nameOf(NAME.nameSection);
      body.copy(rewritten.buf, 0, rewritten.len);
      this.#out.section(0, body);
    }
  }

  #typeSection(s: Reader): void {
    const bytes = this.#bytes;
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
      this.#typeKeys.push(
        signatureKey(latin1(bytes, paramsFrom, resultsAt), latin1(bytes, resultsFrom, s.pos)),
      );
      this.#twins.push(
        params < MAX_PASSING && results < MAX_PASSING
          ? [params, paramsFrom, resultsAt, results, resultsFrom, s.pos]
          : undefined,
      );
      this.#paramCounts.push(params);
      if (results <= 1) this.#resultBlockTypes.push(SHORT_BLOCK_TYPES[last]!);
      else {
        const blockType = new Writer(5);
        blockType.sleb(count + 2 + this.#companions.length);
        this.#resultBlockTypes.push(blockType.bytes());
        this.#companions.push([resultsAt, s.pos]);
      }
    }
    expectEnd(s, 'type');
    this.#writeTypes(first, s.end, count);
  }

  /** The module's types, then `[] -> []` and `[i32 i32] -> [i32]` (our imports'), companions, twins. */
  #writeTypes(start: number, end: number, count: number): void {
    const bytes = this.#bytes;
    const body = this.#body;
    const companions = this.#companions;
    // Twins double the types; never past V8's limit on them.
    if (count * 2 + 2 + companions.length > MAX_TYPES) this.#passing = false;
    this.#voidType = count;
    this.#growType = count + 1;
    body.reset();
    body.u32(count + 2 + companions.length + (this.#passing ? this.#twins.length : 0));
    body.copy(bytes, start, end);
    for (const b of TYPE_VOID) body.byte(b);
    for (const b of TYPE_I32_I32_TO_I32) body.byte(b);
    for (const [from, to] of companions) {
      body.byte(0x60);
      body.byte(0x00);
      body.copy(bytes, from, to);
    }
    this.#twinBase = count + 2 + companions.length;
    if (this.#passing) {
      for (const twin of this.#twins) {
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
    this.#out.section(1, body);
    this.#typesWritten = true;
  }

  #importSection(s: Reader): void {
    const count = s.u32();
    const first = s.pos;
    for (let i = 0; i < count; i++) {
      const reserved = s.nameIs(NAME.module);
      s.skipName();
      if (reserved) {
        throw new KeelError(
          'invalid-module',
          `the module imports from "${KEEL_MODULE}", a name reserved for Keel's metering (already metered?)`,
        );
      }
      const kind = s.byte();
      if (kind === 0x00) {
        this.#importTypes.push(s.u32());
        this.#funcImports++;
      } else if (kind === 0x01) {
        this.#openTables.add(this.#tableTypes.length);
        this.#tableTypes.push(readTableType(s));
        readLimits(s, 'table');
      } else if (kind === 0x02) {
        readMemoryLimits(s);
      } else if (kind === 0x03) {
        skipValueType(s);
        s.byte();
        this.#globalImports++;
      } else if (kind === 0x04) {
        s.byte();
        s.u32();
      } else malformed(`unknown import kind ${kind}`);
    }
    expectEnd(s, 'import');
    this.#writeImports(first, s.end, count);
  }

  /** The module's imports, then ours: the fuel global (unless defined), `fuel_slice` and the grow checks it may call. */
  #writeImports(start: number, end: number, count: number): void {
    const body = this.#body;
    body.reset();
    const grows = this.#grows;
    body.u32(count + (this.#definesCounter ? 1 : 2) + (grows.memory ? 1 : 0) + (grows.table ? 1 : 0));
    body.copy(this.#bytes, start, end);
    if (!this.#definesCounter) {
      body.nameOf(NAME.module);
      body.nameOf(NAME.fuel);
      body.byte(0x03);
      body.byte(0x7e);
      body.byte(0x01);
    }
    body.nameOf(NAME.module);
    body.nameOf(NAME.fuelSlice);
    body.byte(0x00);
    body.u32(this.#voidType);
    if (grows.memory) {
      body.nameOf(NAME.module);
      body.nameOf(NAME.memoryGrow);
      body.byte(0x00);
      body.u32(this.#growType);
    }
    if (grows.table) {
      body.nameOf(NAME.module);
      body.nameOf(NAME.tableGrow);
      body.byte(0x00);
      body.u32(this.#growType);
    }
    this.#out.section(2, body);
    this.#importsWritten = true;
  }

  #functionSection(s: Reader): void {
    const count = s.u32();
    for (let i = 0; i < count; i++) this.#funcTypes.push(s.u32());
    expectEnd(s, 'function');
    // Written when the code section comes: which functions pass fuel is known only then.
    this.#functionSectionAt = this.#out.len;
    this.#escaped = new Uint8Array(count);
    this.#decideWrappers();
    // Known here (the exports name the twins after them): whether each function gets a restart trampoline.
    this.#restarts = this.#funcImports + FUNC_SHIFT + 2 * count + this.#wrapped.length <= MAX_FUNCTIONS;
  }

  /**
   * Which exported functions get a wrapper: those the module reaches itself (so its own calls
   * pass fuel) and whose type has a twin, within V8's limit.
   */
  #decideWrappers(): void {
    if (!this.#passing) return;
    const funcImports = this.#funcImports;
    const funcTypes = this.#funcTypes;
    const candidates = [...this.#exported]
      .filter(
        (f) =>
          this.#reached.has(f) &&
          f >= funcImports &&
          f - funcImports < funcTypes.length &&
          this.#twins[funcTypes[f - funcImports]!],
      )
      .sort((a, b) => a - b);
    if (funcImports + FUNC_SHIFT + funcTypes.length + candidates.length > MAX_FUNCTIONS) return;
    this.#wrapped = candidates;
    for (const [k, f] of this.#wrapped.entries()) this.#wrapperOf.set(f, funcImports + funcTypes.length + k);
  }

  /** Decide which functions pass fuel, and insert the function section where it belongs. */
  #writeFunctions(): void {
    if (this.#functionSectionAt < 0) return;
    const funcTypes = this.#funcTypes;
    this.#internal = this.#passing
      ? decidePassing(
          {
            funcTypes,
            importTypes: this.#importTypes,
            funcImports: this.#funcImports,
            hasTwin: (type) => this.#twins[type] !== undefined,
            typeKeys: this.#typeKeys,
            twinKey: (type) => this.#twinKey(type),
            escaped: this.#escaped,
            wrapped: this.#wrapped,
            tableEntries: this.#tableEntries,
            openTables: this.#openTables,
            leaks: this.#leaks,
          },
          this.#passingIndirect,
        )
      : new Uint8Array(funcTypes.length);
    const internal = this.#internal;
    const body = this.#body;
    body.reset();
    const leaves = this.#leaves;
    body.u32(
      this.#stubs +
        funcTypes.length +
        this.#wrapped.length +
        (this.#restarts ? funcTypes.length : 0) +
        leaves.length,
    );
    for (let i = 0; i < this.#stubs; i++) body.u32(this.#growType);
    const writeTypes = () => {
      for (let i = 0; i < funcTypes.length; i++) {
        const type = funcTypes[i]!;
        body.u32(internal[i] === 1 ? this.#twinBase + type : type);
      }
    };
    writeTypes();
    for (const f of this.#wrapped) body.u32(funcTypes[f - this.#funcImports]!);
    if (this.#restarts) writeTypes();
    for (const leaf of leaves) body.u32(leaf.type);
    const section = new Writer(body.len + 6);
    section.section(3, body);
    this.#out.insert(this.#functionSectionAt, section);
    this.#functionSectionAt = -1;
  }

  #tableSection(s: Reader): void {
    const { maxTableElements } = this.#options;
    const body = this.#body;
    const count = s.u32();
    body.reset();
    body.u32(count);
    for (let i = 0; i < count; i++) {
      const type = readTableType(s);
      this.#tableTypes.push(type);
      const { min, max } = readLimits(s, 'table');
      if (min > maxTableElements) {
        throw new KeelError(
          'table-limit',
          `table ${this.#tableTypes.length - 1} starts with ${min} elements, over the ${maxTableElements}-element cap`,
          { requested: min, limit: maxTableElements },
        );
      }
      body.byte(type);
      body.byte(0x01);
      body.u32(min);
      body.u32(Math.min(max ?? Number.POSITIVE_INFINITY, maxTableElements));
    }
    expectEnd(s, 'table');
    this.#out.section(4, body);
  }

  #memorySection(s: Reader): void {
    const { maxMemoryPages } = this.#options;
    const body = this.#body;
    const count = s.u32();
    body.reset();
    body.u32(count);
    for (let i = 0; i < count; i++) {
      const { flags, min, max } = readMemoryLimits(s);
      if (min > maxMemoryPages) {
        throw new KeelError(
          'memory-limit',
          `memory ${i} starts with ${min} pages, over the ${maxMemoryPages}-page cap`,
          { requestedPages: min, limitPages: maxMemoryPages },
        );
      }
      body.byte(flags | 0x01);
      body.u32(min);
      body.u32(Math.min(max ?? Number.POSITIVE_INFINITY, maxMemoryPages));
    }
    expectEnd(s, 'memory');
    this.#out.section(5, body);
  }

  #globalSection(s: Reader): void {
    const count = s.u32();
    this.#writeGlobals(s.pos, s.end, count);
  }

  /**
   * The module's globals (`count` of them in `bytes[start, end)`), after the fuel counter when
   * the module defines it: `(mut i64) (i64.const 0)`, at the index an imported one would have
   * (the first after the imported globals). It holds nothing until the host adopts it.
   */
  #writeGlobals(start: number, end: number, count: number): void {
    const body = this.#body;
    body.reset();
    const defines = this.#definesCounter;
    body.u32(count + (defines ? 1 : 0));
    if (defines) for (const b of DEFINED_COUNTER) body.byte(b);
    const s = new Reader(this.#bytes, start, end);
    for (let i = 0; i < count; i++) {
      const from = s.pos;
      skipValueType(s);
      s.byte();
      body.copy(this.#bytes, from, s.pos);
      rewriteConstExpr(s, body, this.#remapFunc, this.#remapGlobal);
    }
    expectEnd(s, 'global');
    this.#out.section(6, body);
    this.#globalsWritten = true;
  }

  #exportSection(s: Reader): void {
    const count = s.u32();
    this.#writeExports(s.pos, s.end, count);
  }

  /** The module's exports, then, when it defines the counter, `keel:fuel` and `keel:start`. */
  #writeExports(start: number, end: number, count: number): void {
    const body = this.#body;
    const s = new Reader(this.#bytes, start, end);
    const defines = this.#definesCounter;
    const started = defines ? startFunction(this.#bytes) : -1;
    const leaves = this.#leaves;
    body.reset();
    body.u32(count + leaves.length + (defines ? 1 : 0) + (started >= 0 ? 1 : 0));
    for (let i = 0; i < count; i++) {
      const from = s.pos;
      const length = s.u32();
      const nameAt = s.pos;
      s.pos = from;
      if (s.nameIs(NAME.fuelExport, NAME.startExport) || reservedLeafName(this.#bytes, nameAt, length)) {
        s.pos = from;
        const name = s.name();
        throw new KeelError(
          'invalid-module',
          `the module exports "${name}", a name reserved for Keel's metering (already metered?)`,
        );
      }
      const kind = s.byte();
      body.copy(this.#bytes, from, s.pos);
      const index = s.u32();
      if (kind === 0x01) this.#openTables.add(index);
      body.u32(kind === 0x00 ? this.#remapFunc(index) : kind === 0x03 ? this.#remapGlobal(index) : index);
    }
    expectEnd(s, 'export');
    // The twins after the module's own exports (`keel:leaf/NAME`), after every other function:
    // the imports (the module's and the pass's, `FUNC_SHIFT` with the stubs), then the stubs,
    // the module's functions, the wrappers and the restart trampolines.
    if (leaves.length > 0) {
      const functions = this.#funcTypes.length;
      const firstTwin =
        this.#funcImports + FUNC_SHIFT + functions + this.#wrapped.length + (this.#restarts ? functions : 0);
      writeTwinExports(body, this.#bytes, leaves, firstTwin);
    }
    if (defines) {
      body.nameOf(NAME.fuelExport);
      body.byte(0x03);
      body.u32(this.#globalImports);
    }
    if (started >= 0) {
      // Named as the start section would name it: it escapes the same way.
      body.nameOf(NAME.startExport);
      body.byte(0x00);
      body.u32(this.#remapFunc(started));
    }
    this.#out.section(7, body);
    this.#exportsWritten = true;
  }

  #startSection(s: Reader): void {
    const start = s.u32();
    expectEnd(s, 'start');
    // A module that defines its counter exports its start function instead (`#writeExports`).
    if (this.#definesCounter) return;
    const body = this.#body;
    body.reset();
    body.u32(this.#remapFunc(start));
    this.#out.section(8, body);
  }

  #elementSection(s: Reader): void {
    const body = this.#body;
    const count = s.u32();
    body.reset();
    body.u32(count);
    for (let i = 0; i < count; i++)
      rewriteElement(s, body, this.#escapeIndex, this.#remapGlobal, this.#onElement);
    expectEnd(s, 'element');
    this.#out.section(9, body);
  }

  #codeSection(s: Reader, size: number): void {
    this.#codeSeen = true;
    const count = s.u32();
    const funcImports = this.#funcImports;
    if (count !== this.#funcTypes.length) malformed('function and code section counts differ');
    // Insert the function section where it belongs; the code is appended after it.
    if (this.#functionSectionAt >= 0) this.#writeFunctions();
    const bodies = this.#bodyRewriter();
    const internal = this.#internal;
    // Bodies are written straight into the output after 5 bytes kept for the section size,
    // which is then written in its minimal form (some tools reject padded sizes).
    const out = this.#out;
    out.byte(10);
    const sizeAt = out.len;
    out.reserve(5 + Math.floor(size * 1.5));
    out.len += 5;
    out.u32(this.#stubs + count + this.#wrapped.length + (this.#restarts ? count : 0) + this.#leaves.length);
    for (let i = 0; i < this.#stubs; i++) for (const b of GROW_STUB_BODY) out.byte(b);
    const costs = this.#options.costs;
    for (let i = 0; i < count; i++) {
      const bodySize = s.u32();
      const bodyStart = s.pos;
      const bodyEnd = bodyStart + bodySize;
      if (bodyEnd > s.end) malformed(`function ${funcImports + i} runs past the code section`);
      // Straight-line code that costs nothing (`noop`: leaves.ts) is written as it is: its charge
      // was a read and write of the counter with nothing taken, on every call. Not a function
      // that passes fuel (its signature is the pass's).
      if (
        internal[i] !== 1 &&
        bodySize <= MAX_LEAF_BODY &&
        leafCost(this.#bytes, bodyStart, bodyEnd, costs) === 0
      ) {
        out.u32(bodySize);
        out.copy(this.#bytes, bodyStart, bodyEnd);
      } else bodies.rewrite(bodyStart, bodyEnd, this.#funcTypes[i]!, funcImports + i, internal[i] === 1, out);
      s.pos = bodyEnd;
    }
    expectEnd(s, 'code');
    const appended: AppendedContext = { funcImports, fuelGlobal: this.#globalImports, funcShift: FUNC_SHIFT };
    const paramsOf = (i: number) => this.#paramCounts[this.#funcTypes[i]!]!;
    for (const f of this.#wrapped) {
      writeWrapper(out, appended, f, paramsOf(f - funcImports), internal[f - funcImports] === 1);
    }
    if (this.#restarts)
      for (let i = 0; i < count; i++) writeRestart(out, appended, i, paramsOf(i), internal[i] === 1);
    writeTwinBodies(out, this.#bytes, this.#leaves);
    out.patchU32(sizeAt, 5, out.len - sizeAt - 5);
  }

  #bodyRewriter(): BodyRewriter {
    const options = this.#options;
    const funcImports = this.#funcImports;
    const globalImports = this.#globalImports;
    this.#bodies ??= new BodyRewriter({
      bytes: this.#bytes,
      costs: options.costs,
      strategy: options.strategy,
      countedLoops: options.countedLoops,
      paramCounts: this.#paramCounts,
      resultBlockTypes: this.#resultBlockTypes,
      internal: this.#internal,
      indirectPasses: (table, type) => this.#indirectPasses(table, type),
      wrapperOf: (f) => this.#wrapperOf.get(f),
      restartOf: (f) =>
        this.#restarts
          ? funcImports + FUNC_SHIFT + this.#funcTypes.length + this.#wrapped.length + (f - funcImports)
          : undefined,
      closedTable: (table) => this.#passing && !this.#openTables.has(table),
      twinBase: this.#twinBase,
      found: this.#found,
      funcImports,
      funcShift: FUNC_SHIFT,
      globalImports,
      fuelGlobal: globalImports,
      fnFuelSlice: funcImports,
      // A stub is never called: a grow the scan missed makes the pass run again (emit.ts).
      fnMemoryGrow: this.#grows.memory ? funcImports + this.#fnMemoryGrow : -1,
      fnTableGrow: this.#grows.table ? funcImports + this.#fnTableGrow : -1,
      missedGrow: this.#onMissedGrow,
      tableTypes: this.#tableTypes,
    });
    return this.#bodies;
  }

  #dataSection(s: Reader): void {
    const { maxDataSegmentBytes } = this.#options;
    const body = this.#body;
    const count = s.u32();
    body.reset();
    body.u32(count);
    for (let i = 0; i < count; i++) {
      const flags = s.u32();
      body.u32(flags);
      if (flags === 2) body.u32(s.u32());
      if (flags === 0 || flags === 2) rewriteConstExpr(s, body, this.#remapFunc, this.#remapGlobal);
      else if (flags !== 1) malformed(`unknown data segment flags ${flags}`);
      const length = s.u32();
      if (length > s.end - s.pos) malformed(`data segment ${i} runs past its section`);
      if (length > maxDataSegmentBytes) {
        throw new KeelError(
          'invalid-module',
          `data segment ${i} is ${length} bytes, over the ${maxDataSegmentBytes}-byte data segment limit`,
          { segment: i, size: length, limit: maxDataSegmentBytes },
        );
      }
      body.u32(length);
      body.copy(this.#bytes, s.pos, s.pos + length);
      s.pos += length;
    }
    expectEnd(s, 'data');
    this.#out.section(11, body);
  }

  // Renumbering: what the sections call back with (original numbering in, final out).

  /** The index an escaping reference to `index` uses. */
  readonly #escapeIndex = (index: number): number => {
    if (index < this.#funcImports) return index;
    return (this.#wrapperOf.get(index) ?? index) + FUNC_SHIFT;
  };

  /** Renumber a function index that escapes (export, element, global, start). */
  readonly #remapFunc = (index: number): number => {
    const funcImports = this.#funcImports;
    if (index < funcImports) return index;
    if (!this.#wrapperOf.has(index) && index - funcImports < this.#escaped.length)
      this.#escaped[index - funcImports] = 1;
    return this.#escapeIndex(index);
  };

  readonly #remapFuncName = (index: number): number =>
    index >= this.#funcImports ? index + FUNC_SHIFT : index;

  readonly #remapGlobal = (index: number): number => (index >= this.#globalImports ? index + 1 : index);

  readonly #remapLocalName = (func: number, local: number): number => {
    const defined = func - this.#funcImports;
    if (defined < 0 || this.#internal[defined] !== 1) return local;
    return local >= this.#paramCounts[this.#funcTypes[defined]!]! ? local + 1 : local;
  };

  /** An element segment's entry: in an active segment's table, or escaping. */
  readonly #onElement = (table: number, func: number | undefined): void => {
    if (func !== undefined) func = this.#wrapperOf.get(func) ?? func; // the table holds the wrapper
    if (table < 0 || func === undefined) {
      // A passive or declarative segment, or an entry we cannot name: it escapes.
      if (table >= 0) this.#openTables.add(table);
      else if (func !== undefined) this.#remapFunc(func);
      return;
    }
    const list = this.#tableEntries.get(table);
    if (list) list.push(func);
    else this.#tableEntries.set(table, [func]);
  };

  #twinKey(type: number): string {
    const twin = this.#twins[type];
    if (!twin) return '';
    const [, paramsFrom, paramsTo, , resultsFrom, resultsTo] = twin;
    return signatureKey(
      `${latin1(this.#bytes, paramsFrom, paramsTo)}\x7e`,
      `${latin1(this.#bytes, resultsFrom, resultsTo)}\x7e`,
    );
  }

  #indirectPasses(table: number, type: number): boolean {
    const key = this.#typeKeys[type];
    return key !== undefined && this.#passingIndirect.get(table)?.has(key) === true;
  }
}

/**
 * The pass's output in the imported form (`meterModule`'s default) turned into the defined form
 * without metering again: the same bytes as `counter: 'defined'` gives (the function bodies are
 * the same in both; test/meter/defined-counter compares them). The `keel.fuel` import goes, the
 * counter is defined first of the globals (its index unchanged) and exported with the start
 * function, whose section goes. For the loader, which meters a component's first core module
 * before the plan says whether it is the sole core instance.
 */
export function defineCounter(metered: Uint8Array): Uint8Array {
  const start = startFunction(metered);
  const out = new Writer(metered.length + 32);
  const body = new Writer(256);
  out.copy(metered, 0, 8);
  let fuelIndex = -1;
  let globalsWritten = false;
  let exportsWritten = false;
  const globals = (s: Reader | undefined) => {
    const count = s ? s.u32() : 0;
    body.reset();
    body.u32(count + 1);
    for (const b of DEFINED_COUNTER) body.byte(b);
    if (s) body.copy(metered, s.pos, s.end);
    out.section(6, body);
    globalsWritten = true;
  };
  const exports = (s: Reader | undefined) => {
    const count = s ? s.u32() : 0;
    body.reset();
    body.u32(count + 1 + (start >= 0 ? 1 : 0));
    if (s) body.copy(metered, s.pos, s.end);
    body.nameOf(NAME.fuelExport);
    body.byte(0x03);
    body.u32(fuelIndex);
    if (start >= 0) {
      body.nameOf(NAME.startExport);
      body.byte(0x00);
      body.u32(start);
    }
    out.section(7, body);
    exportsWritten = true;
  };
  const r = new Reader(metered, 8);
  while (r.pos < metered.length) {
    const sectionStart = r.pos;
    const id = r.byte();
    const size = r.u32();
    const s = new Reader(metered, r.pos, r.pos + size);
    r.pos = s.end;
    const order = id === 0 ? 0 : SECTION_ORDER[id]!;
    if (order > SECTION_ORDER[6]! && !globalsWritten) globals(undefined);
    if (order > SECTION_ORDER[7]! && !exportsWritten) exports(undefined);
    if (id === 2) {
      const count = s.u32();
      body.reset();
      body.u32(count - 1);
      let globalImports = 0;
      for (let i = 0; i < count; i++) {
        const from = s.pos;
        const inKeel = s.nameIs(NAME.module);
        const isFuel = s.nameIs(NAME.fuel) && inKeel;
        const kind = s.byte();
        if (kind === 0x00) s.u32();
        else if (kind === 0x01) {
          readTableType(s);
          readLimits(s, 'table');
        } else if (kind === 0x02) readMemoryLimits(s);
        else if (kind === 0x03) {
          skipValueType(s);
          s.byte();
          if (isFuel) {
            fuelIndex = globalImports;
            continue;
          }
          globalImports++;
        } else if (kind === 0x04) {
          s.byte();
          s.u32();
        } else malformed(`unknown import kind ${kind}`);
        body.copy(metered, from, s.pos);
      }
      if (fuelIndex < 0) malformed('not metered with an imported counter');
      out.section(2, body);
    } else if (id === 6) globals(s);
    else if (id === 7) exports(s);
    else if (id !== 8) out.copy(metered, sectionStart, s.end);
  }
  if (!globalsWritten) globals(undefined);
  if (!exportsWritten) exports(undefined);
  return out.bytes();
}

/** The defined counter's global: `(mut i64) (i64.const 0)`. */
const DEFINED_COUNTER = [0x7e, 0x01, 0x42, 0x00, 0x0b];

/** The start section's function index (original numbering), or -1 without one. */
function startFunction(bytes: Uint8Array): number {
  let start = -1;
  eachSection(bytes, (id, s) => {
    if (id !== 8) return false;
    start = s.u32();
    return true;
  });
  return start;
}

function checkHeader(bytes: Uint8Array): void {
  if (bytes.length < 8) malformed('shorter than a module header');
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    malformed('no \\0asm magic number');
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    if (bytes[6] === 1 && bytes[7] === 0) malformed('this is a component, not a core module');
    malformed('unsupported binary version');
  }
}
