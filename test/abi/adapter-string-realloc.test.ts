/**
 * A string one component passes another is lowered with the `realloc` calls definitions.py
 * makes for the pair of encodings (`store_string_into_range`): the callee's realloc is its own
 * code, so the calls it receives (their number, order and arguments) are observable. Each case
 * here is a component holding a string in its encoding, passing it (as an argument, or as a
 * result) to a component of another encoding whose realloc logs every call and bump-allocates
 * (copying what it moves); the log, the pointer and tagged code units received and the bytes
 * held are compared with a model of definitions.py written here (not Keel's code), run on the
 * same allocator.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { type Encoding, hex, stringCaller, utf16 } from '../helpers/adapter-strings.js';

const ENCODINGS: Encoding[] = ['utf8', 'utf16', 'latin1+utf16'];
const UTF16_TAG = 0x8000_0000;
const HEAP = 4096;
const LOG = 20;

// ---- the model: definitions.py's store_string_into_range over a bump allocator ----------------

class Model {
  readonly mem = new Uint8Array(65536);
  readonly log: number[] = [];
  heap = HEAP;
  realloc(old: number, oldSize: number, align: number, size: number): number {
    this.log.push(old, oldSize, align, size);
    const ptr = Math.ceil(this.heap / align) * align;
    this.heap = ptr + size;
    if (old !== 0) this.mem.copyWithin(ptr, old, old + Math.min(oldSize, size));
    return ptr;
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);

/** The caller's string as definitions.py's value: its encoding and tagged code units. */
function source(s: string, enc: Encoding, forceUtf16: boolean): { bytes: Uint8Array; tagged: number } {
  if (enc === 'utf8') return { bytes: utf8(s), tagged: utf8(s).length };
  if (enc === 'utf16') return { bytes: utf16(s), tagged: s.length };
  if (!forceUtf16 && codePoints(s).every((c) => c < 256)) return { bytes: latin1(s), tagged: s.length };
  return { bytes: utf16(s), tagged: (s.length | UTF16_TAG) >>> 0 };
}

function store(m: Model, s: string, srcEnc: Encoding, tagged: number, dst: Encoding): [number, number] {
  let simple: 'utf8' | 'utf16' | 'latin1' = srcEnc === 'latin1+utf16' ? 'latin1' : srcEnc;
  let n = tagged;
  if (srcEnc === 'latin1+utf16' && tagged & UTF16_TAG) {
    simple = 'utf16';
    n = (tagged ^ UTF16_TAG) >>> 0;
  }
  const copy = (unit: number, align: number, bytes: Uint8Array): [number, number] => {
    const ptr = m.realloc(0, 0, align, unit * n);
    m.mem.set(bytes, ptr);
    return [ptr, n];
  };
  if (dst === 'utf8') {
    if (simple === 'utf8') return copy(1, 1, utf8(s));
    const worst = simple === 'utf16' ? 3 * n : 2 * n;
    let ptr = m.realloc(0, 0, 1, n);
    const cps = codePoints(s);
    for (let i = 0; i < cps.length; i++) {
      if (cps[i]! < 0x80) {
        m.mem[ptr + i] = cps[i]!;
        continue;
      }
      ptr = m.realloc(ptr, n, 1, worst);
      const e = utf8(s);
      m.mem.set(e.subarray(i), ptr + i);
      if (worst > e.length) ptr = m.realloc(ptr, worst, 1, e.length);
      return [ptr, e.length];
    }
    return [ptr, n];
  }
  if (dst === 'utf16') {
    if (simple !== 'utf8') return copy(2, 2, utf16(s));
    const worst = 2 * n;
    let ptr = m.realloc(0, 0, 2, worst);
    const e = utf16(s);
    m.mem.set(e, ptr);
    if (e.length < worst) ptr = m.realloc(ptr, worst, 2, e.length);
    return [ptr, e.length / 2];
  }
  if (srcEnc === 'latin1+utf16' && simple === 'latin1') return copy(1, 2, latin1(s));
  if (srcEnc === 'latin1+utf16') {
    let ptr = m.realloc(0, 0, 2, 2 * n);
    const e = utf16(s);
    m.mem.set(e, ptr);
    if (codePoints(s).some((c) => c >= 256)) return [ptr, ((e.length / 2) | UTF16_TAG) >>> 0];
    for (let i = 0; i < e.length / 2; i++) m.mem[ptr + i] = m.mem[ptr + 2 * i]!;
    ptr = m.realloc(ptr, 2 * n, 1, e.length / 2);
    return [ptr, e.length / 2];
  }
  let ptr = m.realloc(0, 0, 2, n);
  let dstLen = 0;
  for (const c of codePoints(s)) {
    if (c < 256) {
      m.mem[ptr + dstLen++] = c;
      continue;
    }
    const worst = 2 * n;
    ptr = m.realloc(ptr, n, 2, worst);
    for (let j = dstLen - 1; j >= 0; j--) {
      m.mem[ptr + 2 * j] = m.mem[ptr + j]!;
      m.mem[ptr + 2 * j + 1] = 0;
    }
    const e = utf16(s);
    m.mem.set(e.subarray(2 * dstLen), ptr + 2 * dstLen);
    if (worst > e.length) ptr = m.realloc(ptr, worst, 2, e.length);
    return [ptr, ((e.length / 2) | UTF16_TAG) >>> 0];
  }
  if (dstLen < n) ptr = m.realloc(ptr, n, 2, dstLen);
  return [ptr, dstLen];
}

