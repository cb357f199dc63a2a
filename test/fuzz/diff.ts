/**
 * Differential execution: run a module's exports on plain V8 and under a transform, with the
 * same calls, and compare everything observable, exactly:
 * - each call's results, bit for bit (NaN payloads and v128 lanes included), or its error
 *   (class and V8's message);
 * - after each call, the state a `Profile` records (for generated modules: every user global
 *   through the `state` export, the memory's size and a hash of its bytes), and the calls the
 *   module made to the host.
 */
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import {
  type ExportTypes,
  exportTypes,
  funcType,
  HEADER,
  name,
  section,
  sleb,
  uleb,
  type ValType,
  vec,
} from '../spec/binary.js';
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

/**
 * How to drive one family of modules: what to import, which exports to call, what to reset
 * before each call and what state to record after it.
 */
export interface Profile {
  name: string;
  /** Whether the fuzzer calls this export. */
  callable(exportName: string): boolean;
  /** Fresh imports for one instance, and a summary of the host calls made through them. */
  host(): { imports: WebAssembly.Imports; summary(): string };
  /** Runs before each call (resets budgets). */
  before(exports: WebAssembly.Exports): void;
  /** Observable state after a call, besides the result. */
  state(exports: WebAssembly.Exports, types: ExportTypes, result: string): string;
}

/** Modules from gen.ts: `f*` exports, `env.h`, budgets, `state` and `mem` exports. */
export const GENERATED: Profile = {
  name: 'generated',
  callable: (name) => /^f\d+$/.test(name),
  host() {
    const trace: string[] = [];
    const h = (a: number, b: bigint): number => {
      trace.push(`${a}:${b}`);
      return (a ^ Number(b & 0xffffn)) | 0;
    };
    return { imports: { env: { h } }, summary: () => `${trace.length} ${sha(trace.join(';'))}` };
  },
  before(exports) {
    (exports.loop_budget as WebAssembly.Global).value = LOOP_BUDGET;
    (exports.call_budget as WebAssembly.Global).value = CALL_BUDGET;
  },
  state(exports, types) {
    const loop = exports.loop_budget as WebAssembly.Global;
    const call = exports.call_budget as WebAssembly.Global;
    const spent = loop.value === 0 ? 'loop budget spent; ' : call.value === 0 ? 'call budget spent; ' : '';
    call.value = CALL_BUDGET;
    const globals = invoke(exports.state as Function, types.funcs.get('state')!, [])
      .map(showRaw)
      .join(', ');
    const mem = new Uint8Array((exports.mem as WebAssembly.Memory).buffer);
    return `${spent}state ${globals} | memory ${mem.length} ${sha(mem)}`;
  },
};

/**
 * The host side of binaryen's `wasm-opt -ttf` modules: `fuzzing-support.log-{i32,i64,f32,f64,v128}`,
 * implemented in wasm (so that v128 and NaN bits never cross into JS): each call stores its
 * argument's bits in a 64 KiB ring and counts.
 */
function loggerBytes(): Uint8Array {
  const types: ValType[] = ['i32', 'i64', 'f32', 'f64', 'v128'];
  const store: Record<string, number[]> = {
    i32: [0x36, 2, 0],
    i64: [0x37, 3, 0],
    f32: [0x38, 2, 0],
    f64: [0x39, 3, 0],
    v128: [0xfd, 0x0b, 4, 0],
  };
  // address = (n & 4095) << 4; store arg; n += 1
  const body = (t: ValType) => [
    0,
    ...[0x23, 0, 0x41, ...sleb(4095), 0x71, 0x41, 4, 0x74],
    ...[0x20, 0, ...store[t]!],
    ...[0x23, 0, 0x41, 1, 0x6a, 0x24, 0, 0x0b],
  ];
  const code = types.map((t) => {
    const b = body(t);
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec(types.map((t) => funcType({ params: [t], results: [] })))),
    ...section(3, vec(types.map((_, i) => [i]))),
    ...section(5, vec([[0x00, 1]])),
    ...section(6, vec([[0x7f, 0x01, 0x41, 0, 0x0b]])),
    ...section(
      7,
      vec([
        ...types.map((t, i) => [...name(`log-${t}`), 0x00, i]),
        [...name('m'), 0x02, 0],
        [...name('n'), 0x03, 0],
      ]),
    ),
    ...section(10, vec(code)),
  ]);
}

let loggerModule: WebAssembly.Module | undefined;

