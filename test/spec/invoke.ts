/**
 * Calls an exported WebAssembly function with exact values: through a small wasm trampoline
 * that reads the arguments from its memory and writes the results back, so that i64, v128 and
 * NaN payloads cross the JS boundary bit for bit (JS numbers may canonicalize NaNs, and V8
 * refuses v128 at the boundary). References are passed as JS values.
 */
import {
  type FuncSig,
  funcType,
  HEADER,
  name,
  section,
  sleb,
  uleb,
  VALTYPE_CODE,
  type ValType,
  vec,
} from './binary.js';

/** A value with its exact bits: integers and floats as unsigned bits, v128 as 16 bytes. */
export type Raw =
  | { type: 'i32' | 'i64' | 'f32' | 'f64'; bits: bigint }
  | { type: 'v128'; bytes: Uint8Array }
  | { type: 'funcref' | 'externref'; ref: unknown };

const SLOT = 16;
const RESULTS = 32 * 1024;
const MAX_VALUES = RESULTS / SLOT;

const LOAD: Partial<Record<ValType, number[]>> = {
  i32: [0x28],
  i64: [0x29],
  f32: [0x2a],
  f64: [0x2b],
  v128: [0xfd, 0x00],
};
const STORE: Partial<Record<ValType, number[]>> = {
  i32: [0x36],
  i64: [0x37],
  f32: [0x38],
  f64: [0x39],
  v128: [0xfd, 0x0b],
};

const isRef = (t: ValType) => t === 'funcref' || t === 'externref';

/** The trampoline for one signature: `run(refs...) -> refs...`; numbers go through memory. */
export function trampolineBytes(sig: FuncSig): Uint8Array {
  if (sig.params.length > MAX_VALUES || sig.results.length > MAX_VALUES)
    throw new Error('signature too large');
  const refParams = sig.params.filter(isRef);
  const refResults = sig.results.filter(isRef);
  const body: number[] = [];
  let refIndex = 0;
  sig.params.forEach((t, i) => {
    if (isRef(t)) body.push(0x20, ...uleb(refIndex++));
    else body.push(0x41, ...sleb(i * SLOT), ...LOAD[t]!, 0, 0);
  });
  body.push(0x10, 0);
  const firstResultLocal = refParams.length;
  for (let r = sig.results.length - 1; r >= 0; r--) body.push(0x21, ...uleb(firstResultLocal + r));
  sig.results.forEach((t, r) => {
    if (isRef(t)) return;
    body.push(0x41, ...sleb(RESULTS + r * SLOT), 0x20, ...uleb(firstResultLocal + r), ...STORE[t]!, 0, 0);
  });
  sig.results.forEach((t, r) => {
    if (isRef(t)) body.push(0x20, ...uleb(firstResultLocal + r));
  });
  body.push(0x0b);
  const locals = vec(sig.results.map((t) => [1, VALTYPE_CODE[t]]));
  const code = [...locals, ...body];
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([funcType(sig), funcType({ params: refParams, results: refResults })])),
    ...section(2, vec([[...name('t'), ...name('f'), 0x00, 0]])),
    ...section(3, vec([[1]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(
      7,
      vec([
        [...name('run'), 0x00, 1],
        [...name('m'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

interface Trampoline {
  run: (...refs: unknown[]) => unknown;
  view: DataView;
  bytes: Uint8Array;
}

const modules = new Map<string, WebAssembly.Module>();
const trampolines = new WeakMap<Function, Trampoline>();

function trampolineFor(fn: Function, sig: FuncSig): Trampoline {
  let t = trampolines.get(fn);
  if (t) return t;
  const key = `${sig.params.join(',')}->${sig.results.join(',')}`;
  let mod = modules.get(key);
  if (!mod) {
    mod = new WebAssembly.Module(trampolineBytes(sig) as Uint8Array<ArrayBuffer>);
    modules.set(key, mod);
  }
  const instance = new WebAssembly.Instance(mod, { t: { f: fn } });
  const memory = instance.exports.m as WebAssembly.Memory;
  t = {
    run: instance.exports.run as (...refs: unknown[]) => unknown,
    view: new DataView(memory.buffer),
    bytes: new Uint8Array(memory.buffer),
  };
  trampolines.set(fn, t);
  return t;
}

/** Calls `fn` (an exported wasm function of signature `sig`) with exact arguments. */
export function invoke(fn: Function, sig: FuncSig, args: Raw[]): Raw[] {
  if (args.length !== sig.params.length)
    throw new Error(`expected ${sig.params.length} arguments, got ${args.length}`);
  const t = trampolineFor(fn, sig);
  const refs: unknown[] = [];
  args.forEach((a, i) => {
    const off = i * SLOT;
    if (a.type !== sig.params[i]) throw new Error(`argument ${i}: expected ${sig.params[i]}, got ${a.type}`);
    switch (a.type) {
      case 'funcref':
      case 'externref':
        refs.push(a.ref);
        break;
      case 'v128':
        t.bytes.set(a.bytes, off);
        break;
      case 'i32':
      case 'f32':
        t.view.setUint32(off, Number(a.bits & 0xffffffffn), true);
        break;
      default:
        t.view.setBigUint64(off, BigInt.asUintN(64, a.bits), true);
    }
  });
  const returned = t.run(...refs);
  const refResults = sig.results.filter(isRef);
  const refValues: unknown[] =
    refResults.length === 0
      ? []
      : refResults.length === 1
        ? [returned]
        : [...(returned as Iterable<unknown>)];
  let nextRef = 0;
  return sig.results.map((type, r): Raw => {
    const off = RESULTS + r * SLOT;
    switch (type) {
      case 'funcref':
      case 'externref':
        return { type, ref: refValues[nextRef++] };
      case 'v128':
        return { type, bytes: t.bytes.slice(off, off + 16) };
      case 'i32':
      case 'f32':
        return { type, bits: BigInt(t.view.getUint32(off, true)) };
      default:
        return { type, bits: t.view.getBigUint64(off, true) };
    }
  });
}
