/**
 * The SDK probe, one behaviour spec for every guest language (docs/sdk-probe.md): each
 * language's committed probe (guests/sdk-probe/<lang>/probe.wasm) is loaded into a real kernel
 * and must log, read its environment and a file, request and reply, publish and receive events,
 * use the host's resource and its own, round-trip every WIT type through the host and back,
 * and exit with a status.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeelError, Kernel, type Sandbox } from '../../host/index.js';
import { PROBE_LANGUAGES, probeGrants, probeTypes } from './probe-host.js';

/**
 * The committed probe, or a rebuild of it: `.ci/run` rebuilds the probes whose toolchain is not
 * reproducible (componentize-js) under KEEL_SDK_PROBES and runs this test on them.
 */
const probeFile = (lang: string) => {
  const rebuilt = process.env.KEEL_SDK_PROBES;
  const candidate = rebuilt ? join(rebuilt, 'guests', 'sdk-probe', lang, 'probe.wasm') : undefined;
  if (candidate && existsSync(candidate)) return candidate;
  return new URL(`../../guests/sdk-probe/${lang}/probe.wasm`, import.meta.url).pathname;
};
const built = PROBE_LANGUAGES.filter((lang) => existsSync(probeFile(lang)));

/**
 * componentize-js 0.18.5 (the JavaScript and TypeScript probes) loses two kinds of scalar in a
 * call's flat arguments (docs/sdk-js.md, "What componentize-js cannot do"): a u32 at or above
 * 2^31 and a negative s64. The edges test keeps them inside its reach for those probes; the
 * known-failure tests below hold the full edges, and start failing when the engine is fixed.
 */
const engineBound = (lang: string) => lang === 'js' || lang === 'ts';

let scratch: string;
/** The directory the probes are granted; the kernels' caches stay outside it (Keel refuses otherwise). */
let data: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-sdk-probe-'));
  data = join(scratch, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'note.txt'), 'a file for the probe');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('the C, Rust, JavaScript and TypeScript probes are committed', () => {
  expect(built).toEqual([...PROBE_LANGUAGES]);
});

