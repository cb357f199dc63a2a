/**
 * The second form of the meter's output (`counter: 'defined'`, a component's sole core
 * instance): the module defines its fuel counter and exports it as `keel:fuel`, its start
 * function is exported as `keel:start` instead of started, and `adoptCounter` makes the meter
 * count on the module's counter before the start function runs. Same counts as the imported
 * counter; the reserved names are refused in either form.
 */
import { describe, expect, it } from 'vitest';
import {
  adoptCounter,
  createMeterRuntime,
  defineCounter,
  KEEL_EXPORTS,
  KEEL_MODULE,
  type MeterLimits,
  meterModule,
} from '../../host/meter/index.js';
import { generate } from '../fuzz/gen.js';
import { wat } from '../helpers/wat.js';
import { thrown, withoutTwins } from './support.js';

const LIMITS: MeterLimits = { fuel: 1_000_000_000, memoryBytes: 1 << 20, tableElements: 100 };

/** Globals the module defines around the counter, a loop, a call, a host import, a start function. */
const GUEST = `(module
  (import "host" "note" (func $note (param i32)))
  (import "host" "base" (global $base i32))
  (global $g (mut i32) (global.get $base))
  (global $h i64 (i64.const 7))
  (global (export "h") i64 (i64.const 9))
  (func $start (global.set $g (i32.add (global.get $g) (call $count (i32.const 50)))))
  (func $count (export "count") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (call $note (local.get $s))
    (local.get $s))
  (func (export "g") (result i32) (global.get $g))
  (func (export "h2") (result i64) (global.get $h))
  (start $start))`;

function instantiate(bytes: Uint8Array, counter: 'imported' | 'defined', limits: MeterLimits = LIMITS) {
  const notes: number[] = [];
  const meter = createMeterRuntime(limits);
  const module = new WebAssembly.Module(meterModule(bytes, { counter }) as Uint8Array<ArrayBuffer>);
  const imports = {
    host: { note: (n: number) => notes.push(n), base: new WebAssembly.Global({ value: 'i32' }, 1000) },
    [KEEL_MODULE]: meter.imports.keel,
  };
  const instance = new WebAssembly.Instance(module, imports);
  const startRanBeforeAdoption = notes.length > 0;
  adoptCounter(meter, instance);
  return {
    module,
    instance,
    meter,
    notes,
    startRanBeforeAdoption,
    exports: instance.exports as Record<string, any>,
  };
}

