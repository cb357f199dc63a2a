/**
 * Resources a component defines, from the host: constructors, methods, static functions, own
 * and borrow handles, destructors, and the handle tables' rules (a moved resource is spent, a
 * dropped one is gone, the guest's destructor runs once).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type ModuleHandle } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../helpers/components.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const IFACE = 'test:res/counters';

describe('resources a component defines', () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  let module: ModuleHandle;
  beforeAll(async () => {
    module = await kernel.load(
      await componentFromWat(fixture('counters.wat'), fixture('counters.wit'), 'res'),
    );
  });

  it('shows them in the world with WIT signatures', () => {
    const iface = module.world.exports.find((e) => e.name === IFACE);
    expect(iface?.functions).toEqual([
      { name: '[constructor]counter', signature: 'func(start: u32) -> counter' },
      { name: '[method]counter.add', signature: 'func(self: borrow<counter>, n: u32) -> u32' },
      { name: '[static]counter.merge', signature: 'func(a: borrow<counter>, b: counter) -> counter' },
      { name: 'total', signature: 'func(c: borrow<counter>) -> u32' },
    ]);
  });

  it('constructs, calls, moves and drops them through the fast path', async () => {
    const sandbox = await kernel.spawn(module);
    const make = sandbox.fn(`${IFACE}#[constructor]counter`);
    const add = sandbox.fn(`${IFACE}#[method]counter.add`);
    const merge = sandbox.fn(`${IFACE}#[static]counter.merge`);
    const total = sandbox.fn(`${IFACE}#total`);
    const drops = sandbox.fn('drops');
    const a = make(5);
    expect(a).toMatchObject({ resource: 'counter', handle: 1 });
    expect(add(a, 3)).toBe(8);
    expect(total(a)).toBe(8);
    const b = make(10);
    // `b` moves into the guest (own), which drops it: its destructor runs.
    const c = merge(a, b);
    expect(total(c)).toBe(18);
    expect(drops()).toBe(1);
    expect(() => add(b, 1)).toThrow(/argument 1 \(self: borrow<counter>\).*dropped or moved/);
    c[Symbol.dispose]();
    c[Symbol.dispose]();
    expect(drops()).toBe(2);
    expect(() => total(c)).toThrow(/dropped or moved/);
    // A resource belongs to its sandbox: another one refuses it.
    const other = await kernel.spawn(module);
    expect(() => other.fn(`${IFACE}#total`)(a)).toThrow(/belongs to another sandbox/);
    expect(sandbox.state).toBe('ready');
  });

  it('names held resources by handle in JSON, and drops them with [resource-drop]', async () => {
    const sandbox = await kernel.spawn(module);
    const { value } = await sandbox.invoke(`${IFACE}#[constructor]counter`, [7]);
    expect(value).toEqual({ resource: 'counter', handle: 1 });
    expect((await sandbox.invoke(`${IFACE}#[method]counter.add`, [value, 1])).value).toBe(8);
    await sandbox.invoke(`${IFACE}#[resource-drop]counter`, [value]);
    expect((await sandbox.invoke('drops')).value).toBe(1);
    await expect(sandbox.invoke(`${IFACE}#total`, [value])).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/no counter resource with handle 1 is held/),
    });
    await expect(sandbox.invoke(`${IFACE}#total`, [{ resource: 'counter' }])).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});