function byteLength(dst: Encoding, tagged: number): number {
  if (dst === 'utf8') return tagged;
  if (dst === 'utf16') return 2 * tagged;
  return tagged & UTF16_TAG ? 2 * ((tagged ^ UTF16_TAG) >>> 0) : tagged;
}

// ---- the components ----------------------------------------------------------------------------

/** A core module whose realloc logs (old, old size, align, new size) and bump-allocates from HEAP, copying what it moves. */
const LOGGER = `
      (memory (export "memory") 1)
      (global $heap (mut i32) (i32.const ${HEAP}))
      (func $log (export "log-one") (param i32)
        (local $n i32)
        (local.set $n (i32.load (i32.const 16)))
        (i32.store (i32.add (i32.const ${LOG}) (i32.shl (local.get $n) (i32.const 2))) (local.get 0))
        (i32.store (i32.const 16) (i32.add (local.get $n) (i32.const 1))))
      (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
        (local $ptr i32)
        (call $log (local.get $old)) (call $log (local.get $old_size))
        (call $log (local.get $align)) (call $log (local.get $size))
        (local.set $ptr (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
        (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
        (if (local.get $old) (then
          (memory.copy (local.get $ptr) (local.get $old)
            (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
        (local.get $ptr))
      (func (export "log") (result i32)
        (i32.store (i32.const 0) (i32.const ${LOG}))
        (i32.store (i32.const 4) (i32.load (i32.const 16)))
        (i32.const 0))
      (func (export "peek") (param i32 i32) (result i32)
        (i32.store (i32.const 8) (local.get 0))
        (i32.store (i32.const 12) (local.get 1))
        (i32.const 8))`;

const LOGGER_EXPORTS = `
    (func (export "log") (result (list u32)) (canon lift (core func $m "log") (memory $m "memory")))
    (func (export "peek") (param "p" u32) (param "n" u32) (result (list u8))
      (canon lift (core func $m "peek") (memory $m "memory")))`;

/**
 * An argument: a caller of `src` holding the string passes it to a callee of `dst` (the logger),
 * whose `take` logs the pointer and tagged code units it received after a marker.
 */
function argument(src: Encoding, dst: Encoding, bytes: Uint8Array, tagged: number): string {
  return `(component
  (component $callee
    (core module $m ${LOGGER}
      (func (export "take") (param i32 i32)
        (call $log (i32.const -1)) (call $log (local.get 0)) (call $log (local.get 1))))
    (core instance $m (instantiate $m))
    (func (export "take") (param "s" string)
      (canon lift (core func $m "take") (memory $m "memory") (realloc (func $m "realloc")) string-encoding=${dst}))
    ${LOGGER_EXPORTS}
  )
  ${stringCaller(src, bytes, tagged)}
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "take" (func $callee "take"))))
  (export "run" (func $caller "run"))
  (export "log" (func $callee "log"))
  (export "peek" (func $callee "peek"))
)`;
}

/**
 * A result: a callee of `src` returns the string it holds to a caller of `dst` (the logger),
 * which logs the pointer and tagged code units its lowered import wrote after a marker.
 */
