import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_COSTS } from '../../host/caps/provider.js';
import { type KeelEvent, Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';
import { PLACEMENTS, preview1For } from '../helpers/placements.js';
import { wat, watFile } from '../helpers/wat.js';

const MiB = 1024 * 1024;

function recorder(kernel: Kernel, pattern: Parameters<Kernel['on']>[0] = '*') {
  const events: KeelEvent[] = [];
  kernel.on(pattern, (e) => {
    events.push(e);
  });
  return events;
}

describe.each(PLACEMENTS)('metering in the kernel: fuel (%s placement)', (placement) => {
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir() });

  it('counts fuel per invocation, deterministically', async () => {
    const module = await kernel.load(await watFile('guests/wat/loop.wat'));
    const a = await kernel.spawn(module);
    const b = await kernel.spawn(module);
    const first = await a.invoke('count', [1000]);
    const again = await a.invoke('count', [1000]);
    const other = await b.invoke('count', [1000]);
    expect(first.value).toBe(1000);
    expect(first.fuel.used).toBeGreaterThan(1000);
    expect(again.fuel.used).toBe(first.fuel.used);
    expect(other.fuel.used).toBe(first.fuel.used);
    expect((await a.invoke('count', [2000])).fuel.used).toBeGreaterThan(first.fuel.used);
  });

  it('ends an infinite loop with fuel-exhausted, reporting the fuel used, and poisons the sandbox', async () => {
    const events = recorder(kernel, 'fuel:exhausted');
    const module = await kernel.load(await watFile('guests/wat/loop.wat'));
    const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
    const started = performance.now();
    const error = await sandbox.invoke('spin').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'fuel-exhausted', details: { used: 1_000_000, limit: 1_000_000 } });
    expect(sandbox.lastFuel()).toEqual({ used: 1_000_000, limit: 1_000_000 });
    expect(sandbox.state).toBe('poisoned');
    expect(events.map((e) => e.data)).toContainEqual({ export: 'spin', used: 1_000_000, limit: 1_000_000 });
  });

  it('takes a per-invocation budget from invoke options', async () => {
    const module = await kernel.load(await watFile('guests/wat/loop.wat'));
    const sandbox = await kernel.spawn(module);
    await expect(sandbox.invoke('count', [100_000], { fuel: 5_000 })).rejects.toMatchObject({
      code: 'fuel-exhausted',
      details: { limit: 5_000 },
    });
  });

  it('enforces the lifetime limit across invocations', async () => {
    const module = await kernel.load(await watFile('guests/wat/loop.wat'));
    const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000, fuelTotal: 50_000 } });
    const one = await sandbox.invoke('count', [1000]);
    let total = one.fuel.used;
    let failure: unknown;
    while (!failure) {
      try {
        total += (await sandbox.invoke('count', [1000])).fuel.used;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'fuel-exhausted' });
    expect(total).toBeLessThanOrEqual(50_000);
    expect(sandbox.fuel().used).toBeLessThanOrEqual(50_000);
  });

  it('gives the fast path one budget until it is refuelled', async () => {
    const module = await kernel.load(await watFile('guests/wat/loop.wat'));
    const sandbox = await kernel.spawn(module, { limits: { fuel: 100_000 } });
    const count = sandbox.fn<(n: number) => number>('count');
    expect(count(10)).toBe(10);
    const after = sandbox.fuel();
    expect(after.remaining).toBeLessThan(100_000);
    expect(after.remaining + after.used).toBe(100_000);
    expect(sandbox.refuel(40_000)).toBe(40_000);
    expect(sandbox.fuel().remaining).toBe(40_000);
    expect(() => {
      for (;;) count(1000);
    }).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
  });

  it('meters every core module of a component with one counter', async () => {
    const module = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
    const sandbox = await kernel.spawn(module);
    const outcome = await sandbox.invoke('shout', ['hello']);
    expect(outcome.value).toBe('Hello');
    expect(outcome.fuel.used).toBeGreaterThan(0);
  });

  it('runs unmetered when metering is off, and says so', async () => {
    const plain = new Kernel({ placement, cacheDir: tempCacheDir(), metering: false });
    const module = await plain.load(await watFile('guests/wat/loop.wat'));
    const sandbox = await plain.spawn(module);
    expect((await sandbox.invoke('count', [10])).fuel).toEqual({ used: 0, limit: plain.limits.fuel });
    expect(sandbox.fuel().metered).toBe(false);
  });

  it('meters a start function: a guest that loops at instantiation fails the spawn', async () => {
    const module = await kernel.load(await wat('(module (func $start (loop $l (br $l))) (start $start))'));
    await expect(kernel.spawn(module, { limits: { fuel: 10_000 } })).rejects.toMatchObject({
      code: 'fuel-exhausted',
    });
  });
});

