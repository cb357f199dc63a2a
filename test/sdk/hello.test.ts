/**
 * The AssemblyScript hello guest (guests/as/hello), run through the real kernel: strings and
 * lists across the canonical ABI, the log, the abort path and deny-by-default linking.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeelError, type KeelEvent, Kernel, type ModuleHandle } from '../../host/index.js';

const HELLO = new URL('../../guests/as/hello/hello.wasm', import.meta.url).pathname;

let cacheDir: string;
let kernel: Kernel;
let hello: ModuleHandle;
const logs: KeelEvent[] = [];

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'keel-sdk-hello-'));
  kernel = new Kernel({ cacheDir });
  kernel.on('guest:log', (event) => {
    logs.push(event);
  });
  hello = await kernel.load(HELLO);
});

afterAll(async () => {
  await kernel.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function spawn() {
  return kernel.spawn(hello, { grants: ['keel:kernel/log'] });
}

describe('AssemblyScript hello guest', () => {
  it('is a component whose world imports keel:kernel/log@0.1.0 and exports the WIT functions', () => {
    expect(hello.kind).toBe('component');
    expect(hello.world.imports.map((i) => i.name)).toEqual(['keel:kernel/log@0.1.0']);
    expect(hello.world.exports.map((e) => e.name).sort()).toEqual(
      ['fail', 'greet', 'reverse', 'shout', 'sum', 'words'].sort(),
    );
    const greet = hello.world.exports.find((e) => e.name === 'greet');
    expect(greet?.signature).toBe('func(name: string) -> string');
  });

  it('greets: a string in, a string out', async () => {
    const sandbox = await spawn();
    const outcome = await sandbox.invoke('greet', ['Keel']);
    expect(outcome.value).toBe('Hello, Keel!');
    expect(outcome.exit).toBeUndefined();
  });

  it('keeps unicode intact both ways (accents, CJK, emoji outside the BMP, the empty string)', async () => {
    const sandbox = await spawn();
    for (const name of ['', 'é', 'Zoë Ångström', '日本語', '🚀🦀', 'a\u0000b', 'x'.repeat(100_000)]) {
      expect(await sandbox.call('greet', name)).toBe(`Hello, ${name}!`);
    }
  });

  it('turns a lone surrogate into U+FFFD (WIT strings are Unicode scalar values)', async () => {
    const sandbox = await spawn();
    expect(await sandbox.call('greet', 'a\uD800b')).toBe('Hello, a\uFFFDb!');
  });

  it('round-trips lists of scalars', async () => {
    const sandbox = await spawn();
    expect(await sandbox.call('sum', Int32Array.of(1, 2, 3))).toBe(6);
    expect(await sandbox.call('sum', Int32Array.of(2_147_483_647, 2_147_483_647, 2))).toBe(4_294_967_296);
    expect(await sandbox.call('sum', Int32Array.of(-5, -7))).toBe(-12);
    expect(await sandbox.call('sum', new Int32Array(0))).toBe(0);
    expect(await sandbox.call('reverse', Float64Array.of(1.5, -2, 3e300))).toEqual([3e300, -2, 1.5]);
    expect(await sandbox.call('reverse', new Float64Array(0))).toEqual([]);
    const big = Int32Array.from({ length: 50_000 }, (_, i) => i);
    expect(await sandbox.call('sum', big)).toBe((50_000 * 49_999) / 2);
  });

  it('round-trips lists of strings', async () => {
    const sandbox = await spawn();
    expect(await sandbox.call('words', '  the quick\tbrown\n fox  ')).toEqual([
      'the',
      'quick',
      'brown',
      'fox',
    ]);
    expect(await sandbox.call('words', '')).toEqual([]);
    expect(await sandbox.call('words', 'élan 日本 🚀')).toEqual(['élan', '日本', '🚀']);
    const many = Array.from({ length: 2_000 }, (_, i) => `w${i}`);
    expect(await sandbox.call('words', many.join(' '))).toEqual(many);
  });

  it('serves thousands of string and list calls on one sandbox', async () => {
    const sandbox = await spawn();
    const greet = sandbox.fn<(name: string) => string>('greet');
    const words = sandbox.fn<(text: string) => string[]>('words');
    const name = 'n'.repeat(1_000);
    for (let i = 0; i < 5_000; i++) {
      greet(name);
      words('a bb ccc dddd');
    }
    expect(greet('end')).toBe('Hello, end!');
  });

  it('logs through keel:kernel/log as guest:log events with the level and message', async () => {
    const sandbox = await spawn();
    logs.length = 0;
    await sandbox.invoke('greet', ['Ada']);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      event: 'guest:log',
      level: 'info',
      sandbox: sandbox.id,
      module: 'hello',
      data: { message: 'greeted Ada' },
    });
    logs.length = 0;
    const levels = ['trace', 'debug', 'info', 'warn', 'error'];
    for (let level = 0; level < levels.length; level++) await sandbox.call('shout', level, `at ${level} ✓`);
    expect(logs.map((e) => [e.level, e.data?.message])).toEqual(levels.map((l, i) => [l, `at ${i} ✓`]));
  });

  it('honours a log grant scoped to a minimum level', async () => {
    const sandbox = await kernel.spawn(hello, {
      grants: [{ interface: 'keel:kernel/log', scope: { level: 'warn' } }],
    });
    logs.length = 0;
    await sandbox.call('shout', 2, 'info is dropped');
    await sandbox.call('shout', 3, 'warn is kept');
    expect(logs.map((e) => e.data?.message)).toEqual(['warn is kept']);
  });

  it('reports an AssemblyScript abort as a logged error and a trap that ends the sandbox', async () => {
    const sandbox = await spawn();
    logs.length = 0;
    const failure = await sandbox.invoke('fail', ['boom']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KeelError);
    expect(failure).toMatchObject({ code: 'trap', details: { reason: 'unreachable' } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'error' });
    expect(logs[0]!.data?.message).toMatch(/^abort: boom at guests\/as\/hello\/index\.ts:\d+:\d+$/);
    expect(sandbox.state).toBe('poisoned');
  });

  it('fails the spawn with capability-denied naming keel:kernel/log when the log is not granted', async () => {
    const failure = await kernel.spawn(hello).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KeelError);
    expect((failure as KeelError).code).toBe('capability-denied');
    expect((failure as KeelError).message).toContain('keel:kernel/log');
    expect((failure as KeelError).details).toMatchObject({ import: 'keel:kernel/log@0.1.0' });
  });

  it('keeps two sandboxes of the module apart', async () => {
    const a = await spawn();
    const b = await spawn();
    logs.length = 0;
    await a.call('greet', 'A');
    await b.call('greet', 'B');
    expect(logs.map((e) => [e.sandbox, e.data?.message])).toEqual([
      [a.id, 'greeted A'],
      [b.id, 'greeted B'],
    ]);
  });

  // jco 1.12's glue lowers list<s32>/list<f64>/list<u8> from typed arrays only; invoke
  // converts JSON arrays by the parameter types.
  it('accepts JSON arrays for numeric lists through invoke', async () => {
    const sandbox = await spawn();
    expect(await sandbox.call('sum', [1, 2, 3])).toBe(6);
    expect(await sandbox.call('reverse', [1.5, 2.5])).toEqual([2.5, 1.5]);
  });
});
