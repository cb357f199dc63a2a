/**
 * A meter's fuel counter comes from a batch of globals one instance of a module of Keel's own
 * exports, not from `new WebAssembly.Global` (a backing store of its own per meter, each one a
 * chance for V8 to run a young collection: bench/results/perf-spawn-2026-12-06-10.md). Batched
 * or not, every meter has a counter of its own.
 */
import { describe, expect, it } from 'vitest';
import {
  adoptCounter,
  createMeterRuntime,
  KEEL_MODULE,
  type MeterRuntime,
  meterModule,
} from '../../host/meter/index.js';
import { fuelBatchBytes } from '../../host/meter/runtime.js';
import { wat } from '../helpers/wat.js';
import { instantiateMetered } from './support.js';

const LIMITS = { fuel: 1_000_000, memoryBytes: 65536, tableElements: 10 };
const LOOP = `(module (func (export "count") (param i32)
  (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if $l (local.get 0)))))`;

describe("a meter's fuel counter", () => {
  it('is not a WebAssembly.Global made from JavaScript, one per meter', () => {
    const Global = WebAssembly.Global;
    let made = 0;
    WebAssembly.Global = new Proxy(Global, {
      construct(target, args, newTarget) {
        made++;
        return Reflect.construct(target, args, newTarget) as WebAssembly.Global;
      },
    });
    try {
      const meters: MeterRuntime[] = [];
      for (let i = 0; i < 300; i++) meters.push(createMeterRuntime(LIMITS));
      expect(made).toBe(0);
      expect(meters[299]!.remaining()).toBe(LIMITS.fuel);
    } finally {
      WebAssembly.Global = Global;
    }
  });

  it("is each meter's own, over several batches, and starts at its meter's budget", () => {
    const meters: MeterRuntime[] = [];
    for (let i = 0; i < 3000; i++) meters.push(createMeterRuntime({ ...LIMITS, fuel: 1000 + i }));
    const counters = new Set(meters.map((m) => m.imports.keel.fuel));
    expect(counters.size).toBe(3000);
    for (const [i, m] of meters.entries()) expect(m.remaining()).toBe(1000 + i);
    // Neighbours (one batch, one backing store) charged and stopped apart.
    meters[10]!.charge(7);
    meters[12]!.stop(new Error('stopped'));
    expect(meters[9]!.remaining()).toBe(1009);
    expect(meters[10]!.remaining()).toBe(1003);
    expect(meters[11]!.remaining()).toBe(1011);
    expect(meters[11]!.balance()).toBe(1011n);
    expect(meters[13]!.remaining()).toBe(1013);
  });

  it('is taken by no meter whose instance defines its own, at the instantiation or at detach', async () => {
    // The sandbox's only core instance defines its counter (the loader's form for it): a global
    // from a batch was taken at the meter's creation and another at detach, both unused.
    const module = new WebAssembly.Module(
      meterModule(await wat(LOOP), { counter: 'defined' }) as Uint8Array<ArrayBuffer>,
    );
    const Instance = WebAssembly.Instance;
    let batches = 0;
    let late: { meter: ReturnType<typeof createMeterRuntime>; left: number } | undefined;
    WebAssembly.Instance = new Proxy(Instance, {
      construct(target, args, newTarget) {
        const made = WebAssembly.Module.exports(args[0] as WebAssembly.Module);
        if (made.length > 0 && made.every((e) => e.kind === 'global')) batches++;
        return Reflect.construct(target, args, newTarget) as WebAssembly.Instance;
      },
    });
    try {
      for (let i = 0; i < 1100; i++) {
        const meter = createMeterRuntime(LIMITS);
        const instance = new Instance(module, { [KEEL_MODULE]: meter.imports.keel });
        adoptCounter(meter, instance);
        (instance.exports.count as (n: number) => void)(10);
        const left = meter.remaining();
        expect(left).toBeLessThan(LIMITS.fuel);
        meter.detach();
        // Detached, it holds the count it had, charges on it and runs out as before.
        expect(meter.remaining()).toBe(left);
        expect(meter.balance()).toBe(BigInt(left));
        if (i === 0) late = { meter, left };
      }
      expect(batches).toBe(0);
    } finally {
      WebAssembly.Instance = Instance;
    }
    // A late charge takes a counter (from a batch, a new one when no global is spare: after the
    // count above, so that the test does not depend on what the tests before it left).
    late!.meter.charge(7);
    expect(late!.meter.remaining()).toBe(late!.left - 7);
    expect(() => late!.meter.charge(late!.left)).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
    // A meter whose instance imports the counter still gets one, its own.
    const a = createMeterRuntime(LIMITS);
    const b = createMeterRuntime(LIMITS);
    expect(a.imports.keel.fuel).toBeInstanceOf(WebAssembly.Global);
    expect(a.imports.keel.fuel).toBe(a.imports.keel.fuel);
    expect(a.imports.keel.fuel).not.toBe(b.imports.keel.fuel);
  });

  it("counts one guest's fuel on its own meter only", async () => {
    const bytes = await wat(LOOP);
    const a = instantiateMetered(bytes, LIMITS);
    const b = instantiateMetered(bytes, LIMITS);
    a.exports.count(100);
    expect(a.meter.used()).toBeGreaterThan(0);
    expect(b.meter.used()).toBe(0);
    expect(b.meter.remaining()).toBe(LIMITS.fuel);
  });
});

describe('fuelBatchBytes', () => {
  it('is a module of n mutable i64 globals, each 0, exported as "0" to "n - 1"', () => {
    for (const n of [1, 127, 128, 1024]) {
      const bytes = fuelBatchBytes(n);
      expect(WebAssembly.validate(bytes)).toBe(true);
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([]);
      const exports = WebAssembly.Module.exports(module);
      expect(exports).toEqual(Array.from({ length: n }, (_, i) => ({ name: String(i), kind: 'global' })));
      const instance = new WebAssembly.Instance(module).exports;
      const last = instance[String(n - 1)] as WebAssembly.Global;
      expect(last.value).toBe(0n);
      last.value = -(2n ** 62n);
      expect(last.value).toBe(-(2n ** 62n));
      expect((instance['0'] as WebAssembly.Global).value).toBe(n === 1 ? -(2n ** 62n) : 0n);
    }
  });
});
