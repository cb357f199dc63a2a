/**
 * The meter runtime and the limits: fuel exhaustion is a `fuel-exhausted` KeelError with the
 * fuel used, refuelling works, grows past the sandbox limits fail as the spec allows (or with
 * `memory-limit` / `table-limit`), caps are written into the module, bad input is refused.
 */
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import {
  checkInitialLimits,
  createMeterHook,
  createMeterRuntime,
  meterHook,
  meterModule,
  readMeterInfo,
} from '../../host/meter/index.js';
import { wat } from '../helpers/wat.js';
import { instantiateMetered, thrown, watAll } from './support.js';

const LOOP = `(module (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param i32) (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if $l (local.get 0)))))`;

describe('fuel', () => {
  it('running out is fuel-exhausted with the fuel used, never a bare trap', async () => {
    const { exports, meter } = instantiateMetered(await wat(LOOP), { fuel: 10_000 });
    const error = thrown(() => exports.spin());
    expect(error).toBeInstanceOf(KeelError);
    expect(error.code).toBe('fuel-exhausted');
    expect(error.details).toEqual({ used: 10_000, limit: 10_000 });
    expect(meter.remaining()).toBe(0);
    expect(meter.used()).toBe(10_000);
    expect(meter.exhausted()).toBe(true);
  });

  it('refuels with setRemaining; used() adds up over budgets', async () => {
    const { exports, meter } = instantiateMetered(await wat(LOOP), { fuel: 1000 });
    exports.count(10); // 6 per iteration
    expect(meter.used()).toBe(60);
    meter.setRemaining(500);
    exports.count(10);
    expect(meter.remaining()).toBe(440);
    expect(meter.used()).toBe(120);
    expect(thrown(() => exports.spin()).code).toBe('fuel-exhausted');
    expect(meter.used()).toBe(560);
    meter.setRemaining(100);
    expect(meter.exhausted()).toBe(false);
    exports.count(1);
    expect(meter.used()).toBe(566);
  });

  it('host functions charge the same counter, exactly, between guest instructions', async () => {
    const meter = createMeterRuntime({ fuel: 1000, memoryBytes: 65536, tableElements: 10 });
    const bytes = await wat(`(module (import "host" "op" (func $op))
      (func $inner (call $op) (call $op))
      (func (export "f") (call $inner) (drop (i32.const 1))))`);
    const module = new WebAssembly.Module(meterModule(bytes) as Uint8Array<ArrayBuffer>);
    const seen: number[] = [];
    const op = () => {
      seen.push(meter.remaining());
      meter.charge(100);
    };
    const exports = new WebAssembly.Instance(module, { host: { op }, keel: meter.imports.keel })
      .exports as any;
    exports.f();
    // f: call (1); inner: call (1) before the first op, call (1) before the second; then i32.const.
    expect(seen).toEqual([998, 897]);
    expect(meter.used()).toBe(3 + 200 + 1);
    meter.setRemaining(150);
    expect(thrown(() => exports.f()).code).toBe('fuel-exhausted');
    expect(meter.exhausted()).toBe(true);
  });

  it('a host charge above 2^32 is counted exactly, and one past the rest exhausts', () => {
    const big = 2 ** 40 + 7;
    const meter = createMeterRuntime({
      fuel: Number.MAX_SAFE_INTEGER,
      memoryBytes: 65536,
      tableElements: 10,
    });
    meter.charge(big);
    expect(meter.used()).toBe(big);
    expect(meter.remaining()).toBe(Number.MAX_SAFE_INTEGER - big);
    meter.charge(Number.MAX_SAFE_INTEGER - big);
    expect(meter.remaining()).toBe(0);
    expect(meter.exhausted()).toBe(false);
    expect(thrown(() => meter.charge(1)).code).toBe('fuel-exhausted');
    expect(meter.exhausted()).toBe(true);
  });

  it('the counter reads exactly on both sides of the i32 range (FuelCell.small, then get)', () => {
    // A slice as large as the budget: the counter holds the whole budget, not a slice of it.
    const budget = 2 ** 31 + 2;
    const meter = createMeterRuntime({
      fuel: budget,
      sliceFuel: budget,
      memoryBytes: 65536,
      tableElements: 10,
    });
    meter.charge(1); // makes the cell: the counter is 2^31 + 1 from here on
    for (const expected of [2 ** 31 + 1, 2 ** 31, 2 ** 31 - 1, 2 ** 31 - 2]) {
      expect(meter.remaining()).toBe(expected);
      expect(meter.used()).toBe(budget - expected);
      meter.charge(1);
    }
    meter.setRemaining(2 ** 40);
    expect(meter.remaining()).toBe(2 ** 40);
    // A charge that takes the counter below -2^31: out of the i32 range the other way, still out of fuel.
    meter.setRemaining(10);
    expect(thrown(() => meter.charge(2 ** 31 + 100)).code).toBe('fuel-exhausted');
    expect(meter.remaining()).toBe(0);
    expect(meter.balance()).toBe(10n - 2n ** 31n - 100n);
  });

  it('a charge that is not a non-negative safe integer is refused, the counter untouched', () => {
    const meter = createMeterRuntime({ fuel: 1000, memoryBytes: 65536, tableElements: 10 });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(thrown(() => meter.charge(bad)).code).toBe('invalid-argument');
    }
    expect(meter.remaining()).toBe(1000);
  });

  it('one counter is shared by every module given the same imports', async () => {
    const meter = createMeterRuntime({ fuel: 1000, memoryBytes: 65536, tableElements: 10 });
    const module = new WebAssembly.Module(meterModule(await wat(LOOP)) as Uint8Array<ArrayBuffer>);
    const a = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as any;
    const b = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as any;
    a.count(10);
    b.count(10);
    expect(meter.used()).toBe(120);
  });

  it('a guest that catches the error still cannot run on', async () => {
    const bytes = meterModule(
      await watAll(`(module
        (func $spin (loop $l (br $l)))
        (func (export "f") (result i32) (local i32)
          (loop $again
            (try (do (call $spin)) (catch_all))
            (local.set 0 (i32.add (local.get 0) (i32.const 1)))
            (br_if $again (i32.lt_u (local.get 0) (i32.const 1000000))))
          (local.get 0)))`),
    );
    const meter = createMeterRuntime({ fuel: 5000, memoryBytes: 65536, tableElements: 10 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
      keel: meter.imports.keel,
    });
    const error = thrown(() => (instance.exports as any).f());
    expect(error.code).toBe('fuel-exhausted');
    expect(meter.exhausted()).toBe(true);
  });
});