describe.each(built)('the %s probe', (lang) => {
  let kernel: Kernel;
  let sandbox: Sandbox;
  let peer: Sandbox;
  const logs: string[] = [];
  const bytes = (text: string) => new TextEncoder().encode(text);
  const text = (value: unknown) => new TextDecoder().decode(new Uint8Array(value as ArrayLike<number>));
  const handle = async (command: string) =>
    text(await sandbox.call('keel:kernel/handler#handle', bytes(command)));

  const grants = () => probeGrants(data);

  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: join(scratch, `cache-${lang}`), providers: [probeTypes] });
    kernel.on('guest:log', (e) => {
      logs.push(`${e.sandbox} ${String(e.data?.message)}`);
    });
    const module = await kernel.load(probeFile(lang), { name: `probe-${lang}` });
    kernel.mount('/probe/a', module);
    kernel.mount('/probe/b', module);
    sandbox = await kernel.spawn('/probe/a', { grants: grants() });
    peer = await kernel.spawn('/probe/b', { grants: grants() });
  });
  afterAll(() => kernel.close());

  it('logs through keel:kernel/log', async () => {
    expect(await handle('log hello, log')).toBe('ok');
    expect(logs).toContain(`${sandbox.id} hello, log`);
  });

  it('reads its granted environment, and nothing else', async () => {
    expect(await handle('env PROBE_GREETING')).toBe('hello from the host');
    expect(await handle('env HOME')).toBe('(unset)');
  });

  it('reads and writes a file in its preopened directory', async () => {
    expect(await handle('read /data/note.txt')).toBe('a file for the probe');
    expect(await handle(`write /data/out-${lang}.txt written by ${lang}`)).toBe('ok');
    expect(readFileSync(join(data, `out-${lang}.txt`), 'utf8')).toBe(`written by ${lang}`);
  });

  it('knows its own id', async () => {
    expect(await handle('self')).toBe(sandbox.id);
  });

  it('requests, and the peer replies through the kernel', async () => {
    expect(await handle('request /probe/b ping')).toMatch(/^id=\d+$/);
    await kernel.sched.run();
    expect(logs).toContain(`${peer.id} msg ${sandbox.id} ping`);
    expect(logs).toContain(`${sandbox.id} reply ok echo ping`);
  });

  it('is refused a peer outside its grant, with the catalog code', async () => {
    expect(await handle('send /elsewhere hi')).toBe('err=capability-denied');
  });

  it('subscribes and publishes events', async () => {
    expect(await handle('subscribe probe.*')).toBe('ok');
    expect(await handle('publish probe.news extra')).toBe('ok');
    expect(await handle('publish keel.down spoof')).toMatch(/^err=(capability-denied|invalid-argument)$/);
    await kernel.sched.run();
    expect(logs).toContain(`${sandbox.id} event probe.news extra`);
  });

  it("uses the host's resource: constructor, method, static function, drop", async () => {
    expect(await handle('counter')).toBe('8 18');
  });

  // The guest implements the counter too (the world exports `types` with its resource): the host
  // constructs it, calls its methods and its static function, and drops it (docs/abi.md).
  it("the host constructs and calls the guest's own resource", async () => {
    const types = 'keel:sdk-probe/types';
    const counter = await sandbox.call(`${types}#[constructor]counter`, 5);
    expect(counter).toMatchObject({ resource: 'counter' });
    expect(await sandbox.call(`${types}#[method]counter.add`, counter, 3)).toBe(8);
    expect(await sandbox.call(`${types}#[method]counter.value`, counter)).toBe(8);
    // The typed fast path hands out `GuestResource`s; JSON names one by its handle.
    const make = sandbox.fn(`${types}#[constructor]counter`);
    const [a, b] = [make(5), make(10)];
    const merged = sandbox.fn(`${types}#[static]counter.merge`)(a, b);
    expect(sandbox.fn(`${types}#[method]counter.value`)(merged)).toBe(15);
    expect(
      await sandbox.call(`${types}#[method]counter.value`, { resource: 'counter', handle: merged.handle }),
    ).toBe(15);
    for (const r of [a, b, merged]) r[Symbol.dispose]();
    await expect(
      sandbox.call(`${types}#[method]counter.value`, { resource: 'counter', handle: merged.handle }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    // A JSON user drops a resource with `[resource-drop]`.
    await sandbox.call(`${types}#[resource-drop]counter`, counter);
    await expect(sandbox.call(`${types}#[method]counter.value`, counter)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });

  const scalars = {
    bool: true,
    s8: -128,
    u8: 255,
    s16: -32768,
    u16: 65535,
    s32: -2147483648,
    u32: 4294967295,
    s64: -9223372036854775808n,
    u64: 18446744073709551615n,
    f32: 1.5,
    f64: Math.PI,
    char: '🚀',
  };
  const echoScalars = () =>
    sandbox.fn<(v: typeof scalars) => typeof scalars>('keel:sdk-probe/types#echo-scalars');

  it('round-trips every scalar, at their edges', async () => {
    const edges = engineBound(lang) ? { ...scalars, u32: 2147483647, s64: 9223372036854775807n } : scalars;
    expect(echoScalars()(edges)).toEqual(edges);
    const zeros = { ...edges, bool: false, s8: 0, s64: 0n, u64: 0n, f32: -0, f64: Number.NaN, char: '\0' };
    expect(echoScalars()(zeros)).toEqual(zeros);
  });

  // What componentize-js 0.18.5 gets wrong (docs/sdk-js.md), pinned: each test fails when the
  // engine is fixed, and the edges above should then be restored for JavaScript.
  const engineOnly = engineBound(lang) ? it : it.skip;
  engineOnly('componentize-js: a u32 at or above 2^31 in flat arguments comes back wrong', async () => {
    const fresh = await kernel.spawn('/probe/b', { grants: grants() });
    const echo = fresh.fn<(v: typeof scalars) => typeof scalars>('keel:sdk-probe/types#echo-scalars');
    // The low 32 bits of the float64 encoding of 4294967295 (0x41EFFFFF_FFE00000).
    expect(echo({ ...scalars, s64: 0n, u32: 4294967295 }).u32).toBe(0xffe00000);
    expect(echo({ ...scalars, s64: 0n, u32: 2147483648 }).u32).not.toBe(2147483648);
  });
  engineOnly('componentize-js: a negative s64 in flat arguments ends the guest', async () => {
    const fresh = await kernel.spawn('/probe/b', { grants: grants() });
    const echo = fresh.fn<(v: typeof scalars) => typeof scalars>('keel:sdk-probe/types#echo-scalars');
    echo({ ...scalars, u32: 0, s64: -1n });
    expect(fresh.state).toBe('exited');
    expect(fresh.exitCode).toBe(1);
  });

  it('round-trips strings, lists and nested lists', async () => {
    const call = (name: string, v: unknown) =>
      sandbox.fn<(v: unknown) => unknown>(`keel:sdk-probe/types#${name}`)(v);
    expect(call('echo-string', 'héllo 🚀')).toBe('héllo 🚀');
    expect(call('echo-string', '')).toBe('');
    expect([...(call('echo-bytes', Uint8Array.of(0, 1, 255)) as Uint8Array)]).toEqual([0, 1, 255]);
    expect(call('echo-strings', ['a', '', 'ç'])).toEqual(['a', '', 'ç']);
    expect(call('echo-strings', [])).toEqual([]);
    expect(
      call('echo-points', [
        { x: 1, y: -2 },
        { x: 3, y: 4 },
      ]),
    ).toEqual([
      { x: 1, y: -2 },
      { x: 3, y: 4 },
    ]);
    const nested = call('echo-nested', [Uint32Array.of(1, 2), Uint32Array.of(), Uint32Array.of(4294967295)]);
    expect((nested as Uint32Array[]).map((l) => [...l])).toEqual([[1, 2], [], [4294967295]]);
  });

  it('round-trips variants, enums, flags, options, results and tuples', async () => {
    const call = (name: string, v: unknown) =>
      sandbox.fn<(v: unknown) => unknown>(`keel:sdk-probe/types#${name}`)(v);
    for (const shape of [
      { tag: 'circle', val: 2.5 },
      { tag: 'rect', val: { x: 7, y: 8 } },
      { tag: 'label', val: 'a label' },
      { tag: 'tagged', val: [9, 0.25] },
      { tag: 'empty' },
    ]) {
      expect(call('echo-shape', shape)).toEqual(shape);
    }
    for (const color of ['red', 'green', 'blue']) expect(call('echo-color', color)).toBe(color);
    const perms = { read: true, write: false, exec: true };
    expect(call('echo-perms', perms)).toEqual(perms);
    expect(call('echo-option', 'some')).toBe('some');
    expect(call('echo-option', undefined)).toBe(undefined);
    expect(call('echo-option-option', { tag: 'some', val: 5 })).toEqual({ tag: 'some', val: 5 });
    expect(call('echo-option-option', { tag: 'some', val: undefined })).toEqual({
      tag: 'some',
      val: undefined,
    });
    expect(call('echo-option-option', { tag: 'none' })).toEqual({ tag: 'none' });
    expect(call('echo-result', { tag: 'ok', val: 12345678901234n })).toBe(12345678901234n);
    expect(() => call('echo-result', { tag: 'err', val: 'bad' })).toThrow(
      expect.objectContaining({ payload: 'bad' }),
    );
    expect(call('echo-result-empty', { tag: 'ok' })).toBe(undefined);
    expect(call('echo-tuple', [true, 'two', 3.5])).toEqual([true, 'two', 3.5]);
  });

  it('spills seventeen flat parameters to memory, both ways', async () => {
    const many = sandbox.fn<(...a: unknown[]) => string>('keel:sdk-probe/types#echo-many');
    expect(many(...Array.from({ length: 16 }, (_, i) => i), 'the seventeenth')).toBe('the seventeenth');
  });

  it('exits with a status: the sandbox ends, the kernel goes on', async () => {
    const quitter = await kernel.spawn('/probe/b', { grants: grants() });
    const outcome = await quitter
      .invoke('keel:kernel/handler#handle', [bytes('exit 3')])
      .catch((error: unknown) => error);
    expect(outcome).not.toBeInstanceOf(KeelError);
    expect((outcome as { exit?: number }).exit).toBe(3);
    expect(quitter.exitCode).toBe(3);
    expect(quitter.state).toBe('exited');
    expect(await handle('self')).toBe(sandbox.id);
  });

  it('traps on a guest fault, typed as trap', async () => {
    const victim = await kernel.spawn('/probe/b', { grants: grants() });
    await expect(victim.invoke('keel:kernel/handler#handle', [bytes('trap')])).rejects.toMatchObject({
      code: 'trap',
    });
  });
});