function result(src: Encoding, dst: Encoding, bytes: Uint8Array, tagged: number): string {
  return `(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (data (memory 0) (i32.const 64) "${hex(bytes)}")
      (func (export "give") (result i32)
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.const ${tagged | 0}))
        (i32.const 0)))
    (core instance $m (instantiate $m))
    (func (export "give") (result string)
      (canon lift (core func $m "give") (memory $m "memory") string-encoding=${src}))
  )
  (component $caller
    (import "give" (func $give (result string)))
    (core module $m
      (import "" "give" (func $give (param i32)))
      ${LOGGER}
      (func (export "run")
        (call $give (i32.const 8))
        (call $log (i32.const -1))
        (call $log (i32.load (i32.const 8)))
        (call $log (i32.load (i32.const 12)))))
    (core module $shim
      (table (export "t") 1 funcref)
      (func (export "give") (param i32) (call_indirect (param i32) (local.get 0) (i32.const 0))))
    (core instance $shim (instantiate $shim))
    (core instance $m (instantiate $m (with "" (instance (export "give" (func $shim "give"))))))
    (core func $give (canon lower (func $give) (memory $m "memory") (realloc (func $m "realloc")) string-encoding=${dst}))
    (core module $fixup
      (import "" "t" (table 1 funcref))
      (import "" "give" (func $give (param i32)))
      (elem (i32.const 0) func $give))
    (core instance (instantiate $fixup (with "" (instance (export "t" (table $shim "t")) (export "give" (func $give))))))
    (func (export "run") (canon lift (core func $m "run")))
    ${LOGGER_EXPORTS}
  )
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "give" (func $callee "give"))))
  (export "run" (func $caller "run"))
  (export "log" (func $caller "log"))
  (export "peek" (func $caller "peek"))
)`;
}

const STRINGS = [
  '',
  'abc',
  'caf\u00e9',
  '\u00ff\u00e9',
  'a\u03a3b',
  'A\u03a3',
  '\u03a3',
  'x\u{1f600}y',
  'h\u00e9llo w\u00f6rld \u20ac',
];

for (const [direction, make] of [
  ['an argument', argument],
  ['a result', result],
] as const) {
  it(`a string passed between components as ${direction} is lowered with definitions.py's realloc calls, for every pair of encodings`, async () => {
    const kernel = new Kernel({ cacheDir: false });
    const failures: string[] = [];
    let cases = 0;
    try {
      for (const src of ENCODINGS) {
        for (const dst of ENCODINGS) {
          for (const s of STRINGS) {
            // A latin1+utf16 component may choose UTF-16 for a Latin-1 string (the deflating case).
            for (const forceUtf16 of src === 'latin1+utf16' ? [false, true] : [false]) {
              const { bytes, tagged } = source(s, src, forceUtf16);
              const model = new Model();
              const [ptr, units] = store(model, s, src, tagged, dst);
              const expected = [...model.log, 0xffffffff, ptr, units];
              const expectedBytes = [...model.mem.subarray(ptr, ptr + byteLength(dst, units))];
              const sandbox = await kernel.spawn(
                await kernel.load(await parse(make(src, dst, bytes, tagged))),
              );
              await sandbox.invoke('run', []);
              const log = [...((await sandbox.invoke('log', [])).value as Iterable<number>)];
              const held = [
                ...((await sandbox.invoke('peek', [ptr, byteLength(dst, units)])).value as Iterable<number>),
              ];
              const what = `${src}${forceUtf16 ? ' (as utf16)' : ''} -> ${dst} ${JSON.stringify(s)}`;
              if (JSON.stringify(log) !== JSON.stringify(expected))
                failures.push(`${what}: log ${JSON.stringify(log)}, expected ${JSON.stringify(expected)}`);
              else if (JSON.stringify(held) !== JSON.stringify(expectedBytes))
                failures.push(
                  `${what}: bytes ${JSON.stringify(held)}, expected ${JSON.stringify(expectedBytes)}`,
                );
              sandbox.terminate();
              cases++;
            }
          }
        }
      }
    } finally {
      await kernel.close();
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(
      ENCODINGS.length * ENCODINGS.length * STRINGS.length + ENCODINGS.length * STRINGS.length,
    );
  }, 60_000);
}
