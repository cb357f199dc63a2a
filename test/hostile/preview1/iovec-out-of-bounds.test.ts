/**
 * Attack: iovec arrays and lengths that do not fit: a count whose array would pass 4 GiB, a
 * count that runs the array off the end of memory after thousands of empty iovecs, an iovec
 * whose buffer runs past memory, wraps past 2^32 or claims 4 GiB, through every call that takes
 * iovecs (fd_write, fd_pwrite, fd_read, fd_pread). Each is `resource-limit` (an array over
 * `limits.hostArgBytes`, before it is read) or a trap (outside memory); the host writes and
 * reads nothing and its memory stays flat.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KeelError } from '../../../host/index.js';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { iovec, p1Guest } from '../../helpers/preview1.js';

const FILE_FD = 4;
/** `[iovs, count]` for each call: fd 4 is a file opened read-write. */
const CALLS: Record<string, string> = {
  fd_write: '(call $fd_write (i32.const 4) (local.get $iovs) (local.get $n) (i32.const 8))',
  fd_pwrite: '(call $fd_pwrite (i32.const 4) (local.get $iovs) (local.get $n) (i64.const 0) (i32.const 8))',
  fd_read: '(call $fd_read (i32.const 4) (local.get $iovs) (local.get $n) (i32.const 8))',
  fd_pread: '(call $fd_pread (i32.const 4) (local.get $iovs) (local.get $n) (i64.const 0) (i32.const 8))',
};

let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-iovec-'));
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

async function guest(data: [number, string][] = []) {
  writeFileSync(join(dir, 'f'), 'original');
  const g = await p1Guest(kernel, {
    imports: ['path_open', ...Object.keys(CALLS)],
    pages: 2,
    data: [[64, 'f'], ...data],
    // Open "f" read-write (rights FD_READ | FD_WRITE) into fd 4.
    body: `(call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 0)
      (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 16))`,
    extra: Object.entries(CALLS)
      .map(
        ([name, call]) => `(func (export "${name}") (param $iovs i32) (param $n i32) (result i32) ${call})`,
      )
      .join('\n'),
    grants: [parseDirFlags([`${dir}::/d`])],
  });
  expect(g.run()).toBe(0);
  expect(g.u32(16)).toBe(FILE_FD);
  return g;
}

function outcome(
  g: Awaited<ReturnType<typeof guest>>,
  name: string,
  iovs: number,
  n: number,
): number | string {
  try {
    return g.sandbox.fn<(iovs: number, n: number) => number>(name)(iovs, n);
  } catch (error) {
    return (error as KeelError).code;
  }
}

it('is resource-limit for an array over limits.hostArgBytes, and a trap for a 4 GiB buffer, before reading them', async () => {
  const heap = process.memoryUsage().heapUsed;
  for (const name of Object.keys(CALLS)) {
    for (const n of [0xffff_ffff, 0x2000_0000, 16 * 1024 * 1024 + 1]) {
      const g = await guest();
      expect(outcome(g, name, 1024, n), `${name} ${n}`).toBe('resource-limit');
      expect(g.sandbox.state).toBe('poisoned');
    }
    const g = await guest([[32, iovec(1024, 0xffff_ffff)]]);
    expect(outcome(g, name, 32, 1), `${name} a 4 GiB buffer`).toBe('trap');
  }
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(16 * 1024 * 1024);
  expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('original');
});

it('traps on an array that runs off memory after empty iovecs, and on buffers outside memory', async () => {
  for (const name of Object.keys(CALLS)) {
    // 16,000 empty iovecs fill the second page; the array goes on past the end.
    expect(outcome(await guest(), name, 65536, 16_384 + 1), name).toBe('trap');
    // A buffer that runs past memory, one that wraps past 2^32, one that starts past memory.
    for (const [buf, len] of [
      [131072 - 4, 8],
      [0xffff_fff0, 0x20],
      [0x8000_0000, 1],
    ]) {
      const g = await guest([[32, iovec(buf!, len!)]]);
      expect(outcome(g, name, 32, 1), `${name} ${buf} ${len}`).toBe('trap');
      expect(g.sandbox.state).toBe('poisoned');
    }
  }
  expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('original');
});
