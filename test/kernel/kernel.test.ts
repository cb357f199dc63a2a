import { beforeAll, describe, expect, it } from 'vitest';
import { KeelError, type KeelEvent, Kernel, type ModuleHandle } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';
import { PLACEMENTS } from '../helpers/placements.js';
import { wat } from '../helpers/wat.js';

const CORE_WAT = `(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mul64") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "boom") unreachable)
  (func $recurse (export "recurse") (result i32) (call $recurse))
  (memory (export "memory") 1))`;

describe.each(PLACEMENTS)('kernel: load, spawn, invoke (%s placement)', (placement) => {
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir() });
  let adder: ModuleHandle;
  let core: ModuleHandle;

  beforeAll(async () => {
    adder = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'), { name: 'adder' });
    core = await kernel.load(await wat(CORE_WAT), { name: 'core' });
  });

  it('knows a component world: its exports with signatures and no imports', () => {
    expect(adder.kind).toBe('component');
    expect(adder.world.imports).toEqual([]);
    const iface = adder.world.exports.find((e) => e.name === 'docs:adder/add@0.1.0');
    expect(iface?.functions).toEqual([{ name: 'add', signature: 'func(x: u32, y: u32) -> u32' }]);
    expect(adder.world.exports.find((e) => e.name === 'shout')?.signature).toBe('func(s: string) -> string');
  });

  it('knows a core module world with signatures', () => {
    expect(core.kind).toBe('core');
    expect(core.world.exports.find((e) => e.name === 'mul64')?.signature).toBe('(i64, i64) -> i64');
  });

  it('invokes interface exports with or without the version, and world-level functions', async () => {
    const sandbox = await kernel.spawn(adder);
    expect((await sandbox.invoke('docs:adder/add#add', [2, 3])).value).toBe(5);
    expect((await sandbox.invoke('docs:adder/add@0.1.0#add', [40, 2])).value).toBe(42);
    expect(await sandbox.call('shout', 'keel')).toBe('Keel');
  });

  it('has a typed fast path that returns engine values', async () => {
    const sandbox = await kernel.spawn(adder);
    const add = sandbox.fn<(a: number, b: number) => number>('docs:adder/add#add');
    expect(add(20, 22)).toBe(42);
    const mul = (await kernel.spawn(core)).fn<(a: bigint, b: bigint) => bigint>('mul64');
    expect(mul(3n, 1n << 40n)).toBe(3n << 40n);
  });

  it('converts JSON arguments for core i64 parameters and renders big results as strings', async () => {
    const sandbox = await kernel.spawn(core);
    expect((await sandbox.invoke('mul64', [6, 7])).value).toBe(42);
    // 2^32 * 2^32 wraps to 0 in i64; decimal strings are accepted for 64-bit arguments.
    expect((await sandbox.invoke('mul64', ['4294967296', '4294967296'])).value).toBe(0);
    // 2^60 does not fit a double exactly: rendered as a decimal string.
    expect((await sandbox.invoke('mul64', [2 ** 30, 2 ** 30])).value).toBe('1152921504606846976');
    await expect(sandbox.invoke('mul64', [1.5, 2])).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('refuses a wrong number of arguments to a core export without poisoning the sandbox', async () => {
    const sandbox = await kernel.spawn(core);
    await expect(sandbox.invoke('add', [1])).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(sandbox.state).toBe('ready');
    expect(await sandbox.call('add', 1, 2)).toBe(3);
  });

  it('names the available exports when one is missing', async () => {
    const sandbox = await kernel.spawn(adder);
    const error = await sandbox.invoke('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toMatchObject({ code: 'no-such-target' });
    expect((error as KeelError).message).toContain('docs:adder/add@0.1.0#add');
  });

  it('turns unreachable into a trap with V8 reason and poisons the sandbox', async () => {
    const sandbox = await kernel.spawn(core);
    await expect(sandbox.invoke('boom')).rejects.toMatchObject({
      code: 'trap',
      message: expect.stringContaining('unreachable'),
    });
    expect(sandbox.state).toBe('poisoned');
    await expect(sandbox.invoke('add', [1, 2])).rejects.toMatchObject({ code: 'killed' });
  });

  it('turns division by zero into a trap with V8 reason', async () => {
    const sandbox = await kernel.spawn(core);
    await expect(sandbox.invoke('divide', [1, 0])).rejects.toMatchObject({
      code: 'trap',
      message: expect.stringContaining('divide by zero'),
    });
  });

  it('reports unbounded recursion as stack-overflow', async () => {
    const sandbox = await kernel.spawn(core);
    await expect(sandbox.invoke('recurse')).rejects.toMatchObject({ code: 'stack-overflow' });
  });

  it('a trap in one sandbox leaves the others working', async () => {
    const a = await kernel.spawn(core);
    const b = await kernel.spawn(core);
    await expect(a.invoke('boom')).rejects.toMatchObject({ code: 'trap' });
    expect(await b.call('add', 2, 2)).toBe(4);
  });

  it('a component trap is a trap too', async () => {
    const sandbox = await kernel.spawn(adder);
    await expect(sandbox.invoke('boom')).rejects.toMatchObject({ code: 'trap' });
  });

  it('terminate kills the sandbox for good', async () => {
    const sandbox = await kernel.spawn(core);
    sandbox.terminate('test');
    expect(sandbox.state).toBe('killed');
    await expect(sandbox.invoke('add', [1, 1])).rejects.toMatchObject({ code: 'killed' });
    expect(kernel.sandboxes).not.toContain(sandbox);
  });

  it('emits invoke events with request ids', async () => {
    const seen: KeelEvent[] = [];
    const off = kernel.on('invoke:*', (e) => {
      seen.push(e);
    });
    const sandbox = await kernel.spawn(core);
    await sandbox.invoke('add', [1, 2]);
    off();
    expect(seen.map((e) => e.event)).toEqual(['invoke:start', 'invoke:end']);
    expect(seen[0]?.request).toMatch(/^req_\d+$/);
    expect(seen[1]?.request).toBe(seen[0]?.request);
    expect(seen[1]?.sandbox).toBe(sandbox.id);
  });
});

describe.each(PLACEMENTS)('kernel: mounts (%s placement)', (placement) => {
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir() });

  it('mounts several modules at one path and spawns the latest', async () => {
    const v1 = await kernel.load(await wat('(module (func (export "v") (result i32) (i32.const 1)))'), {
      name: 'v1',
    });
    const v2 = await kernel.load(await wat('(module (func (export "v") (result i32) (i32.const 2)))'), {
      name: 'v2',
    });
    kernel.mount('/mnt/tools/v', v1);
    kernel.mount('/mnt/tools/v', v2);
    expect(kernel.mounted('/mnt/tools/v')).toEqual([v1, v2]);
    expect(await (await kernel.spawn('/mnt/tools/v')).call('v')).toBe(2);
    kernel.unmount('/mnt/tools/v', v2);
    expect(await (await kernel.spawn('/mnt/tools/v')).call('v')).toBe(1);
    kernel.unmount('/mnt/tools/v');
    await expect(kernel.spawn('/mnt/tools/v')).rejects.toMatchObject({ code: 'no-such-target' });
  });

  it('refuses relative and dot-dot mount paths', async () => {
    const m = await kernel.load(await wat('(module)'));
    expect(() => kernel.mount('tools/x', m)).toThrow(/invalid mount path/);
    expect(() => kernel.mount('/mnt/../etc', m)).toThrow(/invalid mount path/);
  });
});
