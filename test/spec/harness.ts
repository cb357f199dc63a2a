/**
 * Runs one converted spec script (see `scripts/update-spec-tests.ts`) on plain V8 or through a
 * transform, and says for every command whether it passed and what was observed.
 *
 * Semantics follow the reference interpreter's script runner, through the JS API:
 * - `module` instantiates (imports from registered modules, `spectest`, and the transform's
 *   extra imports; a module name nobody registered resolves to an empty object so that a
 *   missing import is a LinkError); `register` makes an instance's exports importable;
 * - `action` passes when the call returns; `assert_return` compares results bit for bit, with
 *   `nan:canonical` / `nan:arithmetic` patterns, per lane for v128;
 * - `assert_trap` expects a `WebAssembly.RuntimeError`, `assert_exhaustion` a `RangeError`
 *   (V8's stack overflow), `assert_exception` a `WebAssembly.Exception`;
 * - `assert_invalid` / `assert_malformed` (binary) pass when the transform or `WebAssembly.Module`
 *   rejects the bytes; text-format modules are not applicable (`n/a`): Keel never sees text;
 * - `assert_unlinkable` expects a `WebAssembly.LinkError` at instantiation,
 *   `assert_uninstantiable` a `WebAssembly.RuntimeError`.
 * A transform must reject nothing that plain V8 accepts: a transform that throws on a valid
 * module fails that module and every command that uses it.
 */
import { gunzipSync } from 'node:zlib';
import { type ExportTypes, exportTypes, funcType, HEADER, name, section, vec } from './binary.js';
import { invoke, type Raw } from './invoke.js';
import type { Transform } from './transforms.js';

export interface SpecValue {
  type: string;
  value?: string | string[];
  lane_type?: string;
}

export interface SpecAction {
  type: 'invoke' | 'get';
  module?: string;
  field: string;
  args?: SpecValue[];
}

export interface SpecCommand {
  type: string;
  line: number;
  wasm?: string;
  name?: string;
  as?: string;
  action?: SpecAction;
  expected?: SpecValue[];
  either?: SpecValue[];
  text?: string;
  module_type?: 'binary' | 'text';
}

export interface ScriptData {
  script: string;
  commands: SpecCommand[];
  dropped: { line: number; kind: string; feature: string; reason: string }[];
}

export type Status = 'pass' | 'fail' | 'n/a';

export interface Outcome {
  line: number;
  type: string;
  status: Status;
  /** What happened: the results (exact bits) or the error, as text. */
  observed: string;
  /** For a failure: what the script expected. */
  expected?: string;
}

/** Commands whose observed behaviour a transform must reproduce exactly, not only pass. */
export const EXACT_KINDS = new Set([
  'action',
  'assert_return',
  'assert_trap',
  'assert_exhaustion',
  'assert_exception',
]);

export function loadScript(gz: Uint8Array): ScriptData {
  return JSON.parse(gunzipSync(gz).toString('utf8')) as ScriptData;
}

// --- the spectest host module --------------------------------------------------------------

/**
 * The reference interpreter's `spectest` module, as real wasm so that signatures and global
 * types are checked at link time exactly as for any other module.
 */
export function spectestBytes(): Uint8Array {
  const sigs = [
    { params: [], results: [] },
    { params: ['i32'], results: [] },
    { params: ['i64'], results: [] },
    { params: ['f32'], results: [] },
    { params: ['f64'], results: [] },
    { params: ['i32', 'f32'], results: [] },
    { params: ['f64', 'f64'], results: [] },
  ] as const;
  const prints = [
    'print',
    'print_i32',
    'print_i64',
    'print_f32',
    'print_f64',
    'print_i32_f32',
    'print_f64_f64',
  ];
  const f32 = new Uint8Array(new Float32Array([666.6]).buffer);
  const f64 = new Uint8Array(new Float64Array([666.6]).buffer);
  const globals = [
    [0x7f, 0x00, 0x41, 0x9a, 0x05, 0x0b],
    [0x7e, 0x00, 0x42, 0x9a, 0x05, 0x0b],
    [0x7d, 0x00, 0x43, ...f32, 0x0b],
    [0x7c, 0x00, 0x44, ...f64, 0x0b],
  ];
  const exports = [
    ...prints.map((p, i) => [...name(p), 0x00, i]),
    [...name('table'), 0x01, 0],
    [...name('memory'), 0x02, 0],
    ...['global_i32', 'global_i64', 'global_f32', 'global_f64'].map((g, i) => [...name(g), 0x03, i]),
  ];
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec(sigs.map((s) => funcType({ params: [...s.params], results: [] })))),
    ...section(3, vec(prints.map((_, i) => [i]))),
    ...section(4, vec([[0x70, 0x01, 10, 20]])),
    ...section(5, vec([[0x01, 1, 2]])),
    ...section(6, vec(globals)),
    ...section(7, vec(exports)),
    ...section(10, vec(prints.map(() => [2, 0, 0x0b]))),
  ]);
}

