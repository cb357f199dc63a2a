/**
 * What `invokeSync` keeps per invocation, now that it does the least it can when nobody
 * observes it: each invocation still gets its own budget and reports its own fuel (also when
 * the fast path ran between two invocations, or nothing did), request ids are counted whether
 * or not anything reads them, and the events and the provider's `invocationId()` agree on them.
 */
import { describe, expect, it, vi } from 'vitest';
import { type CapabilityProvider, type KeelEvent, Kernel } from '../../host/index.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';
import { watFile } from '../helpers/wat.js';

describe('invokeSync bookkeeping', () => {
  it('calls are untimed by default: no clock read, no duration_ms; timing: true reads it twice (invokeSync and invoke)', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const now = vi.spyOn(performance, 'now');
    try {
      const module = await kernel.load(await watFile('guests/wat/loop.wat'));
      const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000 } });
      now.mockClear();
      const plain = sandbox.invokeSync('count', [1000]);
      expect(now).not.toHaveBeenCalled();
      expect('duration_ms' in plain).toBe(false);
      const awaited = await sandbox.invoke('count', [1000]);
      expect(now).not.toHaveBeenCalled();
      expect(awaited).toEqual(plain);
      expect('duration_ms' in awaited).toBe(false);
      const timed = sandbox.invokeSync('count', [1000], { timing: true });
      expect(now).toHaveBeenCalledTimes(2);
      expect(timed).toEqual({ ...plain, duration_ms: expect.any(Number) });
      expect(timed.duration_ms).toBeGreaterThanOrEqual(0);
      const timedAsync = await sandbox.invoke('count', [1000], { timing: true });
      expect(now).toHaveBeenCalledTimes(4);
      expect(timedAsync.duration_ms).toBeGreaterThanOrEqual(0);
    } finally {
      now.mockRestore();
      await kernel.close();
    }
  });

  it('timing: false reads no clock for the outcome: no duration_ms, the same value and fuel; invoke:end still carries one', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    try {
      const module = await kernel.load(await watFile('guests/wat/loop.wat'));
      const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000 } });
      const timed = sandbox.invokeSync('count', [1000], { timing: true });
      expect(timed.duration_ms).toBeGreaterThanOrEqual(0);
      const untimed = sandbox.invokeSync('count', [1000], { timing: false });
      expect(untimed).toEqual({ value: 1000, fuel: timed.fuel });
      expect('duration_ms' in untimed).toBe(false);
      const ends: KeelEvent[] = [];
      kernel.on('invoke:end', (event) => void ends.push(event));
      const observed = sandbox.invokeSync('count', [1000], { timing: false });
      expect(observed.duration_ms).toBeGreaterThanOrEqual(0);
      expect(ends).toHaveLength(1);
      expect(ends[0]!.duration_ms).toBe(observed.duration_ms);
    } finally {
      await kernel.close();
    }
  });

  it('gives each invocation its full budget and reports its own fuel, with or without fast-path calls between', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    try {
      const module = await kernel.load(await watFile('guests/wat/loop.wat'));
      const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000, fuelTotal: 1_000_000 } });
      const first = sandbox.invokeSync('count', [1000]);
      const used = first.fuel.used;
      expect(used).toBeGreaterThan(1000);
      expect(first.fuel.limit).toBe(100_000);
      // Back to back: the budget the first one's end put in place serves the second.
      const second = sandbox.invokeSync('count', [1000]);
      expect(second.fuel).toEqual({ used, limit: 100_000 });
      expect(sandbox.fuel()).toMatchObject({ used: 2 * used, remaining: 100_000 });
      // The fast path spends from that budget; the next invocation gets a whole one again.
      expect(sandbox.fn<(n: number) => number>('count')(1000)).toBe(1000);
      expect(sandbox.fuel()).toMatchObject({ used: 3 * used, remaining: 100_000 - used });
      const third = sandbox.invokeSync('count', [2000]);
      expect(third.fuel.limit).toBe(100_000);
      expect(third.fuel.used).toBeGreaterThan(used);
      expect(sandbox.fuel()).toMatchObject({ used: 3 * used + third.fuel.used, remaining: 100_000 });
      // An explicit refuel is the fast path's budget only: the next invocation gets the limit.
      expect(sandbox.refuel(10)).toBe(10);
      expect(sandbox.fuel().remaining).toBe(10);
      expect(sandbox.invokeSync('count', [1000]).fuel).toEqual({ used, limit: 100_000 });
    } finally {
      await kernel.close();
    }
  });

  it('keeps the lifetime limit when back-to-back invocations reuse the budget in place', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    try {
      const module = await kernel.load(await watFile('guests/wat/loop.wat'));
      const probe = await kernel.spawn(module);
      const used = probe.invokeSync('count', [1000]).fuel.used;
      const total = Math.floor(2.5 * used);
      const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000, fuelTotal: total } });
      sandbox.invokeSync('count', [1000]);
      // The fast path's budget is what is left of the lifetime limit, not the per-invocation one.
      expect(sandbox.fuel().remaining).toBe(total - used);
      sandbox.invokeSync('count', [1000]);
      expect(sandbox.fuel().remaining).toBe(total - 2 * used);
      expect(() => sandbox.invokeSync('count', [1000])).toThrow(
        expect.objectContaining({
          code: 'fuel-exhausted',
          details: expect.objectContaining({ limit: total - 2 * used }),
        }),
      );
    } finally {
      await kernel.close();
    }
  });

  it('reports the same fuel once the counter is read through its cell (past the first invocations), within the lifetime limit', async () => {
    // The meter reads its counter as a BigInt for its first accesses, then through a small
    // WebAssembly cell, where an invocation's end takes a shorter path (MeterRuntime.renew).
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    try {
      const module = await kernel.load(await watFile('guests/wat/loop.wat'));
      const probe = await kernel.spawn(module);
      const small = probe.invokeSync('count', [1000]).fuel.used;
      const large = probe.invokeSync('count', [20_000]).fuel.used; // more than a slice (131,072)
      expect(large).toBeGreaterThan(131_072);
      const calls = 40;
      const total = Math.floor((calls / 2) * (small + large) + 2.5 * small);
      const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000, fuelTotal: total } });
      let spent = 0;
      for (let i = 0; i < calls; i++) {
        const n = i % 2 === 0 ? 1000 : 20_000;
        const fuel = sandbox.invokeSync('count', [n]).fuel;
        expect(fuel).toEqual({ used: n === 1000 ? small : large, limit: Math.min(1_000_000, total - spent) });
        spent += fuel.used;
        expect(sandbox.fuel()).toMatchObject({ used: spent, remaining: Math.min(1_000_000, total - spent) });
      }
      // What is left of the lifetime limit: two small invocations, then out of fuel.
      sandbox.invokeSync('count', [1000]);
      sandbox.invokeSync('count', [1000]);
      expect(sandbox.fuel().remaining).toBe(total - spent - 2 * small);
      expect(() => sandbox.invokeSync('count', [1000])).toThrow(
        expect.objectContaining({
          code: 'fuel-exhausted',
          details: expect.objectContaining({ limit: total - spent - 2 * small }),
        }),
      );
    } finally {
      await kernel.close();
    }
  });

  it('counts request ids when nobody observes them, and the events and invocationId() agree', async () => {
    const seen: (string | undefined)[] = [];
    const provider: CapabilityProvider = {
      name: 'bench-host',
      interfaces: ['keel:bench/host'],
      link: ({ context }) => ({
        tick: (x: number) => {
          seen.push(context.invocationId());
          return (x + 1) >>> 0;
        },
      }),
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [provider] });
    try {
      const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      expect(sandbox.invokeSync('call-host', [1]).value).toBe(1);
      expect(sandbox.invokeSync('call-host', [1]).value).toBe(1);
      const events: KeelEvent[] = [];
      const off = kernel.on('invoke:*', (e) => {
        events.push(e);
      });
      expect(sandbox.invokeSync('call-host', [1]).value).toBe(1);
      off();
      // The fast path is no invocation: no id.
      expect(sandbox.fn<(n: number) => number>('call-host')(1)).toBe(1);
      expect(seen).toHaveLength(4);
      const [a, b, c, none] = seen;
      const number = (id: string | undefined) => Number(/^req_(\d+)$/.exec(id ?? '')?.[1]);
      expect(number(b)).toBe(number(a) + 1);
      expect(number(c)).toBe(number(b) + 1);
      expect(none).toBeUndefined();
      expect(events.map((e) => [e.event, e.request])).toEqual([
        ['invoke:start', c],
        ['invoke:end', c],
      ]);
    } finally {
      await kernel.close();
    }
  });

  it('refuses bad arguments with the parameter and its WIT type, through the converters built once per export', async () => {
    const provider: CapabilityProvider = {
      name: 'bench-host',
      interfaces: ['keel:bench/host'],
      link: () => ({ tick: (x: number) => (x + 1) >>> 0 }),
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [provider] });
    try {
      const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      expect(sandbox.invokeSync('add', [40, 2]).value).toBe(42);
      expect(() => sandbox.invokeSync('add', [40, 2 ** 32])).toThrow(
        /argument 2 \(b: u32\) of "add": 4294967296 is not a u32/,
      );
      expect(() => sandbox.invokeSync('add', [40])).toThrow(
        /"add" takes 2 argument\(s\) \(a: u32, b: u32\), got 1/,
      );
      expect(sandbox.invokeSync('add', [1, 2]).value).toBe(3);
      expect(sandbox.state).toBe('ready');
    } finally {
      await kernel.close();
    }
  });

  it("an invocation made from the embedder's code inside another's start or end (a listener, an argument's getter) leaves the other's request, export and fuel its own", async () => {
    const provider: CapabilityProvider = {
      name: 'bench-host',
      interfaces: ['keel:bench/host'],
      link: () => ({ tick: (x: number) => (x + 1) >>> 0 }),
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [provider] });
    try {
      const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      const events: KeelEvent[] = [];
      let nest: 'start' | 'end' | undefined;
      kernel.on('invoke:*', (e) => {
        events.push(e);
        const at = e.event === 'invoke:start' ? 'start' : 'end';
        if (nest === at && e.event !== 'invoke:error') {
          nest = undefined;
          expect(sandbox.invokeSync('call-host', [3]).value).toBe(3);
        }
      });
      const check = (outer: { value: unknown; fuel: { used: number } }, value: number) => {
        expect(outer.value).toBe(value);
        const starts = events.filter((e) => e.event === 'invoke:start');
        const ends = events.filter((e) => e.event === 'invoke:end');
        expect(starts.map((e) => (e.data as { export: string }).export)).toEqual(['add', 'call-host']);
        // Each end carries its own start's request and export, and its own fuel.
        for (const start of starts) {
          const end = ends.find((e) => e.request === start.request);
          expect(end?.data).toMatchObject({ export: (start.data as { export: string }).export });
        }
        const outerEnd = ends.find((e) => (e.data as { export: string }).export === 'add')!;
        expect(outerEnd.request).toBe(starts[0]!.request);
        expect((outerEnd.data as { fuel: unknown }).fuel).toEqual(outer.fuel);
        expect(sandbox.state).toBe('ready');
        events.length = 0;
      };
      nest = 'start';
      check(sandbox.invokeSync('add', [40, 2]), 42);
      nest = 'end';
      check(sandbox.invokeSync('add', [40, 3]), 43);
      // An argument's getter runs during the check of the arguments, after invoke:start.
      const args = [40, 0];
      Object.defineProperty(args, 1, {
        get: () => {
          expect(sandbox.invokeSync('call-host', [3]).value).toBe(3);
          return 4;
        },
      });
      const outer = sandbox.invokeSync('add', args);
      expect(outer.value).toBe(44);
      const ends = events.filter((e) => e.event === 'invoke:end');
      expect(ends.map((e) => (e.data as { export: string }).export).sort()).toEqual(['add', 'call-host']);
      const start = events.find(
        (e) => e.event === 'invoke:start' && (e.data as { export: string }).export === 'add',
      );
      expect(ends.find((e) => (e.data as { export: string }).export === 'add')?.request).toBe(start?.request);
    } finally {
      await kernel.close();
    }
  });
});
