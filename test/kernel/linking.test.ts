import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, type KeelEvent, Kernel } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

const SECRET_WAT = `(module
  (import "env" "read_secret" (func $read (result i32)))
  (func (export "peek") (result i32) (call $read))
  (func (export "safe") (result i32) (i32.const 7)))`;

/** An embedder-supplied provider for a core import. */
const secrets: CapabilityProvider = {
  name: 'secrets',
  interfaces: [],
  coreImports: ['env.read_secret'],
  link: ({ scope }) => ({ read_secret: () => (scope as { value?: number } | undefined)?.value ?? 42 }),
};

function recorder(kernel: Kernel) {
  const events: KeelEvent[] = [];
  kernel.on('*', (e) => {
    events.push(e);
  });
  return events;
}

describe('linking: deny by default', () => {
  it('fails the spawn with capability-denied naming an ungranted core import', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [secrets] });
    const events = recorder(kernel);
    const module = await kernel.load(await wat(SECRET_WAT), { name: 'secret' });
    await expect(kernel.spawn(module)).rejects.toMatchObject({
      code: 'capability-denied',
      message: expect.stringContaining('env.read_secret'),
      details: { import: 'env.read_secret' },
    });
    expect(events.some((e) => e.event === 'capability:denied' && e.data?.import === 'env.read_secret')).toBe(
      true,
    );
  });

  it('denies an import that no provider serves even when it is granted', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(SECRET_WAT));
    await expect(kernel.spawn(module, { grants: ['env.read_secret'] })).rejects.toMatchObject({
      code: 'capability-denied',
      message: expect.stringContaining('no capability provider'),
    });
  });

  it('links a granted core import to its provider, with the grant scope', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [secrets] });
    const module = await kernel.load(await wat(SECRET_WAT));
    const sandbox = await kernel.spawn(module, {
      grants: [{ interface: 'env.read_secret', scope: { value: 9 } }],
    });
    expect(await sandbox.call('peek')).toBe(9);
  });

  it('matches family grants (env.*)', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [secrets] });
    const module = await kernel.load(await wat(SECRET_WAT));
    expect(await (await kernel.spawn(module, { grants: ['env.*'] })).call('peek')).toBe(42);
  });

  it('with lazy denial, links the import and fails only the call that uses it', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [secrets], denial: 'call' });
    const events = recorder(kernel);
    const module = await kernel.load(await wat(SECRET_WAT));
    const sandbox = await kernel.spawn(module);
    expect(await sandbox.call('safe')).toBe(7);
    await expect(sandbox.invoke('peek')).rejects.toMatchObject({
      code: 'capability-denied',
      details: { import: 'env.read_secret' },
    });
    expect(events.filter((e) => e.event === 'capability:denied').map((e) => e.data?.at)).toContain('call');
  });

  it('links each core import interface once, however often and in whatever order the module imports it', async () => {
    const links: string[] = [];
    const counter: CapabilityProvider = {
      name: 'counter',
      interfaces: [],
      coreImports: ['env.a', 'env.b'],
      link: ({ interface: iface }) => {
        links.push(iface);
        return iface === 'env.a' ? { a: () => 1 } : { b: () => 2 };
      },
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [counter] });
    // Wasm allows the same import twice: a, b, a again, b again.
    const module = await kernel.load(
      await wat(`(module
        (import "env" "a" (func $a1 (result i32)))
        (import "env" "b" (func $b1 (result i32)))
        (import "env" "a" (func $a2 (result i32)))
        (import "env" "b" (func $b2 (result i32)))
        (func (export "sum") (result i32)
          (i32.add (i32.add (call $a1) (call $b1)) (i32.add (call $a2) (call $b2)))))`),
    );
    const sandbox = await kernel.spawn(module, { grants: ['env.a', 'env.b'] });
    expect(sandbox.fn('sum')()).toBe(6);
    expect(links).toEqual(['env.a', 'env.b']);
    await kernel.close();
  });

  it('refuses a malformed grant name', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat('(module)'));
    await expect(kernel.spawn(module, { grants: ['not a grant'] })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});

describe('linking: approval hooks decide, the kernel enforces', () => {
  it('a hook can grant what the spawn did not, and every decision is an event', async () => {
    const kernel = new Kernel({
      cacheDir: tempCacheDir(),
      providers: [secrets],
      approval: (request) =>
        request.interface === 'env.read_secret'
          ? { decision: 'grant', scope: { value: 5 } }
          : { decision: 'deny' },
    });
    const events = recorder(kernel);
    const module = await kernel.load(await wat(SECRET_WAT));
    const sandbox = await kernel.spawn(module);
    expect(await sandbox.call('peek')).toBe(5);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['approval:required', 'approval:granted', 'capability:granted']),
    );
  });

  it('a hook can narrow the proposed scope', async () => {
    const kernel = new Kernel({
      cacheDir: tempCacheDir(),
      providers: [secrets],
      approval: (request) => {
        expect(request.proposed).toEqual({ interface: 'env.read_secret', scope: { value: 100 } });
        return { decision: 'grant', scope: { value: 1 } };
      },
    });
    const module = await kernel.load(await wat(SECRET_WAT));
    const sandbox = await kernel.spawn(module, {
      grants: [{ interface: 'env.read_secret', scope: { value: 100 } }],
    });
    expect(await sandbox.call('peek')).toBe(1);
  });

  it('a hook can refuse what the spawn granted', async () => {
    const kernel = new Kernel({
      cacheDir: tempCacheDir(),
      providers: [secrets],
      approval: async () => ({ decision: 'deny', reason: 'not during business hours' }),
    });
    const events = recorder(kernel);
    const module = await kernel.load(await wat(SECRET_WAT));
    await expect(kernel.spawn(module, { grants: ['env.read_secret'] })).rejects.toMatchObject({
      code: 'capability-denied',
      message: expect.stringContaining('not during business hours'),
    });
    expect(events.some((e) => e.event === 'approval:denied')).toBe(true);
  });
});
