/**
 * Attack (by the embedder's own code, run by the guest): host code that runs while a call of
 * the scalar fast path (`sandbox.fn` on an export of scalars, host/abi/fast.ts) is in progress
 * calls into the same sandbox again, or kills it. Each place host code runs inside such a call
 * is one case: a plain import, an event hook fired by a host import, by the meter (a refused
 * `memory.grow`) and by a canonical built-in (`resource.new` past `limits.handles`), a host
 * resource's destructor run by `resource.drop`. Every re-entry is refused with the same
 * `invalid-argument` as a re-entrant invocation, the outer call goes on, and a kill from inside
 * ends the call as `killed`; a provider's asynchronous completion, which runs after the call,
 * may call again; a call's deadline counts from its own first reading, not an earlier call's.
 * Each attack runs in a call after the first, the common call, which writes no mark of its own:
 * the host code its guest reaches marks the sandbox first (`markHost`, host/abi/handles.ts), and
 * each test's place is the first host code of its call, so that each fails when its place does
 * not mark (bench/results/perf-calls-2026-12-07-14.md): a plain import, an import taking a
 * string, `resource.new`, `resource.rep` (its charge ends a slice of fuel), `resource.drop`, the
 * meter's imports (a slice's end, a refused `memory.grow` and `table.grow`), and a composed
 * component's import.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type KernelOptions, type Sandbox } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../../helpers/components.js';

type Add = (a: number, b: number) => number;

/**
 * Two component instances: the inner one imports the host's `tick` and exports `bump` (tick)
 * and `add`; the outer one lowers the inner's `bump` into its core module and exports `run`
 * (bump twice, doubled), and the inner's `bump` and `add` as they are.
 */
const COMPOSED_TICK = `(component
  (import "test:comp/host" (instance $h (export "tick" (func (param "x" u32) (result u32)))))
  (component $inner
    (import "test:comp/host" (instance $h (export "tick" (func (param "x" u32) (result u32)))))
    (alias export $h "tick" (func $tick))
    (core func $tick-lowered (canon lower (func $tick)))
    (core module $m
      (import "host" "tick" (func $tick (param i32) (result i32)))
      (func (export "bump") (param i32) (result i32) (call $tick (local.get 0)))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
    (core instance $hi (export "tick" (func $tick-lowered)))
    (core instance $i (instantiate $m (with "host" (instance $hi))))
    (func (export "bump") (param "x" u32) (result u32) (canon lift (core func $i "bump")))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))
  (instance $a (instantiate $inner (with "test:comp/host" (instance $h))))
  (alias export $a "bump" (func $bump))
  (alias export $a "add" (func $add))
  (core func $bump-lowered (canon lower (func $bump)))
  (core module $main
    (import "inner" "bump" (func $bump (param i32) (result i32)))
    (func (export "run") (param i32) (result i32)
      (i32.mul (call $bump (call $bump (local.get 0))) (i32.const 2))))
  (core instance $in (export "bump" (func $bump-lowered)))
  (core instance $main (instantiate $main (with "inner" (instance $in))))
  (func (export "run") (param "x" u32) (result u32) (canon lift (core func $main "run")))
  (export "bump" (func $bump))
  (export "add" (func $add)))`;

const kernels: Kernel[] = [];
afterAll(async () => {
  for (const k of kernels) await k.close();
});

/** A kernel with `providers` and no cache. */
function kernelWith(providers: CapabilityProvider[], options: KernelOptions = {}): Kernel {
  const kernel = new Kernel({ cacheDir: false, providers, ...options });
  kernels.push(kernel);
  return kernel;
}

/** What a re-entry from host code got: its error, or the value it returned. */
function attempt(call: () => unknown): unknown {
  try {
    return { returned: call() };
  } catch (error) {
    return error;
  }
}

const REFUSED = expect.objectContaining({
  code: 'invalid-argument',
  message: expect.stringMatching(/already running a call \(re-entrant calls are not allowed\)/),
});