describe.each(PLACEMENTS)('metering in the kernel: memory and tables (%s placement)', (placement) => {
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir() });

  it('memory.grow past the limit returns -1 and emits memory:limit', async () => {
    const events = recorder(kernel, 'memory:limit');
    const module = await kernel.load(await watFile('guests/wat/grow.wat'));
    const sandbox = await kernel.spawn(module, { limits: { memoryBytes: 4 * MiB } });
    expect(await sandbox.call('grow', 63)).toBe(1);
    expect(await sandbox.call('grow', 1)).toBe(-1);
    expect(await sandbox.call('size')).toBe(64);
    expect(events[0]?.data).toEqual({ requestedBytes: 65 * 65536, limitBytes: 4 * MiB });
    expect(sandbox.state).toBe('ready');
  });

  it('with growFailure "error", memory.grow past the limit fails the call with memory-limit', async () => {
    const module = await kernel.load(await watFile('guests/wat/grow.wat'));
    const sandbox = await kernel.spawn(module, { limits: { memoryBytes: 4 * MiB }, growFailure: 'error' });
    await expect(sandbox.invoke('grow', [100])).rejects.toMatchObject({ code: 'memory-limit' });
  });

  it('a memory bomb stops at the limit at once', async () => {
    const module = await kernel.load(await watFile('guests/wat/grow.wat'));
    const sandbox = await kernel.spawn(module, { limits: { memoryBytes: 8 * MiB } });
    const started = performance.now();
    expect(await sandbox.call('bomb')).toBe(113);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a spawn whose initial memory is over the limit, before instantiation', async () => {
    const events = recorder(kernel, 'memory:limit');
    const module = await kernel.load(await wat('(module (memory 100))'));
    await expect(kernel.spawn(module, { limits: { memoryBytes: MiB } })).rejects.toMatchObject({
      code: 'memory-limit',
    });
    expect(events.some((e) => e.data?.at === 'spawn')).toBe(true);
  });

  it('refuses a spawn whose initial table is over the limit', async () => {
    const module = await kernel.load(await wat('(module (table 20000 funcref))'));
    await expect(kernel.spawn(module)).rejects.toMatchObject({ code: 'table-limit' });
  });

  it('table.grow past the limit returns -1 and emits table:limit', async () => {
    const events = recorder(kernel, 'table:limit');
    const module = await kernel.load(
      await wat(
        '(module (table $t 1 funcref) (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))',
      ),
    );
    const sandbox = await kernel.spawn(module, { limits: { tableElements: 100 } });
    expect(await sandbox.call('grow', 99)).toBe(1);
    expect(await sandbox.call('grow', 1)).toBe(-1);
    expect(events).toHaveLength(1);
  });

  it('still reports unbounded recursion as stack-overflow', async () => {
    const module = await kernel.load(await watFile('guests/wat/recursion.wat'));
    const sandbox = await kernel.spawn(module);
    await expect(sandbox.invoke('recurse', [0])).rejects.toMatchObject({ code: 'stack-overflow' });
  });

  it('refuses a module that imports from the reserved keel namespace (it could refuel itself)', async () => {
    const module = wat('(module (import "keel" "fuel" (global (mut i64))))');
    await expect(kernel.load(await module)).rejects.toMatchObject({ code: 'invalid-module' });
  });
});

describe.each(PLACEMENTS)(
  'metering in the kernel: host functions charge fuel (%s placement)',
  (placement) => {
    const TICK_WAT = `(module
    (import "env" "tick" (func $tick))
    (func (export "run") (param $n i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $tick)
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))`;
    const ticker = (name: string, callCost?: number) => ({
      name,
      interfaces: [],
      coreImports: ['env.tick'],
      ...(callCost !== undefined ? { callCost } : {}),
      link: () => ({ tick: () => {} }),
    });

    it('charges each host call its provider cost (default DEFAULT_HOST_COSTS.call), exactly', async () => {
      const free = new Kernel({ placement, cacheDir: tempCacheDir(), providers: [ticker('free', 0)] });
      const priced = new Kernel({ placement, cacheDir: tempCacheDir(), providers: [ticker('priced')] });
      const used = async (kernel: Kernel) => {
        const sandbox = await kernel.spawn(await kernel.load(await wat(TICK_WAT)), { grants: ['env.tick'] });
        return (await sandbox.invoke('run', [10])).fuel.used;
      };
      expect((await used(priced)) - (await used(free))).toBe(10 * DEFAULT_HOST_COSTS.call);
    });

    it('runs out of fuel inside a host call with fuel-exhausted', async () => {
      const kernel = new Kernel({
        placement,
        cacheDir: tempCacheDir(),
        providers: [ticker('dear', 1_000_000)],
      });
      const sandbox = await kernel.spawn(await kernel.load(await wat(TICK_WAT)), {
        grants: ['env.tick'],
        limits: { fuel: 100_000 },
      });
      await expect(sandbox.invoke('run', [1])).rejects.toMatchObject({ code: 'fuel-exhausted' });
    });

    it('charges bytes written to stdout', async () => {
      const kernel = new Kernel({ placement, preview1: preview1For(placement), cacheDir: tempCacheDir() });
      const { PREVIEW1_ENV_WAT } = await import('../helpers/components.js');
      const module = await kernel.load(await wat(PREVIEW1_ENV_WAT));
      const run = async (value: string) => {
        const sandbox = await kernel.spawn(module, {
          grants: [
            'wasi:cli/stdin',
            'wasi:cli/stdout',
            'wasi:cli/stderr',
            { interface: 'wasi:cli/environment', scope: { env: { V: value } } },
          ],
        });
        return (await sandbox.invoke('wasi:cli/run#run')).fuel.used;
      };
      const short = await run('x');
      const long = await run('x'.repeat(64 * 100 + 1));
      // 6,400 more bytes cost 100 more fuel for the write (1 per 64 bytes), plus the guest's own scanning.
      expect(long - short).toBeGreaterThan(100);
    });
  },
);