describe('memory and table limits', () => {
  const GROW = `(module (memory (export "memory") 1) (table 1 funcref)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`;

  it('memory.grow past the sandbox limit returns -1 and reports it', async () => {
    const requests: number[] = [];
    const { exports } = instantiateMetered(
      await wat(GROW),
      { memoryBytes: 4 * 65536 },
      {},
      {},
      { onMemoryLimit: (pages) => requests.push(pages) },
    );
    expect(exports.grow(3)).toBe(1);
    expect(exports.grow(1)).toBe(-1);
    expect(exports.grow(0)).toBe(4);
    expect(requests).toEqual([5]);
    expect(exports.memory.buffer.byteLength).toBe(4 * 65536);
  });

  it("growFailure 'error' fails the call with memory-limit / table-limit", async () => {
    const { exports } = instantiateMetered(await wat(GROW), {
      memoryBytes: 2 * 65536,
      tableElements: 5,
      growFailure: 'error',
    });
    const memoryError = thrown(() => exports.grow(2));
    expect(memoryError.code).toBe('memory-limit');
    expect(memoryError.details).toEqual({ requestedPages: 3, limitPages: 2 });
    expect(exports.tgrow(4)).toBe(1);
    expect(thrown(() => exports.tgrow(1)).code).toBe('table-limit');
  });

  it('table.grow past the sandbox limit returns -1 and reports it', async () => {
    const requests: number[] = [];
    const { exports } = instantiateMetered(
      await wat(GROW),
      { tableElements: 10 },
      {},
      {},
      { onTableLimit: (n) => requests.push(n) },
    );
    expect(exports.tgrow(9)).toBe(1);
    expect(exports.tgrow(1)).toBe(-1);
    expect(requests).toEqual([11]);
  });

  it('caps every memory and table maximum at compile time (lowered, or set)', async () => {
    const bytes = await wat('(module (memory 1) (table 1 funcref) (table 2 5000 externref))');
    const info = readMeterInfo(meterModule(bytes, { maxMemoryPages: 50, maxTableElements: 1000 }));
    expect(info.memories).toEqual([{ initial: 1, maximum: 50, shared: false, imported: false }]);
    expect(info.tables).toEqual([
      { initial: 1, maximum: 1000, imported: false },
      { initial: 2, maximum: 1000, imported: false },
    ]);
    const lower = readMeterInfo(meterModule(await wat('(module (memory 1 3))'), { maxMemoryPages: 50 }));
    expect(lower.memories[0]!.maximum).toBe(3);
  });

  it('the compile-time cap binds even against the JS API', async () => {
    const { exports } = instantiateMetered(
      await wat('(module (memory (export "m") 1))'),
      {},
      { maxMemoryPages: 2 },
    );
    expect(exports.m.grow(1)).toBe(1);
    expect(() => exports.m.grow(1)).toThrow(RangeError);
  });

  it('an initial size above the compile-time caps is refused', async () => {
    expect(thrown(() => meterModule(new Uint8Array(0))).code).toBe('invalid-module');
    const big = await wat('(module (memory 100))');
    expect(thrown(() => meterModule(big, { maxMemoryPages: 10 })).code).toBe('memory-limit');
    const table = await wat('(module (table 100 funcref))');
    expect(thrown(() => meterModule(table, { maxTableElements: 10 })).code).toBe('table-limit');
  });

  it('checkInitialLimits refuses a spawn whose memory or table starts above the sandbox limits', async () => {
    const bytes = await wat('(module (import "env" "t" (table 20 funcref)) (memory 10))');
    const limits = { memoryBytes: 10 * 65536, tableElements: 20 };
    expect(() => checkInitialLimits(bytes, limits)).not.toThrow();
    expect(() => checkInitialLimits(readMeterInfo(bytes), limits)).not.toThrow();
    const memory = thrown(() => checkInitialLimits(bytes, { ...limits, memoryBytes: 9 * 65536 }));
    expect(memory.code).toBe('memory-limit');
    expect(memory.details).toMatchObject({ requestedPages: 10, limitPages: 9 });
    expect(thrown(() => checkInitialLimits(bytes, { ...limits, tableElements: 19 })).code).toBe(
      'table-limit',
    );
  });
});

