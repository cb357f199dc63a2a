/**
 * Differential execution: run a module's exports on plain V8 and under a transform, with the
 * same calls, and compare everything observable, exactly:
 * - each call's results, bit for bit (NaN payloads and v128 lanes included), or its error
 *   (class and V8's message);
 * - after each call, every user global (through the module's `state` export), the memory's
 *   size and a hash of its bytes, and the calls the module made to the host (`env.h`).
 */
import { createHash } from 'node:crypto';
import { exportTypes, type ValType } from '../spec/binary.js';
import { showError, showRaw } from '../spec/harness.js';
import { invoke, type Raw } from '../spec/invoke.js';
import type { Transform } from '../spec/transforms.js';
import { Rng } from './rng.js';

/** One argument, serializable: integer and float bits in decimal, v128 in hex. */
export interface Arg {
  type: ValType;
  value: string;
}

export interface Call {
  export: string;
  args: Arg[];
}

/** Budgets set before each call (see gen.ts): bounded loops and call depth. */
export const LOOP_BUDGET = 1000;
export const CALL_BUDGET = 100;

export function toRaw(a: Arg): Raw {
  switch (a.type) {
    case 'v128':
      return { type: 'v128', bytes: new Uint8Array(Buffer.from(a.value, 'hex')) };
    case 'i32':
    case 'i64':
    case 'f32':
    case 'f64':
      return { type: a.type, bits: BigInt(a.value) };
    default:
      throw new Error(`unsupported argument type ${a.type}`);
  }
}

function randomArg(rng: Rng, type: ValType): Arg {
  switch (type) {
    case 'i32':
      return {
        type,
        value: String(
          rng.weighted<number>([
            [3, rng.int(17)],
            [2, rng.pick([0xffffffff, 0x80000000, 0x7fffffff, 0xfff, 65536])],
            [3, rng.u32()],
          ]),
        ),
      };
    case 'i64':
      return {
        type,
        value: String(
          rng.weighted<bigint>([
            [3, BigInt(rng.int(17))],
            [2, rng.pick([0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn])],
            [3, rng.u64()],
          ]),
        ),
      };
    case 'f32':
      return {
        type,
        value: String(
          rng.weighted<number>([
            [3, new Uint32Array(new Float32Array([rng.int(2001) / 4 - 250]).buffer)[0]!],
            [2, rng.pick([0x7fc00000, 0xff800001, 0x7f800000, 0x80000000, 0x4f000000])],
            [3, rng.u32()],
          ]),
        ),
      };
    case 'f64': {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, rng.int(2001) / 4 - 250, true);
      return {
        type,
        value: String(
          rng.weighted<bigint>([
            [3, view.getBigUint64(0, true)],
            [2, rng.pick([0x7ff8000000000000n, 0xfff0000000000001n, 0x41e0000000000000n])],
            [3, rng.u64()],
          ]),
        ),
      };
    }
    case 'v128':
      return { type, value: Buffer.from(rng.bytes(16)).toString('hex') };
    default:
      throw new Error(`no random ${type}`);
  }
}

/** The calls the fuzzer makes on a module: each `f*` export a few times, seeded. */
export function plan(bytes: Uint8Array, seed: number, callsPerExport = 3): Call[] {
  const rng = new Rng(seed ^ 0x5eed);
  const calls: Call[] = [];
  for (const [exportName, sig] of exportTypes(bytes).funcs) {
    if (!/^f\d+$/.test(exportName)) continue;
    for (let i = 0; i < callsPerExport; i++) {
      calls.push({ export: exportName, args: sig.params.map((t) => randomArg(rng, t)) });
    }
  }
  // Interleave exports so that state left by one call feeds another.
  for (let i = calls.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [calls[i], calls[j]] = [calls[j]!, calls[i]!];
  }
  return calls;
}

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** Runs the calls on one fresh instance; returns one line per observation. */
export function observe(bytes: Uint8Array, calls: Call[], transform?: Transform): string[] {
  let module: WebAssembly.Module;
  let typesOf: Uint8Array;
  try {
    typesOf = transform ? transform.transform(bytes) : bytes;
    module = new WebAssembly.Module(typesOf as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return [`compile: ${showError(e)}`];
  }
  const trace: string[] = [];
  const env = {
    h(a: number, b: bigint): number {
      trace.push(`${a}:${b}`);
      return (a ^ Number(b & 0xffffn)) | 0;
    },
  };
  let exports: WebAssembly.Exports;
  try {
    exports = new WebAssembly.Instance(module, { ...transform?.extraImports(), env } as WebAssembly.Imports)
      .exports;
  } catch (e) {
    return [`instantiate: ${showError(e)}`];
  }
  const types = exportTypes(typesOf);
  const memory = exports.mem as WebAssembly.Memory;
  const loopBudget = exports.loop_budget as WebAssembly.Global;
  const callBudget = exports.call_budget as WebAssembly.Global;
  const state = exports.state as Function;
  const stateSig = types.funcs.get('state')!;
  const lines: string[] = [];
  for (const call of calls) {
    loopBudget.value = LOOP_BUDGET;
    callBudget.value = CALL_BUDGET;
    const sig = types.funcs.get(call.export);
    const fn = exports[call.export];
    let result: string;
    if (!sig || typeof fn !== 'function') result = 'no such export';
    else {
      try {
        result = invoke(fn, sig, call.args.map(toRaw)).map(showRaw).join(', ');
      } catch (e) {
        result = showError(e);
      }
    }
    const spent =
      loopBudget.value === 0 ? ' (loop budget spent)' : callBudget.value === 0 ? ' (call budget spent)' : '';
    result += spent;
    callBudget.value = CALL_BUDGET;
    const globals = invoke(state, stateSig, []).map(showRaw).join(', ');
    const mem = new Uint8Array(memory.buffer);
    lines.push(
      `${call.export}(${call.args.map((a) => a.value).join(', ')}) -> ${result} | state ${globals} | memory ${mem.length} ${sha(mem)} | host ${trace.length} ${sha(trace.join(';'))}`,
    );
  }
  return lines;
}

export interface Mismatch {
  transform: string;
  /** Index of the first differing observation (-1: their count differs). */
  index: number;
  plain: string;
  transformed: string;
}

/** Compares plain V8 with each transform; returns the first difference per transform. */
export function differential(
  bytes: Uint8Array,
  calls: Call[],
  transforms: readonly Transform[],
): { plain: string[]; mismatches: Mismatch[] } {
  const plain = observe(bytes, calls);
  const mismatches: Mismatch[] = [];
  for (const t of transforms) {
    const got = observe(bytes, calls, t);
    const n = Math.max(plain.length, got.length);
    for (let i = 0; i < n; i++) {
      if (plain[i] !== got[i]) {
        mismatches.push({
          transform: t.name,
          index: i,
          plain: plain[i] ?? '(none)',
          transformed: got[i] ?? '(none)',
        });
        break;
      }
    }
  }
  return { plain, mismatches };
}

/** What a call did, for coverage statistics: `ok` or the error's class and message. */
export function callKind(line: string): string {
  const m = / -> (.*?) \| state /.exec(line);
  if (!m) return line.split(':')[0] ?? line;
  const r = m[1]!;
  if (/^(RuntimeError|RangeError|Error|TypeError|WebAssembly\.Exception)/.test(r)) return r;
  return 'returned';
}
