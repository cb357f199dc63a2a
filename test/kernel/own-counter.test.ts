/**
 * A component whose plan has one core instance gets the meter's second form: the module defines
 * its fuel counter and the sandbox's meter adopts it (docs/fuel.md, "Where the counter lives").
 * Its fuel is counted, it runs out, and its start function runs after the adoption, in either
 * placement; a component of several core instances keeps the imported counter.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { meteringHook } from '../../host/kernel/metering.js';
import { Loader } from '../../host/loader/loader.js';
import { KEEL_EXPORTS } from '../../host/meter/index.js';
import { componentFromWat, tempCacheDir } from '../helpers/components.js';
import { PLACEMENTS } from '../helpers/placements.js';

const OWN_WAT = `(module
  (global $started (mut i32) (i32.const 0))
  (func $init (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (global.set $started (local.get $i)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "started") (result i32) (global.get $started))
  (func (export "count") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $s))
  (start $init))`;
const OWN_WIT = `package test:owned@0.1.0;
world owned {
  export spin: func();
  export started: func() -> u32;
  export count: func(n: u32) -> u32;
}`;

/** A component whose string import makes wit-component add a shim and a fixup module. */
const SHIMMED_WAT = `(module
  (import "test:shimmed/host@0.1.0" "say" (func $say (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "run") (call $say (i32.const 0) (i32.const 2)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))`;
const SHIMMED_WIT = `package test:shimmed@0.1.0;
interface host { say: func(s: string); }
world shimmed { import host; export run: func(); }`;

describe('the fuel counter of a component with one core instance', () => {
  it("is its module's own; a component of several core instances imports it", async () => {
    const loader = new Loader({
      maxModuleBytes: 1 << 24,
      cacheDir: false,
      coreHook: meteringHook(undefined),
    });
    const own = await loader.load(await componentFromWat(OWN_WAT, OWN_WIT, 'owned'));
    expect(own.plan!.instantiations).toHaveLength(1);
    const ownExports = WebAssembly.Module.exports(own.modules![0]!).map((e) => e.name);
    expect(ownExports).toContain(KEEL_EXPORTS.fuel);
    expect(ownExports).toContain(KEEL_EXPORTS.start);
    const shimmed = await loader.load(await componentFromWat(SHIMMED_WAT, SHIMMED_WIT, 'shimmed'));
    expect(shimmed.plan!.instantiations.length).toBeGreaterThan(1);
    for (const module of shimmed.modules!) {
      expect(WebAssembly.Module.exports(module).map((e) => e.name)).not.toContain(KEEL_EXPORTS.fuel);
      expect(WebAssembly.Module.imports(module)).toContainEqual({
        module: 'keel',
        name: 'fuel',
        kind: 'global',
      });
    }
  });
});

describe.each(PLACEMENTS)('a component with one core instance, metered (%s placement)', (placement) => {
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir() });

  it('counts its fuel on the adopted counter, the same at every call', async () => {
    const module = await kernel.load(await componentFromWat(OWN_WAT, OWN_WIT, 'owned'));
    const sandbox = await kernel.spawn(module);
    // The start function ran once, after the adoption.
    expect((await sandbox.invoke('started')).value).toBe(1000);
    const first = await sandbox.invoke('count', [1000]);
    expect(first.value).toBe(500500);
    expect(first.fuel.used).toBeGreaterThan(1000);
    expect((await sandbox.invoke('count', [1000])).fuel.used).toBe(first.fuel.used);
    expect((await sandbox.invoke('count', [2000])).fuel.used).toBeGreaterThan(first.fuel.used);
  });

  it('ends an infinite loop with fuel-exhausted, the whole budget used', async () => {
    const module = await kernel.load(await componentFromWat(OWN_WAT, OWN_WIT, 'owned'));
    const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
    const error = await sandbox.invoke('spin').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'fuel-exhausted', details: { used: 1_000_000, limit: 1_000_000 } });
  });

  it('counts its start function: a spawn whose start runs past the budget fails with fuel-exhausted', async () => {
    const module = await kernel.load(await componentFromWat(OWN_WAT, OWN_WIT, 'owned'));
    await expect(kernel.spawn(module, { limits: { fuel: 500 } })).rejects.toMatchObject({
      code: 'fuel-exhausted',
    });
  });
});