/**
 * A sandbox granted a host resource `thing` whose destructor calls `hooks.reenter` (set by the
 * test), its guest's core functions `funcs` (`$new` and `$drop` imported; `add` added) exported as
 * the WIT `exports` say.
 */
async function destructorSandbox(
  funcs: string,
  exports: string,
): Promise<{ sandbox: Sandbox; hooks: { reenter: () => void } }> {
  const hooks = { reenter: (): void => undefined };
  const host: CapabilityProvider = {
    name: 'things',
    interfaces: ['test:dtor/host'],
    link: () => ({
      Thing: class Thing {
        [Symbol.dispose](): void {
          hooks.reenter();
        }
      },
    }),
  };
  const kernel = kernelWith([host]);
  const module = await kernel.load(
    await componentFromWat(
      `(module
        (import "test:dtor/host" "[constructor]thing" (func $new (result i32)))
        (import "test:dtor/host" "[resource-drop]thing" (func $drop (param i32)))
        ${funcs}
        (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
      `package test:dtor;
      interface host { resource thing { constructor(); } }
      world dtor { import host; ${exports} export add: func(a: u32, b: u32) -> u32; }`,
      'dtor',
    ),
  );
  return { sandbox: await kernel.spawn(module, { grants: ['test:dtor/host'] }), hooks };
}

/** The bench component (`call-host(n)` calls the host's `tick` n times) with `tick` given by the test. */
async function benchSandbox(
  tick: (x: number) => number,
  options: KernelOptions = {},
): Promise<{ kernel: Kernel; sandbox: Sandbox }> {
  const host: CapabilityProvider = {
    name: 'tick-host',
    interfaces: ['keel:bench/host'],
    link: () => ({ tick }),
  };
  const kernel = kernelWith([host], options);
  const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
  const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
  return { kernel, sandbox };
}

describe('scalar-call-from-host-code', () => {
  it('a plain import re-entering through fn, the same fn and invokeSync is refused; the call goes on', async () => {
    const seen: unknown[] = [];
    let again: (() => unknown)[] = [];
    const { sandbox } = await benchSandbox((x) => {
      for (const f of again) seen.push(attempt(f));
      return x + 1;
    });
    const add = sandbox.fn<Add>('add');
    const callHost = sandbox.fn<(n: number) => number>('call-host');
    expect(add(1, 2)).toBe(3);
    again = [() => add(1, 2), () => callHost(1), () => sandbox.invokeSync('add', [1, 2])];
    expect(callHost(3)).toBe(3);
    expect(seen).toHaveLength(9);
    for (const s of seen) expect(s).toEqual(REFUSED);
    expect(sandbox.state).toBe('ready');
    again = [];
    expect(add(2, 3)).toBe(5);
    expect(callHost(2)).toBe(2);
  });

  it('an event hook fired from inside a host import re-entering is refused', async () => {
    let context: { emit(event: object): void } | undefined;
    const host: CapabilityProvider = {
      name: 'tick-host',
      interfaces: ['keel:bench/host'],
      link: (request) => {
        context = request.context;
        return {
          tick: (x: number) => {
            context!.emit({ event: 'guest:log', level: 'info', data: { message: 'tick' } });
            return x + 1;
          },
        };
      },
    };
    const kernel = kernelWith([host]);
    const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
    const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
    const add = sandbox.fn<Add>('add');
    const callHost = sandbox.fn<(n: number) => number>('call-host');
    expect(callHost(1)).toBe(1);
    const seen: unknown[] = [];
    kernel.on('guest:log', () => {
      seen.push(attempt(() => add(1, 2)));
    });
    expect(callHost(2)).toBe(2);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });

  it.each([true, false])(
    'a kill from inside a host import ends the call as killed (metering %s)',
    async (metering) => {
      let victim: Sandbox | undefined;
      let ticks = 0;
      const { sandbox } = await benchSandbox(
        (x) => {
          ticks++;
          victim?.terminate('killed by a host function');
          return x + 1;
        },
        metering ? {} : { metering: false },
      );
      const callHost = sandbox.fn<(n: number) => number>('call-host');
      expect(callHost(1)).toBe(1);
      victim = sandbox;
      expect(() => callHost(5)).toThrow(expect.objectContaining({ code: 'killed' }));
      expect(sandbox.state).toBe('killed');
      // Metered, the guest stops at its next fuel check after the tick that killed it.
      if (metering) expect(ticks).toBe(2);
      expect(() => sandbox.fn<Add>('add')(1, 2)).toThrow(expect.objectContaining({ code: 'killed' }));
    },
  );

  it("a provider's asynchronous completion runs after the call and may call again", async () => {
    let later: Promise<unknown> | undefined;
    let add: Add | undefined;
    const { sandbox } = await benchSandbox((x) => {
      later = Promise.resolve().then(() => add!(20, 22));
      return x + 1;
    });
    add = sandbox.fn<Add>('add');
    expect(sandbox.fn<(n: number) => number>('call-host')(1)).toBe(1);
    await expect(later).resolves.toBe(42);
    expect(sandbox.state).toBe('ready');
  });

  it('an event hook fired by the meter (a refused memory.grow, memory:limit) re-entering is refused', async () => {
    const kernel = kernelWith([]);
    const module = await kernel.load(
      await componentFromWat(
        `(module (memory 1)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
        `package test:grow;
        world grow { export grow: func(pages: u32) -> s32; export add: func(a: u32, b: u32) -> u32; }`,
        'grow',
      ),
    );
    const sandbox = await kernel.spawn(module, { limits: { memoryBytes: 2 * 65536 } });
    const add = sandbox.fn<Add>('add');
    const grow = sandbox.fn<(pages: number) => number>('grow');
    expect(grow(0)).toBe(1);
    const seen: unknown[] = [];
    kernel.on('memory:limit', () => {
      seen.push(attempt(() => add(1, 2)));
    });
    expect(grow(100)).toBe(-1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });

  it('an event hook fired by resource.new past limits.handles (resource:limit) re-entering is refused', async () => {
    const fixture = (name: string) =>
      readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
    const wat = fixture('counters.wat').replace(
      /\)\s*$/,
      `(func (export "churn") (param $n i32) (result i32)
        (local $i i32)
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (drop (call $new (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (local.get $n))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
    );
    const wit = fixture('counters.wit').replace(
      'export drops: func() -> u32;',
      'export drops: func() -> u32;\n  export churn: func(n: u32) -> u32;\n  export add: func(a: u32, b: u32) -> u32;',
    );
    const kernel = kernelWith([]);
    const module = await kernel.load(await componentFromWat(wat, wit, 'res'));
    const sandbox = await kernel.spawn(module, { limits: { handles: 8 } });
    const add = sandbox.fn<Add>('add');
    const churn = sandbox.fn<(n: number) => number>('churn');
    expect(churn(0)).toBe(0);
    const seen: unknown[] = [];
    kernel.on('resource:limit', () => {
      seen.push(attempt(() => add(1, 2)));
    });
    expect(() => churn(20)).toThrow(expect.objectContaining({ code: 'resource-limit' }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(REFUSED);
  });

  it('an import taking a string (the general lowering) re-entering is refused', async () => {
    let reenter: () => void = () => undefined;
    const host: CapabilityProvider = {
      name: 'sayer',
      interfaces: ['test:gen/host'],
      link: () => ({ say: (_text: string) => reenter() }),
    };
    const kernel = kernelWith([host]);
    const module = await kernel.load(
      await componentFromWat(
        `(module
          (import "test:gen/host" "say" (func $say (param i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hi")
          (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
          (func (export "run") (param $n i32) (result i32) (call $say (i32.const 16) (i32.const 2)) (local.get $n))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
        `package test:gen;
        interface host { say: func(text: string); }
        world gen { import host; export run: func(n: u32) -> u32; export add: func(a: u32, b: u32) -> u32; }`,
        'gen',
      ),
    );
    const sandbox = await kernel.spawn(module, { grants: ['test:gen/host'] });
    const add = sandbox.fn<Add>('add');
    const run = sandbox.fn<(n: number) => number>('run');
    expect(run(1)).toBe(1);
    const seen: unknown[] = [];
    reenter = () => seen.push(attempt(() => add(1, 2)));
    expect(run(3)).toBe(3);
    expect(run(4)).toBe(4);
    expect(seen).toHaveLength(2);
    for (const s of seen) expect(s).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });

  it("a call's deadline counts from its own first reading (the meter's slice hook), not an earlier call's", async () => {
    const kernel = kernelWith([]);
    const module = await kernel.load(
      await componentFromWat(
        `(module
          (func (export "spin") (param $n i32) (result i32)
            (local $i i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (local.get $i)))`,
        `package test:spin;
        world spin { export spin: func(n: u32) -> u32; }`,
        'spin',
      ),
    );
    const sandbox = await kernel.spawn(module, { limits: { deadlineMs: 300 } });
    // An invocation long enough to read its clock, then a pause past the deadline.
    expect(sandbox.invokeSync('spin', [3_000_000]).value).toBe(3_000_000);
    const spin = sandbox.fn<(n: number) => number>('spin');
    const pause = () => new Promise((resolve) => setTimeout(resolve, 450));
    await pause();
    // Long enough for several slices of fuel, far shorter than the deadline; the first after
    // the invocation takes the marked way, the others do not.
    expect(spin(3_000_000)).toBe(3_000_000);
    await pause();
    for (let k = 0; k < 3; k++) expect(spin(3_000_000)).toBe(3_000_000);
    expect(sandbox.state).toBe('ready');
  });

  it("a host resource's destructor, run by the guest's resource.drop, re-entering is refused", async () => {
    const { sandbox, hooks } = await destructorSandbox(
      '(func (export "churn") (param $n i32) (result i32) (call $drop (call $new)) (local.get $n))',
      'export churn: func(n: u32) -> u32;',
    );
    const add = sandbox.fn<Add>('add');
    const churn = sandbox.fn<(n: number) => number>('churn');
    expect(churn(1)).toBe(1);
    const seen: unknown[] = [];
    hooks.reenter = () => seen.push(attempt(() => add(1, 2)));
    expect(churn(7)).toBe(7);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });
  it("a host resource's destructor, run by resource.drop as the first host code of its call, re-entering is refused", async () => {
    const { sandbox, hooks } = await destructorSandbox(
      `(global $h (mut i32) (i32.const 0))
        (func (export "keep") (param $n i32) (result i32) (global.set $h (call $new)) (local.get $n))
        (func (export "free") (param $n i32) (result i32) (call $drop (global.get $h)) (local.get $n))`,
      'export keep: func(n: u32) -> u32; export free: func(n: u32) -> u32;',
    );
    const add = sandbox.fn<Add>('add');
    const keep = sandbox.fn<(n: number) => number>('keep');
    const free = sandbox.fn<(n: number) => number>('free');
    expect(keep(1)).toBe(1);
    expect(add(1, 2)).toBe(3);
    const seen: unknown[] = [];
    hooks.reenter = () => seen.push(attempt(() => add(1, 2)));
    expect(free(7)).toBe(7);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });

  it('an event hook fired by the meter (a refused table.grow, table:limit) re-entering is refused', async () => {
    const kernel = kernelWith([]);
    const module = await kernel.load(
      await componentFromWat(
        `(module (table 1 funcref)
          (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`,
        `package test:tgrow;
        world tgrow { export tgrow: func(n: u32) -> s32; export add: func(a: u32, b: u32) -> u32; }`,
        'tgrow',
      ),
    );
    const sandbox = await kernel.spawn(module, { limits: { tableElements: 16 } });
    const add = sandbox.fn<Add>('add');
    const tgrow = sandbox.fn<(n: number) => number>('tgrow');
    expect(tgrow(0)).toBe(1);
    const seen: unknown[] = [];
    kernel.on('table:limit', () => {
      seen.push(attempt(() => add(1, 2)));
    });
    expect(tgrow(100)).toBe(-1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(REFUSED);
    expect(add(1, 2)).toBe(3);
  });

  it("a call's deadline counts from its own first reading when resource.rep's charge makes it", async () => {
    const fixture = (name: string) =>
      readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
    // Straight-line code (no loop, whose header would end the slice first): 3,000 rep calls of
    // 128 fuel each cross the 131,072-fuel slices two or three times a call, in rep's charge.
    const reps = '(drop (call $rep (global.get $h)))\n'.repeat(3_000);
    const wat = fixture('counters.wat').replace(
      /\)\s*$/,
      `(global $h (mut i32) (i32.const 0))
      (func (export "keep") (param $n i32) (result i32) (global.set $h (call $new (i32.const 0))) (local.get $n))
      (func (export "reps") (param $n i32) (result i32) ${reps} (local.get $n)))`,
    );
    const wit = fixture('counters.wit').replace(
      'export drops: func() -> u32;',
      'export drops: func() -> u32;\n  export keep: func(n: u32) -> u32;\n  export reps: func(n: u32) -> u32;',
    );
    const kernel = kernelWith([]);
    const module = await kernel.load(await componentFromWat(wat, wit, 'res'));
    const sandbox = await kernel.spawn(module, { limits: { deadlineMs: 300 } });
    // A handle kept, an invocation that reads its clock, then a pause past the deadline.
    expect(sandbox.invokeSync('keep', [1]).value).toBe(1);
    expect(sandbox.invokeSync('reps', [1]).value).toBe(1);
    const reps2 = sandbox.fn<(n: number) => number>('reps');
    const pause = () => new Promise((resolve) => setTimeout(resolve, 450));
    await pause();
    // The first after the invocation takes the marked way; after a pause, the others do not.
    expect(reps2(1)).toBe(1);
    await pause();
    for (let k = 0; k < 3; k++) expect(reps2(k)).toBe(k);
    expect(sandbox.state).toBe('ready');
  });

  it("a composed component: host code inside the inner instance's import, called through the outer's, re-entering is refused", async () => {
    const seen: unknown[] = [];
    let again: (() => unknown)[] = [];
    const host: CapabilityProvider = {
      name: 'tick-host',
      interfaces: ['test:comp/host'],
      link: () => ({
        tick: (x: number) => {
          for (const f of again) seen.push(attempt(f));
          return x + 1;
        },
      }),
    };
    const kernel = kernelWith([host]);
    const module = await kernel.load(await parse(COMPOSED_TICK));
    const sandbox = await kernel.spawn(module, { grants: ['test:comp/host'] });
    const run = sandbox.fn<(x: number) => number>('run');
    const bump = sandbox.fn<(x: number) => number>('bump');
    const add = sandbox.fn<Add>('add');
    // The outer instance calls the inner one's export while it calls out: the inner may be entered.
    expect(run(5)).toBe(14);
    expect(bump(5)).toBe(6);
    expect(add(1, 2)).toBe(3);
    again = [() => run(1), () => bump(1), () => add(1, 2), () => sandbox.invokeSync('add', [1, 2])];
    expect(run(5)).toBe(14);
    expect(bump(3)).toBe(4);
    expect(seen).toHaveLength(12);
    for (const s of seen) expect(s).toEqual(REFUSED);
    again = [];
    expect(run(1)).toBe(6);
    expect(add(2, 3)).toBe(5);
    expect(sandbox.state).toBe('ready');
  });
});
