/**
 * Helpers for the metering tests: run a module metered with plain `WebAssembly.Instance` and
 * `createMeterRuntime`, compile WAT that uses exceptions, and build large synthetic modules.
 */
import type wabtInit from 'wabt';
import { KeelError } from '../../host/kernel/errors.js';
import { eachSection, type Reader, Writer } from '../../host/meter/binary.js';
import {
  createMeterRuntime,
  type MeterLimits,
  type MeterOptions,
  meterModule,
} from '../../host/meter/index.js';
import { WAT_ALL_FEATURES, wat } from '../../scripts/lib/wat.js';

export interface Metered {
  instance: WebAssembly.Instance;
  exports: Record<string, any>;
  meter: ReturnType<typeof createMeterRuntime>;
  bytes: Uint8Array;
}

export const AMPLE = { fuel: 1e15, memoryBytes: 2 ** 32, tableElements: 10_000_000 } as const;

export function instantiateMetered(
  bytes: Uint8Array,
  limits: Partial<MeterLimits> = {},
  options: MeterOptions = {},
  imports: WebAssembly.Imports = {},
  events: Parameters<typeof createMeterRuntime>[1] = {},
): Metered {
  const metered = meterModule(bytes, options);
  const meter = createMeterRuntime({ ...AMPLE, ...limits }, events);
  const module = new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { ...imports, keel: meter.imports.keel });
  return { instance, exports: instance.exports as Record<string, any>, meter, bytes: metered };
}

export function instantiatePlain(bytes: Uint8Array, imports: WebAssembly.Imports = {}): Record<string, any> {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, imports).exports as Record<string, any>;
}

/** Imported on first use (about 0.1 s of CPU): most files of test/meter never disassemble. */
let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** WAT with every feature Node 20 enables, exceptions (legacy) included. */
export function watAll(source: string): Promise<Uint8Array> {
  return wat(source, 'inline.wat', WAT_ALL_FEATURES);
}

/** The text of the module, names included (for index-space checks). */
export async function toText(bytes: Uint8Array): Promise<string> {
  wabt ??= await (await import('wabt')).default();
  const module = wabt.readWasm(bytes, { readDebugNames: true, exceptions: true, tail_call: true });
  try {
    module.applyNames();
    return module.toText({ foldExprs: false, inlineExport: false });
  } finally {
    module.destroy();
  }
}

/** Call `fn` and return what it threw (fails the test if it returned). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * For the counted-loop attacks: whether the metering counted a loop in `bytes` (its output
 * differs from per-turn charging's), after checking that `run()` under 1,000,000 fuel fails
 * with `fuel-exhausted`, the whole budget used, within a second.
 */
export function exhaustsMetered(bytes: Uint8Array): { counted: boolean; exports: Record<string, any> } {
  const perTurn = meterModule(bytes, { countedLoops: false });
  const counted = !Buffer.from(meterModule(bytes)).equals(Buffer.from(perTurn));
  const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 });
  const start = performance.now();
  const error = thrown(() => exports.run());
  const elapsed = performance.now() - start;
  if (error?.code !== 'fuel-exhausted' || error.details?.used !== 1_000_000 || meter.remaining() !== 0) {
    throw new Error(`expected fuel-exhausted with 1,000,000 used, got ${error?.code ?? error}`);
  }
  if (elapsed >= 1000) throw new Error(`fuel-exhausted after ${elapsed.toFixed(0)} ms, not at once`);
  return { counted, exports };
}

// A minimal binary builder for synthetic modules far too large to write as WAT.

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