let spectestModule: WebAssembly.Module | undefined;

/** A fresh `spectest` instance, plus `shared_memory` (V8 11.3 has one memory per module). */
function spectest(): WebAssembly.Exports {
  spectestModule ??= new WebAssembly.Module(spectestBytes() as Uint8Array<ArrayBuffer>);
  const shared_memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  return { ...new WebAssembly.Instance(spectestModule, {}).exports, shared_memory };
}

/** `WebAssembly.Exception` (exception handling ships in Node 20; TypeScript's lib lacks it). */
export const WasmException = (
  WebAssembly as unknown as { Exception: abstract new (...args: never[]) => object }
).Exception;

// --- values ---------------------------------------------------------------------------------

const externs = new Map<string, object>();

/** The host value that stands for `ref.extern N`: one object per N, the same in every run. */
function externref(n: string): object {
  let v = externs.get(n);
  if (!v) {
    v = Object.freeze({ externref: n });
    externs.set(n, v);
  }
  return v;
}

const WIDTH: Record<string, number> = { i8: 8, i16: 16, i32: 32, i64: 64, f32: 32, f64: 64 };

function laneBytes(laneType: string, lanes: string[]): Uint8Array {
  const width = WIDTH[laneType]!;
  const bytes = new Uint8Array(16);
  lanes.forEach((lane, i) => {
    let v = BigInt.asUintN(width, BigInt(lane));
    for (let b = 0; b < width / 8; b++) {
      bytes[(i * width) / 8 + b] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return bytes;
}

export function toRaw(v: SpecValue): Raw {
  switch (v.type) {
    case 'i32':
    case 'f32':
      return { type: v.type, bits: BigInt.asUintN(32, BigInt(v.value as string)) };
    case 'i64':
    case 'f64':
      return { type: v.type, bits: BigInt.asUintN(64, BigInt(v.value as string)) };
    case 'v128':
      return { type: 'v128', bytes: laneBytes(v.lane_type!, v.value as string[]) };
    case 'externref':
      return { type: 'externref', ref: v.value === 'null' ? null : externref(v.value as string) };
    case 'funcref':
      if (v.value !== 'null') throw new Error('a non-null funcref argument cannot be written in a script');
      return { type: 'funcref', ref: null };
    default:
      throw new Error(`unsupported value type ${v.type}`);
  }
}

const CANONICAL = { 32: 0x7fc00000n, 64: 0x7ff8000000000000n };
const SIGN = { 32: 0x80000000n, 64: 0x8000000000000000n };

function floatMatches(width: 32 | 64, pattern: string, bits: bigint): boolean {
  if (pattern === 'nan:canonical') return (bits & ~SIGN[width]) === CANONICAL[width];
  if (pattern === 'nan:arithmetic') return (bits & CANONICAL[width]) === CANONICAL[width];
  return BigInt.asUintN(width, BigInt(pattern)) === bits;
}

function laneValue(bytes: Uint8Array, width: number, i: number): bigint {
  let v = 0n;
  for (let b = width / 8 - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[(i * width) / 8 + b]!);
  return v;
}

export function matches(exp: SpecValue, got: Raw): boolean {
  if (exp.type !== got.type) return false;
  switch (got.type) {
    case 'i32':
      return BigInt.asUintN(32, BigInt(exp.value as string)) === got.bits;
    case 'i64':
      return BigInt.asUintN(64, BigInt(exp.value as string)) === got.bits;
    case 'f32':
      return floatMatches(32, exp.value as string, got.bits);
    case 'f64':
      return floatMatches(64, exp.value as string, got.bits);
    case 'v128': {
      const width = WIDTH[exp.lane_type!]!;
      const lanes = exp.value as string[];
      return lanes.every((lane, i) => {
        const bits = laneValue(got.bytes, width, i);
        if (exp.lane_type === 'f32' || exp.lane_type === 'f64')
          return floatMatches(width as 32 | 64, lane, bits);
        return BigInt.asUintN(width, BigInt(lane)) === bits;
      });
    }
    case 'externref':
      if (exp.value === undefined) return got.ref !== null;
      return got.ref === (exp.value === 'null' ? null : externref(exp.value as string));
    case 'funcref':
      if (exp.value === undefined) return typeof got.ref === 'function';
      return exp.value === 'null' ? got.ref === null : false;
  }
}

export function showRaw(v: Raw): string {
  switch (v.type) {
    case 'v128':
      return `v128:${Buffer.from(v.bytes).toString('hex')}`;
    case 'externref': {
      if (v.ref === null) return 'ref.null extern';
      const n = (v.ref as { externref?: string }).externref;
      return n === undefined ? 'ref.extern(host)' : `ref.extern ${n}`;
    }
    case 'funcref':
      return v.ref === null ? 'ref.null func' : 'ref.func';
    default:
      return `${v.type}:0x${v.bits.toString(16)}`;
  }
}

function showSpec(values: SpecValue[]): string {
  return values
    .map(
      (v) =>
        `${v.type}${v.lane_type ? `.${v.lane_type}` : ''}:${Array.isArray(v.value) ? v.value.join(' ') : v.value}`,
    )
    .join(', ');
}

export function showError(e: unknown): string {
  if (e instanceof WasmException) return 'WebAssembly.Exception';
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `thrown: ${String(e)}`;
}

function globalRaw(type: string, value: unknown): Raw {
  const view = new DataView(new ArrayBuffer(8));
  switch (type) {
    case 'i32':
      return { type, bits: BigInt((value as number) >>> 0) };
    case 'i64':
      return { type, bits: BigInt.asUintN(64, value as bigint) };
    case 'f32':
      view.setFloat32(0, value as number, true);
      return { type, bits: BigInt(view.getUint32(0, true)) };
    case 'f64':
      view.setFloat64(0, value as number, true);
      return { type, bits: view.getBigUint64(0, true) };
    case 'externref':
    case 'funcref':
      return { type, ref: value };
    default:
      throw new Error(`cannot read a ${type} global from JS`);
  }
}

// --- running --------------------------------------------------------------------------------

interface Loaded {
  exports: WebAssembly.Exports;
  types: ExportTypes;
}

/** Runs every command of a script; `transform` undefined means plain V8. */
export function runScript(data: ScriptData, transform?: Transform): Outcome[] {
  const registry = new Map<string, WebAssembly.Exports>([['spectest', spectest()]]);
  const extra = transform?.extraImports() ?? {};
  const named = new Map<string, Loaded | undefined>();
  let current: Loaded | undefined;

  const compile = (base64: string): { module: WebAssembly.Module; bytes: Uint8Array } => {
    const original = new Uint8Array(Buffer.from(base64, 'base64'));
    const bytes = transform ? transform.transform(original) : original;
    return { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), bytes };
  };
  const instantiate = (base64: string): Loaded => {
    const { module, bytes } = compile(base64);
    const imports: Record<string, Record<string, unknown>> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      imports[imp.module] ??= (registry.get(imp.module) ?? extra[imp.module] ?? {}) as Record<
        string,
        unknown
      >;
    }
    const instance = transform?.instantiate
      ? transform.instantiate(module, imports as WebAssembly.Imports)
      : new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    return { exports: instance.exports, types: exportTypes(bytes) };
  };
  const perform = (action: SpecAction): Raw[] => {
    const target = action.module ? named.get(action.module) : current;
    if (!target) throw new Error(`no module ${action.module ?? '(current)'}`);
    const value = target.exports[action.field];
    if (action.type === 'get') {
      const type = target.types.globals.get(action.field);
      if (!type || !(value instanceof WebAssembly.Global)) throw new Error(`no global "${action.field}"`);
      return [globalRaw(type, value.value)];
    }
    const sig = target.types.funcs.get(action.field);
    if (!sig || typeof value !== 'function') throw new Error(`no function "${action.field}"`);
    return invoke(value, sig, (action.args ?? []).map(toRaw));
  };

  const outcomes: Outcome[] = [];
  for (const cmd of data.commands) {
    const out = (status: Status, observed: string, expected?: string) => {
      const o: Outcome = { line: cmd.line, type: cmd.type, status, observed };
      if (expected !== undefined && status === 'fail') o.expected = expected;
      outcomes.push(o);
    };
    const expectThrow = (f: () => unknown, want: (e: unknown) => boolean, expected: string) => {
      try {
        const r = f();
        out('fail', Array.isArray(r) ? (r as Raw[]).map(showRaw).join(', ') : 'no error', expected);
      } catch (e) {
        out(want(e) ? 'pass' : 'fail', showError(e), expected);
      }
    };
    switch (cmd.type) {
      case 'module': {
        let loaded: Loaded | undefined;
        try {
          loaded = instantiate(cmd.wasm!);
          out('pass', 'instantiated');
        } catch (e) {
          out('fail', showError(e), 'instantiated');
        }
        current = loaded;
        if (cmd.name) named.set(cmd.name, loaded);
        break;
      }
      case 'register': {
        const target = cmd.name ? named.get(cmd.name) : current;
        if (target) {
          registry.set(cmd.as!, target.exports);
          out('pass', 'registered');
        } else {
          registry.delete(cmd.as!);
          out('fail', 'no module', 'registered');
        }
        break;
      }
      case 'action':
      case 'assert_return': {
        let results: Raw[];
        try {
          results = perform(cmd.action!);
        } catch (e) {
          out('fail', showError(e), cmd.type === 'action' ? 'returns' : showSpec(cmd.expected ?? []));
          break;
        }
        const observed = results.map(showRaw).join(', ');
        if (cmd.type === 'action') {
          out('pass', observed);
        } else if (cmd.either) {
          const ok = results.length === 1 && cmd.either.some((alt) => matches(alt, results[0]!));
          out(ok ? 'pass' : 'fail', observed, `either ${showSpec(cmd.either)}`);
        } else {
          const exp = cmd.expected ?? [];
          const ok = exp.length === results.length && exp.every((e, i) => matches(e, results[i]!));
          out(ok ? 'pass' : 'fail', observed, showSpec(exp));
        }
        break;
      }
      case 'assert_trap':
        expectThrow(
          () => perform(cmd.action!),
          (e) => e instanceof WebAssembly.RuntimeError,
          `trap: ${cmd.text}`,
        );
        break;
      case 'assert_exhaustion':
        expectThrow(
          () => perform(cmd.action!),
          (e) => e instanceof RangeError,
          `exhaustion: ${cmd.text}`,
        );
        break;
      case 'assert_exception':
        expectThrow(
          () => perform(cmd.action!),
          (e) => e instanceof WasmException,
          'exception',
        );
        break;
      case 'assert_invalid':
      case 'assert_malformed':
        if (cmd.module_type === 'text' || !cmd.wasm) out('n/a', 'text format');
        else
          expectThrow(
            () => compile(cmd.wasm!),
            () => true,
            `rejected: ${cmd.text}`,
          );
        break;
      case 'assert_unlinkable':
        expectThrow(
          () => instantiate(cmd.wasm!),
          (e) => e instanceof WebAssembly.LinkError,
          `link error: ${cmd.text}`,
        );
        break;
      case 'assert_uninstantiable':
        expectThrow(
          () => instantiate(cmd.wasm!),
          (e) => e instanceof WebAssembly.RuntimeError,
          `instantiation trap: ${cmd.text}`,
        );
        break;
      default:
        out('fail', `unknown command ${cmd.type}`);
    }
  }
  return outcomes;
}
