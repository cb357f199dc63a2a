import { describe, expect, it } from 'vitest';
import { type KeelEvent, Kernel } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

describe('component worlds as WIT spells them', () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });

  it('lists inline interface exports with their functions and WIT signatures', async () => {
    const types = await kernel.load(root('guests/as/types/types.wasm'));
    const numbers = types.world.exports.find((e) => e.name === 'numbers');
    expect(numbers?.kind).toBe('interface');
    expect(numbers?.functions?.find((f) => f.name === 'add-u8')).toEqual({
      name: 'add-u8',
      signature: 'func(a: u8, b: u8) -> u8',
    });
    const text = types.world.exports.find((e) => e.name === 'keel:types/text@0.1.0');
    expect(text?.functions?.map((f) => f.name)).toEqual(['upper', 'char-count']);
  });

  it('names exports in kebab case, and every listed name can be invoked', async () => {
    const types = await kernel.load(root('guests/as/types/types.wasm'));
    const sandbox = await kernel.spawn(types);
    const names = sandbox.exportNames();
    expect(names).toEqual(
      expect.arrayContaining(['count-true', 'numbers#add-u8', 'keel:types/text@0.1.0#char-count']),
    );
    expect(names.some((n) => /[A-Z]/.test(n))).toBe(false);
    expect(await sandbox.call('numbers#add-u8', 200, 100)).toBe(44);
    expect(await sandbox.call('keel:types/text#char-count', 'héllo')).toBe(5);
    expect(await sandbox.call('count-true', [true, false, true])).toBe(2);
    expect(await sandbox.call('widen', [1, 2])).toEqual([4_294_967_296, 8_589_934_592]);
    expect(await sandbox.call('numbers#mul-s64', '4294967296', 2)).toBe(8589934592);
  });

  it('stamps the current request id on events the guest causes during an invocation', async () => {
    const hello = await kernel.load(root('guests/as/hello/hello.wasm'));
    const sandbox = await kernel.spawn(hello, { grants: ['keel:kernel/log'] });
    const events: KeelEvent[] = [];
    const off = kernel.on('*', (e) => {
      events.push(e);
    });
    await sandbox.invoke('greet', ['Keel']);
    off();
    const start = events.find((e) => e.event === 'invoke:start');
    const log = events.find((e) => e.event === 'guest:log');
    expect(log?.request).toBeDefined();
    expect(log?.request).toBe(start?.request);
  });
});
