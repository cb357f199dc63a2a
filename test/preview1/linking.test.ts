/**
 * How a preview1 module is loaded and linked: natively (a core module against Keel's own
 * preview1 imports, metered like any core module), by grant (the WASI 0.2 interface names),
 * with the kernel's two denial modes; jco's adapter only when asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeelError, type KeelEvent, Kernel } from '../../host/index.js';
import { SHARED_CACHE } from '../caps/harness.js';
import { iovec, p1Guest, p1Source } from '../helpers/preview1.js';
import { wat } from '../helpers/wat.js';

let kernel: Kernel;
const events: KeelEvent[] = [];

beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
  kernel.on('*', (e) => {
    events.push(e);
  });
});
afterAll(() => kernel.close());

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeelError);
  return error as KeelError;
}

const HELLO = {
  imports: ['fd_write'],
  data: [
    [0, 'hello\\n'],
    [16, iovec(0, 6)],
  ] as [number, string][],
  body: '(call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))',
};

describe('loading', () => {
  it('loads a preview1 module as a core module with Keel’s preview1, compiled through the metering hook', async () => {
    const module = await kernel.load(await wat(p1Source(HELLO)));
    expect(module.kind).toBe('preview1');
    expect(module.preview1Abi).toBe('keel');
    expect(module.preview1).toBe('reactor');
    expect(module.coreModules).toHaveLength(1);
    const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdout'] });
    // Metered: the call used fuel (its own and the host call's price).
    sandbox.fn('run')();
    expect(sandbox.fuel().used).toBeGreaterThan(100);
  });

  it('recognizes the older wasi_unstable module too', async () => {
    const module = await kernel.load(
      await wat(p1Source({ imports: ['wasi_unstable.sched_yield'], body: '(call $u_sched_yield)' })),
    );
    expect(module.kind).toBe('preview1');
  });

  it('refuses at load a preview1 import with the wrong signature', async () => {
    const bytes = await wat(
      '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i64) (result i32))) (memory (export "memory") 1))',
    );
    const error = await failure(kernel.load(bytes));
    expect(error.code).toBe('invalid-module');
    expect(error.message).toContain('wasi_snapshot_preview1.fd_write is imported with type (i64) -> (i32)');
  });

  it('refuses at load a preview1 import that is not a function', async () => {
    const bytes = await wat('(module (import "wasi_snapshot_preview1" "memory" (memory 1)))');
    expect((await failure(kernel.load(bytes))).code).toBe('invalid-module');
  });

  it('wraps with jco’s adapter only when asked (KernelOptions.preview1 = adapter)', async () => {
    const own = new Kernel({ cacheDir: SHARED_CACHE, preview1: 'adapter' });
    try {
      const module = await own.load(await wat(p1Source(HELLO)));
      expect(module.preview1Abi).toBe('adapter');
      // A component: the module, the adapter and wit-component's shim and fixup modules.
      expect(module.coreModules.length).toBeGreaterThan(1);
    } finally {
      await own.close();
    }
  });
});

describe('linking by grant', () => {
  it('links descriptor functions without a grant: fd 1 exists only when stdout is granted', async () => {
    const granted = await p1Guest(kernel, { ...HELLO, grants: ['wasi:cli/stdout'] });
    expect(granted.run()).toBe(0);
    expect(granted.stdout()).toBe('hello\n');
    const bare = await p1Guest(kernel, HELLO);
    expect(bare.run()).toBe(8); // EBADF
    expect(bare.stdout()).toBe('');
  });

  it('fails the spawn, naming the preview1 import and the grant it needs', async () => {
    const error = await failure(
      p1Guest(kernel, {
        imports: ['environ_sizes_get'],
        body: '(call $environ_sizes_get (i32.const 0) (i32.const 4))',
      }),
    );
    expect(error.code).toBe('capability-denied');
    expect(error.message).toContain('wasi_snapshot_preview1.environ_sizes_get');
    expect(error.message).toContain('which needs wasi:cli/environment, not granted');
    // A library error names the grant, not a command-line flag: the CLI adds its own advice.
    expect(error.message).not.toContain('--');
    expect(error.details).toMatchObject({ interface: 'wasi:cli/environment', reason: 'not-granted' });
    expect(
      events.some(
        (e) =>
          e.event === 'capability:denied' && e.data?.import === 'wasi_snapshot_preview1.environ_sizes_get',
      ),
    ).toBe(true);
  });

  it('accepts either clock for clock_time_get, and answers ENOTCAPABLE for the other', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['clock_time_get'],
      grants: ['wasi:clocks/wall-clock'],
      body: `(i32.add
        (i32.mul (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 8)) (i32.const 100))
        (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))`,
    });
    expect(guest.run()).toBe(76); // realtime 0, monotonic ENOTCAPABLE
    expect(guest.u64(8)).toBeGreaterThan(1_700_000_000_000_000_000n);
  });

  it('with lazy denial, links and answers ENOTCAPABLE when called, never a trap', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['environ_sizes_get', 'random_get'],
      denial: 'call',
      body: '(i32.add (i32.mul (call $environ_sizes_get (i32.const 0) (i32.const 4)) (i32.const 100)) (call $random_get (i32.const 8) (i32.const 4)))',
    });
    expect(guest.run()).toBe(7676);
    expect(guest.sandbox.state).toBe('ready');
  });

  it('with lazy denial, an ungranted proc_exit fails the call with capability-denied', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['proc_exit'],
      denial: 'call',
      body: '(call $proc_exit (i32.const 3)) (i32.const 0)',
    });
    const error = await failure(guest.sandbox.invoke('run'));
    expect(error.code).toBe('capability-denied');
  });

  it('an unknown preview1 name is served by nothing: capability-denied at spawn', async () => {
    const bytes = await wat(
      '(module (import "wasi_snapshot_preview1" "fd_teleport" (func (param i32) (result i32))) (memory (export "memory") 1))',
    );
    const module = await kernel.load(bytes);
    const error = await failure(kernel.spawn(module));
    expect(error.code).toBe('capability-denied');
    expect(error.message).toContain('wasi_snapshot_preview1.fd_teleport');
  });

  it('one grant serves both ABIs: the same arguments through args_get as through wasi:cli/environment', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['args_sizes_get', 'args_get'],
      grants: [{ interface: 'wasi:cli/environment', scope: { args: ['prog', 'a1'] } }],
      body: `(drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
             (call $args_get (i32.const 16) (i32.const 64))`,
    });
    expect(guest.run()).toBe(0);
    expect([guest.u32(0), guest.u32(4)]).toEqual([2, 8]);
    expect([guest.u32(16), guest.u32(20)]).toEqual([64, 69]);
    expect(guest.text(64, 8)).toBe('prog\0a1\0');
  });
});