export function section(id: number, content: number[] | Uint8Array): Uint8Array {
  const header = [id, ...uleb(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header);
  out.set(content, header.length);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * A module of `count` functions `() -> i32`, each with `body` (instruction bytes, without the
 * final `end`), the first exported as "f0".
 */
export function syntheticModule(count: number, body: number[] | Uint8Array): Uint8Array {
  const types = section(1, [1, 0x60, 0, 1, 0x7f]);
  const funcs: number[] = [...uleb(count)];
  for (let i = 0; i < count; i++) funcs.push(0);
  const exports = section(7, [1, 2, 0x66, 0x30, 0x00, 0x00]);
  const bodySize = body.length + 2; // local groups count + end
  const entry = new Uint8Array([...uleb(bodySize), 0, ...body, 0x0b]);
  const countBytes = uleb(count);
  const code = new Uint8Array(countBytes.length + entry.length * count);
  code.set(countBytes);
  for (let i = 0; i < count; i++) code.set(entry, countBytes.length + i * entry.length);
  return concat([
    HEADER,
    types,
    section(3, funcs),
    section(7, []).subarray(0, 0),
    exports,
    section(10, code),
  ]);
}

/** Repeat `unit` `times` times, then append `tail`. */
export function repeat(unit: number[], times: number, tail: number[] = []): Uint8Array {
  const out = new Uint8Array(unit.length * times + tail.length);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
  out.set(tail, unit.length * times);
  return out;
}

/** Fastest of `runs` timings of `fn`, in milliseconds. */
export function fastest(fn: () => unknown, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * Rewriting time per byte must not grow superlinearly: at 8x the size, at most `slack` times
 * the time per byte of the smaller module (a quadratic pass would show 8x; the slack absorbs a
 * busy machine). Returns the two times for reporting.
 */
export function expectLinear(
  make: (scale: number) => Uint8Array,
  meter: (bytes: Uint8Array) => unknown,
  n: number,
  slack = 5,
) {
  const small = make(n);
  const large = make(8 * n);
  meter(small); // warm up
  const tSmall = fastest(() => meter(small), 5);
  const tLarge = fastest(() => meter(large), 3);
  const perByteSmall = tSmall / small.length;
  const perByteLarge = tLarge / large.length;
  return { tSmall, tLarge, ok: perByteLarge <= perByteSmall * slack + 1e-6 };
}

/**
 * A metered module without what host/meter/leaves.ts appends: the last functions, one each a
 * `keel:leaf/` export, those exports, and the `keel:leaves` custom section of their costs (also
 * when it lists only leaves that cost nothing, which get no twin).
 */
export function withoutTwins(out: Uint8Array): { bytes: Uint8Array; twins: number } {
  const leafName = (s: Reader) => {
    const length = s.u32();
    const name = Buffer.from(s.bytes.subarray(s.pos, s.pos + length)).toString('latin1');
    s.pos += length;
    return name.startsWith('keel:leaf/');
  };
  let twins = 0;
  eachSection(out, (id, s) => {
    if (id !== 7) return false;
    const count = s.u32();
    for (let i = 0; i < count; i++) {
      if (leafName(s)) twins++;
      s.byte();
      s.u32();
    }
    return true;
  });
  if (twins === 0) {
    // Only leaves that cost nothing (no twin): the costs' section alone, appended last, if any.
    let end = 8;
    let cut = -1;
    eachSection(out, (id, s) => {
      if (id === 0 && s.name() === 'keel:leaves') cut = end;
      end = s.end;
      return false;
    });
    return { bytes: cut < 0 ? out : out.slice(0, cut), twins };
  }
  const w = new Writer(out.length);
  const body = new Writer(256);
  w.copy(out, 0, 8);
  eachSection(out, (id, s) => {
    const start = s.pos;
    if (id === 0 && s.name() === 'keel:leaves') return false;
    s.pos = start;
    if (id === 3 || id === 10) {
      const count = s.u32() - twins;
      const from = s.pos;
      for (let i = 0; i < count; i++) {
        if (id === 3) s.u32();
        else s.skip(s.u32());
      }
      body.reset();
      body.u32(count);
      body.copy(out, from, s.pos);
      w.section(id, body);
      return false;
    }
    if (id === 7) {
      const count = s.u32();
      body.reset();
      body.u32(count - twins);
      for (let i = 0; i < count; i++) {
        const at = s.pos;
        const drop = leafName(s);
        s.byte();
        s.u32();
        if (!drop) body.copy(out, at, s.pos);
      }
      w.section(7, body);
      return false;
    }
    w.byte(id);
    w.u32(s.end - start);
    w.copy(out, start, s.end);
    return false;
  });
  return { bytes: w.bytes(), twins };
}

/** A cost model that prices every control instruction apart, so a path that skips one shows. */
export const CONTROL_COSTS = {
  default: 1,
  instructions: { end: 7, loop: 11, br_if: 13, if: 17, br: 19, block: 23, call: 29 },
};

/**
 * A differential runner of one module's exports, metered with `CONTROL_COSTS` with and without
 * counted loops (`counted`), each form compiled once: the result or the error code, and the fuel
 * used, on a runtime of `fuel` in slices of 7.
 */
export function meteredRunner(bytes: Uint8Array) {
  const compiled = new Map<string, WebAssembly.Module>();
  return (counted: boolean, strategy: 'local' | 'global', name: string, args: number[], fuel: number) => {
    const key = `${counted} ${strategy}`;
    let module = compiled.get(key);
    if (!module) {
      const metered = meterModule(bytes, { strategy, costs: CONTROL_COSTS, countedLoops: counted });
      module = new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>);
      compiled.set(key, module);
    }
    const meter = createMeterRuntime({ fuel, memoryBytes: 2 ** 20, tableElements: 10, sliceFuel: 7 });
    const exports = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as Record<
      string,
      (...a: number[]) => number
    >;
    try {
      return { result: exports[name]!(...args), used: meter.used() };
    } catch (error) {
      return { error: error instanceof KeelError ? error.code : String(error), used: meter.used() };
    }
  };
}
