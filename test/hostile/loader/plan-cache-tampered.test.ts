/**
 * The plan a disk entry holds beside the metered modules (host/abi/plan-codec.ts) is data read
 * from disk. Attacks and mistakes:
 *
 * - a plan altered inside an entry whose hash was recomputed (someone who can write the cache
 *   directory, or a codec bug): garbage, a `__proto__` property, a reference to a later node (a
 *   cycle), a view past the component's bytes, a primitive type WIT does not have, another
 *   number of core modules, an object of another class. Each is refused: the load plans and
 *   meters afresh (`plan_cache: refused` in module:load, the entry remade) and the component
 *   runs as before; never a crash, never the altered plan;
 * - a plan altered without its hash: the entry is refused whole (a miss), as a swapped module is;
 * - a plan cached under another hook (metering off with an embedder's hook, other meter options)
 *   or another fingerprint of Keel's code is never read;
 * - a cached plan still gets every check that is not the planner's: export types at load, import
 *   types at spawn.
 *
 * The sources carry no fingerprint (the build stamps it), so this file gives the kernel one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { isKeelError, Kernel, type KernelOptions } from '../../../host/index.js';
import { meteringHook } from '../../../host/kernel/metering.js';
import { Loader } from '../../../host/loader/loader.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';
import { diskEntry, entryOf, entryParts } from '../../helpers/disk-entry.js';
import { hostileComponent, REALLOC } from '../abi/support.js';

vi.mock('../../../host/abi/plan-fingerprint.js', () => ({ PLANNER_FINGERPRINT: 'test-fingerprint' }));

async function loadAndAdd(cacheDir: string, bytes: Uint8Array, options: KernelOptions = {}) {
  const kernel = new Kernel({ cacheDir, ...options });
  const events: unknown[] = [];
  kernel.events.subscribe('module:load', (e) => {
    events.push(e.data);
  });
  try {
    const module = await kernel.load(bytes);
    const sum = await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3);
    return { cache: module.cache, sum, stats: { ...kernel.loaderStats }, event: events[0] };
  } finally {
    await kernel.close();
  }
}

type Encoded = { format: number; strings: string[]; nodes: number[] };
const json = (plan: Uint8Array): Encoded => JSON.parse(Buffer.from(plan).toString('utf8')) as Encoded;
const bytesOf = (e: Encoded | string) => Buffer.from(typeof e === 'string' ? e : JSON.stringify(e));

describe('plan-cache-tampered', () => {
  it('a warm load takes the plan from the entry, and the component runs', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const first = await loadAndAdd(cacheDir, bytes);
    expect(first).toMatchObject({ cache: 'miss', sum: 5, event: { plan_cache: 'miss' } });
    expect(entryParts(readFileSync(entryOf(cacheDir))).plan.length).toBeGreaterThan(0);
    const second = await loadAndAdd(cacheDir, bytes);
    expect(second).toMatchObject({
      cache: 'disk',
      sum: 5,
      event: { cache: 'disk', plan_cache: 'hit' },
      stats: { plans: 0, planHits: 1, diskHits: 1 },
    });
  });

  // Each alteration of a valid plan, the entry's hash recomputed.
  const alterations: [string, (e: Encoded, modules: number) => Uint8Array][] = [
    ['garbage', () => bytesOf('not json {')],
    ['not UTF-8', () => Uint8Array.of(0xff, 0xfe, 0x7b)],
    ['another format', (e) => bytesOf({ ...e, format: 999 })],
    [
      'a __proto__ property',
      (e) => {
        // The root object's first property renamed `__proto__`.
        const s = bytesOf(e).toString('utf8').replace('"modules"', '"__proto__"');
        return Buffer.from(s);
      },
    ],
    [
      'a reference to a later node',
      (e) => {
        // The root's last reference pointed at the root itself.
        const nodes = [...e.nodes];
        nodes[nodes.length - 1] = 1e6;
        return bytesOf({ ...e, nodes });
      },
    ],
    [
      'a view past the component',
      (e) => {
        const nodes = [...e.nodes];
        const at = nodes.indexOf(11); // the first view: [11, offset, length]
        nodes[at + 2] = 1e9;
        return bytesOf({ ...e, nodes });
      },
    ],
    [
      'a primitive type WIT does not have',
      (e) => {
        const strings = e.strings.map((s) => (s === 'u32' ? 'u33' : s));
        return bytesOf({ ...e, strings });
      },
    ],
    [
      'a number that is not an integer where an index is',
      (e) => bytesOf({ ...e, nodes: e.nodes.map((n, i) => (i === 2 ? n + 0.5 : n)) }),
    ],
    ['no modules', (e) => bytesOf({ ...e, nodes: [6, 0, 0] })],
  ];

  for (const [what, alter] of alterations) {
    it(`a plan with ${what}, its hash recomputed: refused, planned afresh, the entry remade`, async () => {
      const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
      const cacheDir = tempCacheDir();
      await loadAndAdd(cacheDir, bytes);
      const file = entryOf(cacheDir);
      const original = readFileSync(file);
      const { modules, plan } = entryParts(original);
      writeFileSync(file, diskEntry(file, modules, alter(json(plan), modules.length)));
      const second = await loadAndAdd(cacheDir, bytes);
      expect(second).toMatchObject({
        cache: 'miss',
        sum: 5,
        event: { cache: 'miss', plan_cache: 'refused' },
        stats: { plans: 1, planHits: 0, planRefusals: 1, diskHits: 0 },
      });
      expect(readFileSync(file)).toEqual(original);
      expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({
        cache: 'disk',
        event: { plan_cache: 'hit' },
      });
    });
  }

  it('a plan with another number of core modules than the entry holds: refused', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    await loadAndAdd(cacheDir, bytes);
    const file = entryOf(cacheDir);
    const { modules, plan } = entryParts(readFileSync(file));
    // The same plan with its module list doubled: as many modules as the entry holds, not as
    // the plan says; and the entry with the plan's two modules: the plan is not the component's.
    const e = json(plan);
    writeFileSync(file, diskEntry(file, [modules[0]!, modules[0]!], bytesOf(e)));
    expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({
      cache: 'miss',
      sum: 5,
      event: { plan_cache: 'refused' },
    });
  });

  it('a plan altered without its hash: the entry is refused whole', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    await loadAndAdd(cacheDir, bytes);
    const file = entryOf(cacheDir);
    const original = readFileSync(file);
    const altered = Buffer.from(original);
    altered.writeUInt8(altered.at(-2)! ^ 1, altered.length - 2);
    writeFileSync(file, altered);
    expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({
      cache: 'miss',
      sum: 5,
      stats: { plans: 1, planHits: 0, diskHits: 0 },
    });
    expect(readFileSync(file)).toEqual(original);
  });

  it('a plan cached with metering off (an embedder hook) is not read with metering on, nor with other meter options', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const identity = { id: 'identity', transform: (b: Uint8Array) => b };
    expect(await loadAndAdd(cacheDir, bytes, { metering: false, coreHook: identity })).toMatchObject({
      cache: 'miss',
      stats: { plans: 1 },
    });
    expect(await loadAndAdd(cacheDir, bytes, { metering: false, coreHook: identity })).toMatchObject({
      cache: 'disk',
      stats: { plans: 0, planHits: 1 },
    });
    expect(await loadAndAdd(cacheDir, bytes)).toMatchObject({
      cache: 'miss',
      stats: { plans: 1, planHits: 0 },
    });
    expect(await loadAndAdd(cacheDir, bytes, { metering: { countedLoops: false } })).toMatchObject({
      cache: 'miss',
      stats: { plans: 1, planHits: 0 },
    });
  });

  it("an entry moved to another component's file is not read as that component's", async () => {
    // Two components with one core module each: B's differs only by a function nothing calls.
    const a = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const b = await componentFromWat(
      ADDER_WAT.replace('(module', '(module (func $unused)'),
      ADDER_WIT,
      'adder',
    );
    const dirA = tempCacheDir();
    const dirB = tempCacheDir();
    await loadAndAdd(dirA, a);
    await loadAndAdd(dirB, b);
    const fileB = entryOf(dirB);
    const ownB = readFileSync(fileB);
    // A's whole entry, hash and all, under B's key: before format 6 its plan and modules ran as B.
    writeFileSync(fileB, readFileSync(entryOf(dirA)));
    const again = await loadAndAdd(dirB, b);
    expect(again).toMatchObject({ cache: 'miss', sum: 5, stats: { diskHits: 0, planHits: 0 } });
    expect(readFileSync(fileB)).toEqual(ownB);
  });

  it('an entry made under another fingerprint of the planner is not read', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const hook = meteringHook(undefined);
    const loader = (planFingerprint: string) =>
      new Loader({ maxModuleBytes: 1 << 24, cacheDir, coreHook: hook, planFingerprint });
    const a = loader('planner-a');
    expect(await a.load(bytes)).toMatchObject({ cache: 'miss', planCache: 'miss' });
    const again = loader('planner-a');
    expect(await again.load(bytes)).toMatchObject({ cache: 'disk', planCache: 'hit' });
    expect(again.stats).toMatchObject({ plans: 0, planHits: 1 });
    const b = loader('planner-b');
    expect(await b.load(bytes)).toMatchObject({ cache: 'miss', planCache: 'miss' });
    expect(b.stats).toMatchObject({ plans: 1, planHits: 0, diskHits: 0 });
    // Without a fingerprint (the unbuilt sources) no plan is stored or read.
    const none = loader('');
    expect(await none.load(bytes)).toMatchObject({ cache: 'miss', planCache: 'miss' });
    expect(await loader('').load(bytes)).toMatchObject({ cache: 'disk', planCache: 'miss' });
  });

  it('a cached plan still gets the export type check at load', async () => {
    const bytes = await hostileComponent(
      `${REALLOC}
       (func (export "keel:kernel/handler@0.2.0#on-message") (param i32 i32 i32 i64))`,
      `world w { export keel:kernel/handler@0.2.0; }
       package keel:kernel@0.2.0 { interface handler { on-message: func(sender: u32, body: list<u8>, request: u64); } }`,
    );
    const cacheDir = tempCacheDir();
    const outcomes = [];
    for (let i = 0; i < 2; i++) {
      const kernel = new Kernel({ cacheDir });
      const error = await kernel.load(bytes).catch((e: unknown) => e);
      outcomes.push({ error, stats: { ...kernel.loaderStats } });
      await kernel.close();
    }
    for (const { error } of outcomes) {
      expect(isKeelError(error) && error.code).toBe('invalid-module');
      expect((error as Error).message).toContain(
        'keel:kernel/handler@0.2.0 with types Keel does not call it at',
      );
    }
    // The second load's plan came from the entry the first one wrote.
    expect(outcomes[1]!.stats).toMatchObject({ plans: 0, planHits: 1 });
  });

  it('a cached plan still gets the import type check at spawn', async () => {
    const bytes = await hostileComponent(
      `(import "wasi:cli/exit@0.2.0" "exit" (func $exit (param i32 i32)))
       (func (export "f") (result i32) (call $exit (i32.const 0) (i32.const 7)) (i32.const 0))
       ${REALLOC}`,
      `world w { import wasi:cli/exit@0.2.0; export f: func() -> u32; }
       package wasi:cli@0.2.0 { interface exit { exit: func(status: result, code: u32); } }`,
    );
    const cacheDir = tempCacheDir();
    const outcomes = [];
    for (let i = 0; i < 2; i++) {
      const kernel = new Kernel({ cacheDir });
      const module = await kernel.load(bytes);
      const error = await kernel.spawn(module, { grants: ['wasi:cli/exit'] }).catch((e: unknown) => e);
      outcomes.push({ error, plan: module.cache, stats: { ...kernel.loaderStats } });
      await kernel.close();
    }
    for (const { error } of outcomes) {
      expect(isKeelError(error) && error.code).toBe('capability-denied');
      expect((error as Error).message).toContain(
        'wasi:cli/exit@0.2.0#exit is imported as func(status: result, code: u32)',
      );
    }
    expect(outcomes[1]).toMatchObject({ plan: 'disk', stats: { plans: 0, planHits: 1 } });
  });
});