describe("a module that defines its fuel counter (counter: 'defined')", () => {
  it('imports no counter, exports it and its start function, and starts nothing itself', async () => {
    const bytes = await wat(GUEST);
    const defined = instantiate(bytes, 'defined');
    const imports = WebAssembly.Module.imports(defined.module).filter((i) => i.module === KEEL_MODULE);
    expect(imports.map((i) => i.name)).not.toContain('fuel');
    const exports = WebAssembly.Module.exports(defined.module);
    expect(exports).toContainEqual({ name: KEEL_EXPORTS.fuel, kind: 'global' });
    expect(exports).toContainEqual({ name: KEEL_EXPORTS.start, kind: 'function' });
    expect(defined.startRanBeforeAdoption).toBe(false);
    // The imported form keeps the start section and exports neither name.
    const imported = instantiate(bytes, 'imported');
    expect(imported.startRanBeforeAdoption).toBe(true);
    expect(WebAssembly.Module.exports(imported.module).map((e) => e.name)).not.toContain(KEEL_EXPORTS.fuel);
  });

  it('counts as the imported counter does: the start function, calls, host charges', async () => {
    const bytes = await wat(GUEST);
    const a = instantiate(bytes, 'imported');
    const b = instantiate(bytes, 'defined');
    // The start function ran once, after adoption, with its fuel counted.
    expect(b.notes).toEqual([1275]);
    expect(b.meter.used()).toBe(a.meter.used());
    expect(b.meter.used()).toBeGreaterThan(50);
    // The module's own globals keep their indices and values (the counter is defined before them).
    expect([b.exports.g(), b.exports.h2(), b.exports.h.value]).toEqual([2275, 7n, 9n]);
    expect([a.exports.g(), a.exports.h2(), a.exports.h.value]).toEqual([2275, 7n, 9n]);
    expect(b.meter.used()).toBe(a.meter.used());
    for (const n of [1, 10, 1000, 100_000]) {
      expect(b.exports.count(n)).toBe(a.exports.count(n));
      expect(b.meter.used()).toBe(a.meter.used());
    }
    a.meter.charge(12345);
    b.meter.charge(12345);
    expect(b.meter.used()).toBe(a.meter.used());
    // The meter reads and writes the module's own counter.
    const counter = b.exports[KEEL_EXPORTS.fuel] as WebAssembly.Global;
    expect(b.meter.imports.keel.fuel).toBe(counter);
    b.meter.setRemaining(500);
    expect(counter.value).toBe(500n);
  });

  it('runs out of fuel, and stops when the host says so, on the adopted counter', async () => {
    const bytes = await wat(GUEST);
    const small = instantiate(bytes, 'defined', { ...LIMITS, fuel: 100_000, sliceFuel: 1000 });
    expect(thrown(() => small.exports.count(1_000_000))).toMatchObject({ code: 'fuel-exhausted' });
    expect(small.meter.exhausted()).toBe(true);
    expect(small.meter.remaining()).toBe(0);
    const stopped = instantiate(bytes, 'defined');
    const reason = new Error('stopped by the host');
    stopped.meter.stop(reason);
    expect(thrown(() => stopped.exports.count(10))).toBe(reason);
  });

  it('runs out of fuel in a start function the host runs after adoption', async () => {
    const bytes = await wat(`(module (func $spin (loop $l (br $l))) (start $spin))`);
    const meter = createMeterRuntime({ ...LIMITS, fuel: 10_000 });
    const module = new WebAssembly.Module(
      meterModule(bytes, { counter: 'defined' }) as Uint8Array<ArrayBuffer>,
    );
    const instance = new WebAssembly.Instance(module, { keel: meter.imports.keel });
    expect(thrown(() => adoptCounter(meter, instance))).toMatchObject({ code: 'fuel-exhausted' });
    expect(meter.used()).toBe(10_000);
  });

  it('is written into a module without globals, exports or any section', async () => {
    for (const source of ['(module)', '(module (func (export "f")))', '(module (func $s) (start $s))']) {
      const meter = createMeterRuntime(LIMITS);
      const module = new WebAssembly.Module(
        meterModule(await wat(source), { counter: 'defined' }) as Uint8Array<ArrayBuffer>,
      );
      const instance = new WebAssembly.Instance(module, { keel: meter.imports.keel });
      adoptCounter(meter, instance);
      expect(meter.imports.keel.fuel).toBe(instance.exports[KEEL_EXPORTS.fuel]);
    }
  });

  it('refuses a module that exports a reserved name, in either form', async () => {
    for (const name of [KEEL_EXPORTS.fuel, KEEL_EXPORTS.start]) {
      const bytes = await wat(`(module (global (export "${name}") i32 (i32.const 1)))`);
      for (const counter of ['imported', 'defined'] as const) {
        expect(thrown(() => meterModule(bytes, { counter }))).toMatchObject({
          code: 'invalid-module',
          message: expect.stringContaining(`"${name}", a name reserved for Keel's metering`),
        });
      }
    }
    expect(thrown(() => meterModule(new Uint8Array(8), { counter: 'both' as never }))).toMatchObject({
      code: 'invalid-argument',
    });
  });

  it("is what defineCounter makes of the imported form's output, byte for byte but for the leaves' twins", async () => {
    const sources = [
      GUEST,
      '(module)',
      '(module (func (export "f")))',
      '(module (func $s) (start $s))',
      '(module (import "a" "g" (global i32)) (import "a" "t" (table 1 funcref)) (memory 1) (func $s) (start $s) (data (i32.const 0) "x"))',
    ];
    const modules = [...(await Promise.all(sources.map((s) => wat(s))))];
    for (let seed = 1; seed <= 40; seed++) modules.push(generate(seed).bytes);
    for (const bytes of modules) {
      const defined = meterModule(bytes, { counter: 'defined' });
      // The defined form has the leaves' twins too (host/meter/leaves.ts), which `defineCounter`,
      // given the output alone, cannot write: the rest is the same bytes.
      expect(
        Buffer.from(defineCounter(meterModule(bytes))).equals(Buffer.from(withoutTwins(defined).bytes)),
      ).toBe(true);
      expect(WebAssembly.validate(defined as Uint8Array<ArrayBuffer>)).toBe(true);
    }
  });

  it('is given back when the meter is detached: the ended sandbox keeps nothing of its guest', async () => {
    const bytes = await wat(GUEST);
    const b = instantiate(bytes, 'defined', { ...LIMITS, sliceFuel: 1000 });
    b.exports.count(100);
    const used = b.meter.used();
    const counter = b.exports[KEEL_EXPORTS.fuel] as WebAssembly.Global;
    b.meter.detach();
    expect(b.meter.imports.keel.fuel).not.toBe(counter);
    expect(b.meter.used()).toBe(used);
    b.meter.charge(10);
    expect(b.meter.used()).toBe(used + 10);
    // Its guest, were it still running (killed in a host call: the budget emptied), runs out at
    // its next check instead of running on a counter the meter no longer reads.
    expect(thrown(() => b.exports.count(100_000))).toMatchObject({ code: 'fuel-exhausted' });
  });

  it('is adopted once, by a meter whose imports went to one instance', async () => {
    const bytes = meterModule(await wat('(module)'), { counter: 'defined' });
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    const meter = createMeterRuntime(LIMITS);
    const one = new WebAssembly.Instance(module, { keel: meter.imports.keel });
    adoptCounter(meter, one);
    expect(thrown(() => adoptCounter(meter, one))).toMatchObject({ code: 'internal' });
    const shared = createMeterRuntime(LIMITS);
    const first = new WebAssembly.Instance(module, { keel: shared.imports.keel });
    new WebAssembly.Instance(module, { keel: shared.imports.keel });
    expect(thrown(() => adoptCounter(shared, first))).toMatchObject({ code: 'internal' });
    expect(thrown(() => createMeterRuntime(LIMITS).adopt({} as WebAssembly.Global))).toMatchObject({
      code: 'internal',
    });
  });
});