/** Modules from binaryen's `wasm-opt -ttf` (test/fuzz/corpus): every export but the hang limit's. */
export const BINARYEN: Profile = {
  name: 'binaryen-ttf',
  callable: (name) => name !== 'hangLimitInitializer',
  host() {
    loggerModule ??= new WebAssembly.Module(loggerBytes() as Uint8Array<ArrayBuffer>);
    const logger = new WebAssembly.Instance(loggerModule, {}).exports;
    const memory = logger.m as WebAssembly.Memory;
    const count = logger.n as WebAssembly.Global;
    return {
      imports: { 'fuzzing-support': logger },
      summary: () => `${count.value} ${sha(new Uint8Array(memory.buffer))}`,
    };
  },
  before(exports) {
    (exports.hangLimitInitializer as Function | undefined)?.();
  },
  state(exports) {
    const memory = exports.memory as WebAssembly.Memory | undefined;
    if (!memory) return 'no memory';
    const mem = new Uint8Array(memory.buffer);
    return `memory ${mem.length} ${sha(mem)}`;
  },
};

export const PROFILES: Record<string, Profile> = { generated: GENERATED, 'binaryen-ttf': BINARYEN };

/** The calls the fuzzer makes on a module: each callable export a few times, seeded. */
export function plan(
  bytes: Uint8Array,
  seed: number,
  profile: Profile = GENERATED,
  callsPerExport = 3,
): Call[] {
  const rng = new Rng(seed ^ 0x5eed);
  const calls: Call[] = [];
  for (const [exportName, sig] of exportTypes(bytes).funcs) {
    if (!profile.callable(exportName)) continue;
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

export const sha = (data: Uint8Array | string) =>
  createHash('sha256').update(data).digest('hex').slice(0, 16);

/** Runs the calls on one fresh instance; returns one line per observation. */
export function observe(
  bytes: Uint8Array,
  calls: Call[],
  transform?: Transform,
  profile: Profile = GENERATED,
): string[] {
  let module: WebAssembly.Module;
  let code: Uint8Array;
  try {
    code = transform ? transform.transform(bytes) : bytes;
    module = new WebAssembly.Module(code as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return [`compile: ${showError(e)}`];
  }
  const host = profile.host();
  let exports: WebAssembly.Exports;
  try {
    const imports = { ...transform?.extraImports(), ...host.imports } as WebAssembly.Imports;
    exports = (
      transform?.instantiate
        ? transform.instantiate(module, imports)
        : new WebAssembly.Instance(module, imports)
    ).exports;
  } catch (e) {
    return [`instantiate: ${showError(e)}`];
  }
  const types = exportTypes(code);
  const lines: string[] = [];
  for (const call of calls) {
    profile.before(exports);
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
    const state = profile.state(exports, types, result);
    lines.push(
      `${call.export}(${call.args.map((a) => a.value).join(', ')}) -> ${result} | ${state} | host ${host.summary()}`,
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

/**
 * Compile every module with one V8 tier, so that a NaN's sign is the same on both sides.
 * An arithmetic NaN may have either sign (the spec allows both): Liftoff gives x86's default
 * NaN (sign set), TurboFan a clear sign, and which tier runs a call depends on when background
 * tier-up finishes. Without a pin a module that stores such a NaN hashes differently from run
 * to run. TurboFan by default (it is what runs hot guest code); an explicit `--liftoff-only`
 * or `--no-liftoff` on the command line is kept. Call once, before compiling anything.
 */
export function pinWasmTier(): void {
  const explicit = process.execArgv.some((a) => /^--(no-)?liftoff/.test(a));
  if (!explicit) setFlagsFromString('--no-liftoff');
}

/** Compares plain V8 with each transform; returns the first difference per transform. */
export function differential(
  bytes: Uint8Array,
  calls: Call[],
  transforms: readonly Transform[],
  profile: Profile = GENERATED,
): { plain: string[]; mismatches: Mismatch[] } {
  const plain = observe(bytes, calls, undefined, profile);
  const mismatches: Mismatch[] = [];
  for (const t of transforms) {
    const got = observe(bytes, calls, t, profile);
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
  const m = / -> (.*?) \| /.exec(line);
  if (!m) return line.split(':')[0] ?? line;
  const r = m[1]!;
  const spent = /\| (loop|call) budget spent/.exec(line);
  if (/^(RuntimeError|RangeError|Error|TypeError|WebAssembly\.Exception)/.test(r))
    return spent ? `${r} (${spent[1]} budget spent)` : r;
  return 'returned';
}
