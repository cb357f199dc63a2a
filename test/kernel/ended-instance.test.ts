/**
 * V8 makes a WebAssembly instance in its old generation: a terminated sandbox's core instances
 * live until the next full collection, and so does whatever their imports reach. What they reach
 * of the host must be small once the sandbox ended (young collections copied it twice and
 * promoted it: most of a spawn's collection time, bench/results/perf-spawn-2026-12-06-9.md).
 * These tests hold a terminated sandbox's core instances, as V8 does until a full collection, and
 * count what stays alive through them.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceState } from '../../host/abi/handles.js';
import { ComponentInstance } from '../../host/abi/instance.js';
import { DEFAULT_HOST_COSTS } from '../../host/caps/provider.js';
import { type CapabilityProvider, Kernel } from '../../host/index.js';
import { SandboxLimitEvents } from '../../host/kernel/metering.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../../scripts/lib/fixtures.js';
import { tempCacheDir } from '../helpers/components.js';
import { liveObjects } from '../helpers/live-objects.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

const Instance = WebAssembly.Instance;
/** The core instances made since the last `beforeEach`, held as V8 holds them until a full collection. */
let held: WebAssembly.Instance[] = [];

beforeEach(() => {
  held = [];
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(target, args, newTarget) as WebAssembly.Instance;
      held.push(instance);
      return instance;
    },
  });
});

afterEach(() => {
  WebAssembly.Instance = Instance;
  held = [];
});

describe("a terminated sandbox's core instances", () => {
  it('reach neither its component instance nor its meter events', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(new Uint8Array(readFileSync(root('guests/as/types/types.wasm'))));
    const components = await liveObjects(ComponentInstance.prototype);
    const meterEvents = await liveObjects(SandboxLimitEvents.prototype);
    for (let i = 0; i < 5; i++) {
      const sandbox = await kernel.spawn(module);
      expect(sandbox.fn('numbers#add-u8')(200, 1)).toBe(201);
      sandbox.terminate('done');
    }
    expect(held.length).toBeGreaterThanOrEqual(5);
    // Each of the five reached its component instance through its instance state, and its meter's
    // events through the meter's functions the guest imports.
    expect(await liveObjects(ComponentInstance.prototype)).toBe(components);
    expect(await liveObjects(SandboxLimitEvents.prototype)).toBe(meterEvents);
    await kernel.close();
  });

  it("reach not its context through a provider's gated functions", async () => {
    // The gate charges each call to the sandbox's meter: it held the sandbox's context for that,
    // and through it the ended sandbox's events, deadline and export table.
    let contextPrototype: object | undefined;
    const host: CapabilityProvider = {
      name: 'host',
      interfaces: ['keel:bench/host'],
      link: ({ context }) => {
        contextPrototype ??= Object.getPrototypeOf(context) as object;
        return { tick: (x: number) => (x + 1) >>> 0 };
      },
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [host] });
    const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
    const run = async () => {
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      const before = sandbox.fuel().used;
      expect(sandbox.fn('call-host')(3)).toBe(3);
      // Still charged: three host calls at the gate's price, beyond the guest's own work.
      expect(sandbox.fuel().used - before).toBeGreaterThanOrEqual(3 * DEFAULT_HOST_COSTS.call);
      sandbox.terminate('done');
    };
    await run();
    // The kernel keeps the sandbox that ended last, and with it its context (last-ended).
    const contexts = await liveObjects(contextPrototype!);
    for (let i = 0; i < 5; i++) await run();
    expect(held.length).toBeGreaterThanOrEqual(6);
    expect(await liveObjects(contextPrototype!)).toBe(contexts);
    await kernel.close();
  });

  it('let a guest still unwinding from a kill take no handle more', () => {
    const counted: string[] = [];
    const host = { hostClass: () => undefined, hold: () => ({}) as never, release() {} };
    const state = new InstanceState(0, { acquire: (kind) => counted.push(kind), release() {} }, host);
    state.counter.acquire('r');
    state.end();
    expect(() => state.counter.acquire('r')).toThrow(expect.objectContaining({ code: 'killed' }));
    expect(() => state.host.hold(undefined as never, 1, false)).toThrow(
      expect.objectContaining({ code: 'killed' }),
    );
    expect(counted).toEqual(['r']);
  });
});
