/**
 * The edge cases a libc hides, in hand-written WAT: every pointer and length is checked (out of
 * bounds, overflowing, misaligned: a `trap`, as in Wasmtime, never EFAULT), undefined flag bits
 * and enum values are EINVAL, only the first non-empty iovec is used, results are written only
 * on success, and the older `wasi_unstable` has its own layouts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeelError, Kernel } from '../../host/index.js';
import { iovec, le32, le64, p1Guest } from '../helpers/preview1.js';

const E = { BADF: 8, INVAL: 28, NOTCAPABLE: 76 };
const STDOUT = ['wasi:cli/stdout'];

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());

async function trapOf(run: () => unknown): Promise<KeelError> {
  try {
    run();
  } catch (error) {
    return error as KeelError;
  }
  throw new Error('expected a trap');
}

describe('pointers and lengths', () => {
  const write = (iovs: number, count: number, result = 100) =>
    `(call $fd_write (i32.const 1) (i32.const ${iovs}) (i32.const ${count}) (i32.const ${result}))`;

  it('traps on an iovec array outside memory, never touching the host', async () => {
    const guest = await p1Guest(kernel, { imports: ['fd_write'], body: write(65536 - 4, 1), grants: STDOUT });
    const error = await trapOf(() => guest.run());
    expect(error.code).toBe('trap');
    expect(error.message).toContain('wasi_snapshot_preview1.fd_write');
    expect(guest.sandbox.state).toBe('poisoned');
    expect(guest.stdout()).toBe('');
  });

  it('traps on a buffer outside memory, and on one whose end overflows 2^32', async () => {
    for (const [buf, len] of [
      [65000, 1000],
      [0xffff_fff0, 0x20],
    ]) {
      const guest = await p1Guest(kernel, {
        imports: ['fd_write'],
        data: [[16, iovec(buf!, len!)]],
        body: write(16, 1),
        grants: STDOUT,
      });
      expect((await trapOf(() => guest.run())).code).toBe('trap');
    }
  });

  it('traps on a misaligned result pointer, after the write happened (results come last)', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      data: [
        [0, 'hi'],
        [16, iovec(0, 2)],
      ],
      body: write(16, 1, 101),
      grants: STDOUT,
    });
    expect((await trapOf(() => guest.run())).code).toBe('trap');
    expect(guest.stdout()).toBe('hi');
  });

  it('traps on a misaligned iovec array', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      data: [[18, iovec(0, 2)]],
      body: write(18, 1),
      grants: STDOUT,
    });
    expect((await trapOf(() => guest.run())).code).toBe('trap');
  });

  it('writes no result on failure: a bad result pointer with EBADF is EBADF, not a trap', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      body: '(call $fd_write (i32.const 9) (i32.const 0) (i32.const 0) (i32.const -1))',
    });
    expect(guest.run()).toBe(E.BADF);
  });

  it('is resource-limit past limits.hostArgBytes of iovec array in one call, before reading it', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      body: write(0, 0x0100_0001),
      grants: STDOUT,
    });
    expect(() => guest.run()).toThrow(expect.objectContaining({ code: 'resource-limit' }));
  });

  it('traps on every call when the module exports no memory', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['args_sizes_get'],
      noMemory: true,
      grants: ['wasi:cli/environment'],
      body: '(call $args_sizes_get (i32.const 0) (i32.const 4))',
    });
    const error = await trapOf(() => guest.run());
    expect(error.code).toBe('trap');
    expect(error.message).toContain('exports no memory');
  });

  it('traps when args_get writes outside memory', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['args_get'],
      grants: [{ interface: 'wasi:cli/environment', scope: { args: ['a-long-argument'] } }],
      body: '(call $args_get (i32.const 0) (i32.const 65530))',
    });
    expect((await trapOf(() => guest.run())).code).toBe('trap');
  });

  it('traps on a path outside memory, even for a call that would fail', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['path_open'],
      body: `(call $path_open (i32.const 3) (i32.const 0) (i32.const 65000) (i32.const 4096)
        (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))`,
    });
    expect((await trapOf(() => guest.run())).code).toBe('trap');
  });
});

describe('iovecs', () => {
  it('writes only the first non-empty iovec, as Wasmtime does (the guest loops for the rest)', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      data: [
        [0, 'abcdef'],
        [16, iovec(0, 0) + iovec(0, 3) + iovec(3, 3)],
      ],
      body: '(call $fd_write (i32.const 1) (i32.const 16) (i32.const 3) (i32.const 100))',
      grants: STDOUT,
    });
    expect(guest.run()).toBe(0);
    expect(guest.u32(100)).toBe(3);
    expect(guest.stdout()).toBe('abc');
  });

  it('checks the descriptor after the iovecs: a zero-length write to a bad descriptor is EBADF', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['fd_write'],
      body: '(call $fd_write (i32.const 12345) (i32.const 0) (i32.const 0) (i32.const 100))',
    });
    expect(guest.run()).toBe(E.BADF);
  });
});

describe('argument values', () => {
  const call = (body: string, imports: string[]) => p1Guest(kernel, { imports, body, grants: STDOUT });

  it.each([
    ['fd_fdstat_set_flags', '(call $fd_fdstat_set_flags (i32.const 1) (i32.const 0x20))'],
    [
      'path_open oflags',
      '(call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0x10) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64))',
    ],
    [
      'path_open rights',
      '(call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i64.const 0x40000000) (i64.const 0) (i32.const 0) (i32.const 64))',
    ],
    [
      'path_open lookupflags',
      '(call $path_open (i32.const 3) (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64))',
    ],
    ['fd_seek whence', '(call $fd_seek (i32.const 1) (i64.const 0) (i32.const 3) (i32.const 64))'],
    ['fd_advise advice', '(call $fd_advise (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 6))'],
    [
      'fd_filestat_set_times fstflags',
      '(call $fd_filestat_set_times (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0x10))',
    ],
    ['fd_fdstat_set_rights', '(call $fd_fdstat_set_rights (i32.const 1) (i64.const -1) (i64.const 0))'],
    ['proc_raise signal', '(call $proc_raise (i32.const 31))'],
    ['clock_time_get clock id', '(call $clock_time_get (i32.const 9) (i64.const 0) (i32.const 64))'],
  ])('%s: an undefined value is EINVAL, checked before the descriptor', async (_, body) => {
    const name = body.match(/\$(\w+)/)![1]!;
    const guest =
      name === 'clock_time_get'
        ? await p1Guest(kernel, { imports: [name], body, grants: ['wasi:clocks/*'] })
        : await call(body, [name]);
    expect(guest.run()).toBe(E.INVAL);
  });

  it('truncates a flags value to its width before checking it (as wiggle decodes)', async () => {
    // 0x10001 as a u16 `fdflags` is APPEND.
    const guest = await call('(call $fd_fdstat_set_flags (i32.const 1) (i32.const 0x10001))', [
      'fd_fdstat_set_flags',
    ]);
    expect(guest.run()).toBe(E.BADF);
  });
});

describe('poll_oneoff', () => {
  const sub = (userdata: bigint, tag: number, payload: string) =>
    `${le64(userdata)}\\${tag.toString(16).padStart(2, '0')}${'\\00'.repeat(7)}${payload}`;
  const clock = (id: number, timeout: bigint, flags = 0) =>
    le32(id) + '\\00'.repeat(4) + le64(timeout) + le64(0n) + le32(flags) + '\\00'.repeat(4);

  it('is EINVAL with no subscription, and for an unknown event type', async () => {
    const none = await p1Guest(kernel, {
      imports: ['poll_oneoff'],
      body: '(call $poll_oneoff (i32.const 0) (i32.const 256) (i32.const 0) (i32.const 512))',
    });
    expect(none.run()).toBe(E.INVAL);
    const unknown = await p1Guest(kernel, {
      imports: ['poll_oneoff'],
      data: [[0, sub(1n, 3, clock(1, 0n))]],
      body: '(call $poll_oneoff (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 512))',
    });
    expect(unknown.run()).toBe(E.INVAL);
  });

  it('reports an ungranted clock in the event (ENOTCAPABLE), at once', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['poll_oneoff'],
      data: [[0, sub(99n, 0, clock(1, 10_000_000_000n))]],
      body: '(call $poll_oneoff (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 512))',
    });
    const started = performance.now();
    expect(guest.run()).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(guest.u32(512)).toBe(1);
    expect(guest.u64(256)).toBe(99n);
    expect(guest.u16(264)).toBe(E.NOTCAPABLE);
    expect(guest.u8(266)).toBe(0);
  });

  it('returns the expired clocks only, in order, with an absolute deadline already past', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['poll_oneoff'],
      grants: ['wasi:clocks/*'],
      data: [
        [
          0,
          sub(1n, 0, clock(1, 60_000_000_000n)) + sub(2n, 0, clock(1, 0n, 1)) + sub(3n, 0, clock(0, 0n, 1)),
        ],
      ],
      body: '(call $poll_oneoff (i32.const 0) (i32.const 256) (i32.const 3) (i32.const 512))',
    });
    expect(guest.run()).toBe(0);
    expect(guest.u32(512)).toBe(2);
    expect([guest.u64(256), guest.u64(288)]).toEqual([2n, 3n]);
  });

  it('traps on subscriptions outside memory', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['poll_oneoff'],
      body: '(call $poll_oneoff (i32.const 65520) (i32.const 0) (i32.const 1) (i32.const 512))',
    });
    expect((await trapOf(() => guest.run())).code).toBe('trap');
  });
});

describe('proc_exit', () => {
  it('traps on a status past 125, as Wasmtime refuses it', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['proc_exit'],
      grants: ['wasi:cli/exit'],
      body: '(call $proc_exit (i32.const 126)) (i32.const 0)',
    });
    const error = await trapOf(() => guest.run());
    expect(error.code).toBe('trap');
    expect(error.message).toContain('outside of [0..126)');
  });

  it('ends the sandbox with the status, never the host', async () => {
    const guest = await p1Guest(kernel, {
      imports: ['proc_exit'],
      grants: ['wasi:cli/exit'],
      body: '(call $proc_exit (i32.const 125)) (i32.const 0)',
    });
    const outcome = await guest.sandbox.invoke('run');
    expect(outcome.exit).toBe(125);
    expect(guest.sandbox.state).toBe('exited');
  });
});

describe('wasi_unstable (snapshot 0)', () => {
  it('has its own whence values (cur 0, end 1, set 2)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { parseDirFlags } = await import('../../host/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'keel-p1-unstable-'));
    try {
      writeFileSync(join(dir, 'f'), '0123456789');
      const guest = await p1Guest(kernel, {
        imports: ['wasi_unstable.path_open', 'wasi_unstable.fd_seek', 'wasi_unstable.fd_filestat_get'],
        grants: [parseDirFlags([`${dir}::/d`])],
        data: [[0, 'f']],
        body: `
          (drop (call $u_path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
            (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
          (drop (call $u_fd_seek (i32.load (i32.const 64)) (i64.const 4) (i32.const 2) (i32.const 128)))
          (drop (call $u_fd_seek (i32.load (i32.const 64)) (i64.const 1) (i32.const 0) (i32.const 136)))
          (drop (call $u_fd_seek (i32.load (i32.const 64)) (i64.const -2) (i32.const 1) (i32.const 144)))
          (call $u_fd_filestat_get (i32.load (i32.const 64)) (i32.const 256))`,
      });
      expect(guest.run()).toBe(0);
      expect([guest.u64(128), guest.u64(136), guest.u64(144)]).toEqual([4n, 5n, 8n]);
      // snapshot 0's filestat: nlink is a u32 at 20, size a u64 at 24.
      expect(guest.u8(256 + 16)).toBe(4);
      expect(guest.u32(256 + 20)).toBe(1);
      expect(guest.u64(256 + 24)).toBe(10n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads clock subscriptions with their identifier field', async () => {
    const sub =
      le64(5n) +
      '\\00' +
      '\\00'.repeat(7) +
      le64(77n) +
      le32(1) +
      '\\00'.repeat(4) +
      le64(0n) +
      le64(0n) +
      le32(0) +
      '\\00'.repeat(4);
    const guest = await p1Guest(kernel, {
      imports: ['wasi_unstable.poll_oneoff'],
      grants: ['wasi:clocks/*'],
      data: [[0, sub]],
      body: '(call $u_poll_oneoff (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 512))',
    });
    expect(guest.run()).toBe(0);
    expect(guest.u32(512)).toBe(1);
    expect(guest.u64(256)).toBe(5n);
  });
});
