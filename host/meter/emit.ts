/**
 * What the metering pass writes into a function body besides the input's own code: charges,
 * checks and refills of the fuel counter, its save and reload around calls, the charges of bulk
 * operations and grows, and the grows routed through the host's limits. `BodyRewriter`
 * (fuel.ts) extends this with the walk over the input.
 */
import { malformed, Reader, Writer } from './binary.js';
import type { CostTables } from './costs.js';
import {
  I32,
  OP_BR,
  OP_BR_IF,
  OP_CALL,
  OP_ELSE,
  OP_END,
  OP_GLOBAL_GET,
  OP_GLOBAL_SET,
  OP_I32_CONST,
  OP_I32_NE,
  OP_I64_CONST,
  OP_I64_DIV_U,
  OP_I64_EXTEND_I32_U,
  OP_I64_LT_S,
  OP_I64_MUL,
  OP_I64_SHR_U,
  OP_I64_SUB,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOCAL_TEE,
  OP_MEMORY_GROW,
  OP_MEMORY_SIZE,
  OP_RETURN,
  OP_SELECT,
  VOID,
} from './instructions.js';
import type { Leaks } from './passing.js';

/** Everything about the module that a function body's rewriting needs. */
export interface BodyContext {
  readonly bytes: Uint8Array;
  readonly costs: CostTables;
  readonly strategy: 'local' | 'global';
  /** Charge counted loops once before they start (see counted.ts) instead of at every turn. */
  readonly countedLoops: boolean;
  /** Parameter count by type index. */
  readonly paramCounts: readonly number[];
  /** By type index: the block type (encoded) of a block that yields the function's results. */
  readonly resultBlockTypes: readonly Uint8Array[];
  /**
   * By defined function index: 1 if the function passes fuel (`local` strategy, never escapes):
   * its type gains an i64 parameter and an i64 result that carry the counter.
   */
  readonly internal: Uint8Array;
  /** The output index of the trampoline that refills and calls `func` again, if it has one. */
  readonly restartOf: (func: number) => number | undefined;
  /** The wrapper that stands for an exported function wherever it escapes (original numbering). */
  readonly wrapperOf: (func: number) => number | undefined;
  /** Whether `call_indirect (type)` through `table` passes fuel (all its targets do). */
  readonly indirectPasses: (table: number, type: number) => boolean;
  /** Whether `table` is one that only `call_indirect` uses (so far). */
  readonly closedTable: (table: number) => boolean;
  /** Type index of the fuel-passing twin of type 0. */
  readonly twinBase: number;
  /** Where the pass records what makes its fuel passing through tables unsafe (it then reruns). */
  readonly found: Leaks;
  /** Function indices at or above this move up by `funcShift`. */
  readonly funcImports: number;
  readonly funcShift: number;
  /** Global indices at or above this move up by one (the fuel global takes this index). */
  readonly globalImports: number;
  readonly fuelGlobal: number;
  readonly fnFuelSlice: number;
  /**
   * The grow checks' indices; -1 when the module does not import one (the scan found no such
   * grow in its code: `GrowScan` in module.ts).
   */
  readonly fnMemoryGrow: number;
  readonly fnTableGrow: number;
  /** A grow whose check is not imported was met: this output is discarded, the pass runs again. */
  readonly missedGrow: () => void;
  /** Reference type (0x70 funcref, 0x6f externref) of each table. */
  readonly tableTypes: readonly number[];
}

/** The output side of a body's rewriting; its state is reset by `BodyRewriter` for each body. */
export class FuelEmitter {
  readonly ctx: BodyContext;
  readonly bytes: Uint8Array;
  /** A reader over the input, free for lookups: the main loop reads through its own position. */
  readonly r: Reader;
  /**
   * The rewritten code of the body being read (its locals and entry are written at the end).
   * Sized to the module up to 64 KiB (it grows as needed): a zeroed 64 KiB buffer was half of
   * metering a small module.
   */
  readonly code: Writer;
  /** Where copying from the input resumes (see `copyTo`). */
  copyFrom = 0;
  /** Calls to `flush` so far in this body: each marks a branch, a call, a loop or a join. */
  flushes = 0;
  /** The function being rewritten passes fuel (see `BodyContext.internal`). */
  passes = false;
  /** Locals from this index move up by one (the counter parameter of a function that passes fuel). */
  params = 0;
  /** Local index of the fuel counter (`local` strategy). */
  fuelLocal = 0;
  /** Next free local index, and the locals added so far (their types, in index order). */
  nextLocal = 0;
  readonly added: number[] = [];
  readonly scratch = new Map<number, number>();

  constructor(ctx: BodyContext) {
    this.ctx = ctx;
    this.bytes = ctx.bytes;
    this.r = new Reader(ctx.bytes);
    this.code = new Writer(Math.min(1 << 16, 2 * ctx.bytes.length + 256));
  }

  /** Copy the input from the last copy point up to `to`. */
  copyTo(to: number): void {
    this.code.copy(this.bytes, this.copyFrom, to);
    this.copyFrom = to;
  }

