/**
 * preview1's process functions (arguments, environment, clocks, randomness, exit, yield,
 * signals, sockets) and `poll_oneoff`, against Wasmtime's preview1, on the C probe
 * (guests/c/p1probe): each function and each errno case.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { probe, script } from '../helpers/preview1.js';

const E = { BADF: 8, INVAL: 28, NOTSOCK: 57, NOTSUP: 58, NOTCAPABLE: 76 };

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());

const run = (text: string, options: Parameters<typeof probe>[2] = {}) =>
  probe(kernel, script(text), options).then((r) => r.lines);

describe('args_get / args_sizes_get / environ_get / environ_sizes_get', () => {
  it('give exactly the granted arguments and variables, NUL-terminated', async () => {
    const lines = await run('args environ', { env: { A: '1', EMPTY: '' } });
    // argv: the probe's name and its script; sizes count the NULs.
    expect(lines[0]).toBe('args: e=0 count=3 size=21 p1probe args environ');
    expect(lines[1]).toBe('environ: e=0 count=2 size=11 A=1 EMPTY=');
  });
});

describe('clock_res_get / clock_time_get', () => {
  it('reads the realtime and monotonic clocks; CPU-time clocks are EBADF, unknown ids EINVAL', async () => {
    const lines = await run('clock 0 clock 1 clock 2 clock 3 clock 4');
    expect(lines).toEqual([
      'clock: res=0:1 time=0 later=yes',
      'clock: res=0:1 time=0 later=yes',
      `clock: res=${E.BADF}:0 time=${E.BADF} later=yes`,
      `clock: res=${E.BADF}:0 time=${E.BADF} later=yes`,
      `clock: res=${E.INVAL}:0 time=${E.INVAL} later=yes`,
    ]);
  });

  it('answers ENOTCAPABLE for a clock that was not granted (the other one was)', async () => {
    const lines = await run('clock 0 clock 1', { clocks: ['wasi:clocks/monotonic-clock'] });
    expect(lines[0]).toBe(`clock: res=${E.NOTCAPABLE}:0 time=${E.NOTCAPABLE} later=yes`);
    expect(lines[1]).toBe('clock: res=0:1 time=0 later=yes');
  });
});

describe('random_get', () => {
  it('fills the buffer', async () => {
    expect(await run('random 1024 random 0')).toEqual(['random: e=0 nonzero=yes', 'random: e=0 nonzero=no']);
  });
});

describe('proc_exit / proc_raise / sched_yield', () => {
  it('exits with the status as an outcome (the host process lives on); raising a signal is ENOTSUP', async () => {
    const result = await probe(kernel, script('yield raise 2 raise 200 exit 42 yield'));
    expect(result.lines).toEqual(['yield: e=0', `raise: e=${E.NOTSUP}`, `raise: e=${E.INVAL}`, 'exit: ']);
    expect(result.exit).toBe(42);
  });
});

describe('sock_accept / sock_recv / sock_send / sock_shutdown', () => {
  it('are refused with an errno, never a trap: EBADF for no descriptor, ENOTSOCK for any other', async () => {
    const lines = await run(`
      sock_accept 1 sock_recv 0 sock_send 2 sock_shutdown 1 1 sock_shutdown 1 7
      sock_accept 9 sock_recv 9 sock_send 9 sock_shutdown 9 1
    `);
    expect(lines).toEqual([
      `sock_accept: e=${E.NOTSOCK}`,
      `sock_recv: e=${E.NOTSOCK}`,
      `sock_send: e=${E.NOTSOCK}`,
      `sock_shutdown: e=${E.NOTSOCK}`,
      `sock_shutdown: e=${E.INVAL}`,
      `sock_accept: e=${E.BADF}`,
      `sock_recv: e=${E.BADF}`,
      `sock_send: e=${E.BADF}`,
      `sock_shutdown: e=${E.BADF}`,
    ]);
  });
});

describe('poll_oneoff', () => {
  it('sleeps on a relative clock and reports the clock event (virtual time: no real wait)', async () => {
    const own = new Kernel({ cacheDir: false, deterministic: { seed: 1 } });
    try {
      const started = performance.now();
      const lines = await probe(own, script('sleep 1 5000000000 sleep 0 1000000000 sleep 2 1')).then(
        (r) => r.lines,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(lines).toEqual([
        'sleep: e=0 n=1 userdata=42 error=0 type=0 waited=yes',
        'sleep: e=0 n=1 userdata=42 error=0 type=0 waited=yes',
        expect.stringMatching(new RegExp(`^sleep: e=${E.INVAL} n=0 userdata=0 error=0 type=0 `)),
      ]);
    } finally {
      await own.close();
    }
  });

  it('waits for real on the monotonic clock', async () => {
    const started = performance.now();
    const lines = await run('sleep 1 30000000');
    expect(lines).toEqual(['sleep: e=0 n=1 userdata=42 error=0 type=0 waited=yes']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('reports descriptors ready: stdin to read, stdout to write, a file (with hang-up at its end)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-p1-poll-'));
    try {
      writeFileSync(join(dir, 'f'), 'x');
      const lines = await run(
        `pollfd 1 0 pollfd 2 1 pollfd 2 2
         open 3 0 f 0 2 0 pollfd 1 4 read 4 1 pollfd 1 4
         pollfd 2 4 pollfd 1 1 pollfd 1 3 pollfd 1 99`,
        { dir, stdin: new TextEncoder().encode('in') },
      );
      const ev = (type: number, flags = 0) =>
        `pollfd: e=0 n=1 userdata=7 error=0 type=${type} nbytes=1 flags=${flags}`;
      const bad = `pollfd: e=${E.BADF} n=0 userdata=0 error=0 type=0 nbytes=0 flags=0`;
      expect(lines).toEqual([
        ev(1),
        ev(2),
        ev(2),
        'open: e=0 fd=4',
        ev(1),
        'read: e=0 n=1 x',
        ev(1, 1),
        // A file opened read-only cannot be polled for writing; stdout not for reading.
        bad,
        bad,
        bad,
        bad,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