describe('refusals', () => {
  it('malformed input is invalid-module with a one-line reason', async () => {
    const good = await wat('(module (func (export "f") (result i32) i32.const 1))');
    const cases: Uint8Array[] = [
      new Uint8Array([1, 2, 3]),
      good.slice(0, good.length - 3),
      new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]),
      Uint8Array.from([...good.slice(0, 8), 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    ];
    for (const bytes of cases) {
      const error = thrown(() => meterModule(bytes));
      expect(error).toBeInstanceOf(KeelError);
      expect(error.code).toBe('invalid-module');
      expect(error.message).not.toContain('\n');
    }
  });

  it('a module that imports from "keel" is refused (it could forge the fuel counter)', async () => {
    const bytes = await wat('(module (import "keel" "fuel" (global (mut i64))))');
    expect(thrown(() => meterModule(bytes)).code).toBe('invalid-module');
    const metered = meterModule(await wat('(module)'));
    expect(thrown(() => meterModule(metered)).code).toBe('invalid-module');
  });

  it('a data segment over maxDataSegmentBytes is refused with invalid-module', async () => {
    const bytes = await wat(`(module (memory 1) (data (i32.const 0) "${'x'.repeat(2000)}"))`);
    expect(() => meterModule(bytes, { maxDataSegmentBytes: 2000 })).not.toThrow();
    const error = thrown(() => meterModule(bytes, { maxDataSegmentBytes: 1999 }));
    expect(error.code).toBe('invalid-module');
    expect(error.details).toEqual({ segment: 0, size: 2000, limit: 1999 });
  });

  it('bad options are invalid-argument', async () => {
    const bytes = await wat('(module)');
    expect(thrown(() => meterModule(bytes, { maxMemoryPages: 70000 })).code).toBe('invalid-argument');
    expect(thrown(() => meterModule(bytes, { costs: { instructions: { 'no.such': 1 } } })).code).toBe(
      'invalid-argument',
    );
    expect(thrown(() => meterModule(bytes, { costs: { default: -1 } })).code).toBe('invalid-argument');
  });
});

describe('loader hook', () => {
  it('names the metering and its options', () => {
    expect(meterHook.id).toMatch(/^keel-meter-v10\+[0-9a-f]{16}$/);
    expect(createMeterHook({}).id).toBe(meterHook.id);
    expect(createMeterHook({ maxMemoryPages: 10 }).id).not.toBe(meterHook.id);
  });

  it('transforms a core module into one that validates', async () => {
    const out = meterHook.transform(await wat(LOOP), { file: 'module.wasm', kind: 'core' });
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});