  /** Copy up to `at`, then charge `amount`. */
  flush(at: number, amount: number): void {
    this.flushes++;
    this.copyTo(at);
    if (amount === 0) return;
    const code = this.code;
    const local = this.ctx.strategy === 'local';
    const index = local ? this.fuelLocal : this.ctx.fuelGlobal;
    if (index < 0x80 && amount < 0x40) {
      // The common case, written in one go: get, i64.const, i64.sub, set.
      code.reserve(7);
      const buf = code.buf;
      let len = code.len;
      buf[len++] = local ? OP_LOCAL_GET : OP_GLOBAL_GET;
      buf[len++] = index;
      buf[len++] = OP_I64_CONST;
      buf[len++] = amount;
      buf[len++] = OP_I64_SUB;
      buf[len++] = local ? OP_LOCAL_SET : OP_GLOBAL_SET;
      buf[len++] = index;
      code.len = len;
      return;
    }
    this.fuelGet(code);
    code.byte(OP_I64_CONST);
    code.sleb(amount);
    code.byte(OP_I64_SUB);
    this.fuelSet(code);
  }

  fuelGet(w: Writer): void {
    if (this.ctx.strategy === 'local') {
      w.byte(OP_LOCAL_GET);
      w.u32(this.fuelLocal);
    } else {
      w.byte(OP_GLOBAL_GET);
      w.u32(this.ctx.fuelGlobal);
    }
  }

  fuelSet(w: Writer): void {
    if (this.ctx.strategy === 'local') {
      w.byte(OP_LOCAL_SET);
      w.u32(this.fuelLocal);
    } else {
      w.byte(OP_GLOBAL_SET);
      w.u32(this.ctx.fuelGlobal);
    }
  }

  /** `local` strategy: write the counter back to the global. */
  save(w: Writer = this.code): void {
    w.byte(OP_LOCAL_GET);
    w.u32(this.fuelLocal);
    w.byte(OP_GLOBAL_SET);
    w.u32(this.ctx.fuelGlobal);
  }

  /** `local` strategy: read the counter from the global. */
  reload(w: Writer = this.code): void {
    w.byte(OP_GLOBAL_GET);
    w.u32(this.ctx.fuelGlobal);
    w.byte(OP_LOCAL_SET);
    w.u32(this.fuelLocal);
  }

  /** Return from the function (results on the stack): with the counter, or after saving it. */
  writeReturn(): void {
    if (this.passes) this.fuelGet(this.code);
    else if (this.ctx.strategy === 'local') this.save();
    this.code.byte(OP_RETURN);
  }

  /** `br_if $refill (fuel < 0)`; `label` is the label index of the refill block where this is written. */
  writeCheck(w: Writer, label: number): void {
    this.fuelGet(w);
    w.byte(OP_I64_CONST);
    w.byte(0);
    w.byte(OP_I64_LT_S);
    w.byte(OP_BR_IF);
    w.u32(label);
  }

  /** `if (fuel < 0) refill`, in line: where a refill out of line would cost more than it saves. */
  writeInlineCheck(w: Writer): void {
    this.fuelGet(w);
    w.byte(OP_I64_CONST);
    w.byte(0);
    w.byte(OP_I64_LT_S);
    w.byte(OP_IF);
    w.byte(VOID);
    this.writeRefill(w);
    w.byte(OP_END);
  }

  /** Call `keel.fuel_slice`, which refills the counter or throws, with the counter saved and reloaded. */
  writeRefill(w: Writer): void {
    const local = this.ctx.strategy === 'local';
    if (local) this.save(w);
    w.byte(OP_CALL);
    w.u32(this.ctx.fnFuelSlice);
    if (local) this.reload(w);
  }

  /**
   * Before the `end` of a loop whose check refills out of line:
   *
   *   loop  block $done (result)  block $refill  br_if $refill (fuel < 0)  ...body...
   *   br $done  end  refill  br $loop  end  end
   *
   * The check at the loop's header leaves the body for a refill out of line, then takes the
   * loop's own back edge to its header, where nothing of the body has run. No loop is added
   * (V8 compiles each with a stack check and treats it as a loop nest), and a hot loop keeps a
   * check of one branch.
   */
  closeLoop(): void {
    const code = this.code;
    code.byte(OP_BR);
    code.byte(1);
    code.byte(OP_END);
    this.writeRefill(code);
    code.byte(OP_BR);
    code.byte(1);
    code.byte(OP_END);
  }

  addLocal(type: number): number {
    this.added.push(type);
    return this.nextLocal++;
  }

  /** A scratch local of `type`, one per function and `slot` (for two of one type at once). */
  scratchLocal(type: number, slot = 0): number {
    const key = type | (slot << 8);
    let index = this.scratch.get(key);
    if (index === undefined) {
      index = this.addLocal(type);
      this.scratch.set(key, index);
    }
    return index;
  }

  /** A local's index in the output (see `params`). */
  mapLocal(index: number): number {
    return index >= this.params ? index + 1 : index;
  }

  /** The code reads or changes `table`: it cannot be one whose calls pass fuel. */
  tableUse(table: number): void {
    if (this.ctx.closedTable(table)) this.ctx.found.tables.add(table);
  }

  /**
   * Charge for the operand count on top of the stack (an i32): `fuelPerUnit` fuel per
   * `unitsPerFuel` units (rounded down), and leave the operands as they were.
   */
  bulkCharge(at: number, unitsPerFuel: number, fuelPerUnit = 1): void {
    if (unitsPerFuel === 0 || fuelPerUnit === 0) return;
    this.copyTo(at);
    const code = this.code;
    const n = this.scratchLocal(I32);
    code.byte(OP_LOCAL_TEE);
    code.u32(n);
    this.fuelGet(code);
    code.byte(OP_LOCAL_GET);
    code.u32(n);
    code.byte(OP_I64_EXTEND_I32_U);
    if (unitsPerFuel > 1) {
      code.byte(OP_I64_CONST);
      if ((unitsPerFuel & (unitsPerFuel - 1)) === 0) {
        code.sleb(Math.log2(unitsPerFuel));
        code.byte(OP_I64_SHR_U);
      } else {
        code.sleb(unitsPerFuel);
        code.byte(OP_I64_DIV_U);
      }
    }
    if (fuelPerUnit > 1) {
      code.byte(OP_I64_CONST);
      code.sleb(fuelPerUnit);
      code.byte(OP_I64_MUL);
    }
    code.byte(OP_I64_SUB);
    this.fuelSet(code);
  }

  /**
   * After a grow whose result (`memory.grow`, `table.grow`: the old size, or -1) is on top of
   * the stack, charge `perUnit` fuel for each of the `delta` units it added: all of them if it
   * succeeded, none if it failed. The result stays on the stack.
   *
   * Only what was added is charged: a grow that fails does no work, and charging the units it
   * asked for would turn `memory.grow(-1)` (2^32 - 1 pages, which plain V8 answers with -1) into
   * 4.4 * 10^12 fuel, exhausting any budget where plain V8 goes on. A grow that succeeds adds
   * at most the sandbox's limit, so the charge stays far from the i64 range.
   */
  growCharge(delta: number, perUnit: number): void {
    if (perUnit === 0) return;
    const code = this.code;
    const result = this.scratchLocal(I32, 1);
    code.byte(OP_LOCAL_TEE);
    code.u32(result);
    this.fuelGet(code);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_I32_CONST);
    code.byte(0);
    code.byte(OP_LOCAL_GET);
    code.u32(result);
    code.byte(OP_I32_CONST);
    code.byte(0x7f); // -1
    code.byte(OP_I32_NE);
    code.byte(OP_SELECT);
    code.byte(OP_I64_EXTEND_I32_U);
    if (perUnit !== 1) {
      code.byte(OP_I64_CONST);
      code.sleb(perUnit);
      code.byte(OP_I64_MUL);
    }
    code.byte(OP_I64_SUB);
    this.fuelSet(code);
  }

  /**
   * `memory.grow` becomes: ask the host whether the new size is within the sandbox's limit,
   * grow or push -1, and charge per page added.
   */
  memoryGrow(memory: number): void {
    const check = this.ctx.fnMemoryGrow;
    if (check < 0) this.ctx.missedGrow();
    const code = this.code;
    const local = this.ctx.strategy === 'local';
    const delta = this.scratchLocal(I32);
    code.byte(OP_LOCAL_SET);
    code.u32(delta);
    if (local) this.save();
    code.byte(OP_MEMORY_SIZE);
    code.u32(memory);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_CALL);
    code.u32(check < 0 ? 0 : check);
    code.byte(OP_IF);
    code.byte(I32);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_MEMORY_GROW);
    code.u32(memory);
    this.growCharge(delta, this.ctx.costs.model.memoryGrowPerPage);
    code.byte(OP_ELSE);
    code.byte(OP_I32_CONST);
    code.byte(0x7f); // -1
    code.byte(OP_END);
  }

  /** `table.grow` likewise, against the sandbox's table limit, charged per element added. */
  tableGrow(table: number, funcIndex: number): void {
    const check = this.ctx.fnTableGrow;
    if (check < 0) this.ctx.missedGrow();
    const code = this.code;
    const local = this.ctx.strategy === 'local';
    const type =
      this.ctx.tableTypes[table] ?? malformed(`function ${funcIndex}: table ${table} out of range`);
    const delta = this.scratchLocal(I32);
    const init = this.scratchLocal(type);
    code.byte(OP_LOCAL_SET);
    code.u32(delta);
    code.byte(OP_LOCAL_SET);
    code.u32(init);
    if (local) this.save();
    code.byte(0xfc);
    code.u32(16); // table.size
    code.u32(table);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(OP_CALL);
    code.u32(check < 0 ? 0 : check);
    code.byte(OP_IF);
    code.byte(I32);
    code.byte(OP_LOCAL_GET);
    code.u32(init);
    code.byte(OP_LOCAL_GET);
    code.u32(delta);
    code.byte(0xfc);
    code.u32(15); // table.grow
    code.u32(table);
    this.growCharge(delta, this.ctx.costs.model.tableGrowPerElement);
    code.byte(OP_ELSE);
    code.byte(OP_I32_CONST);
    code.byte(0x7f);
    code.byte(OP_END);
  }
}
