/**
 * Attack: a million iovecs all pointing at the same 60 KiB of memory (for fd_write: 60 GB of
 * output from 8 MB of array; for fd_read: the same bytes read into again and again), and iovecs
 * that overlap the iovec array itself, so that a read would rewrite the array while the host
 * walks it. Keel reads and writes the first non-empty iovec only, as Wasmtime does (libc and
 * Rust loop for the rest), after reading the array: the output is 60 KiB, the read fills one
 * buffer, the array is read before anything is written, and the host's memory stays flat.
 * (The sandbox's `hostArgBytes` is raised to admit an 8 MB array: by default 1 MiB of iovecs is
 * the most one call may pass, iovec-count-past-host-arg-bytes.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const COUNT = 1_000_000;
const ARRAY = 65536; // the iovec array, 8 MB from here
const BUF = 1024;
const LEN = 60 * 1024;
const PAGES = Math.ceil((ARRAY + COUNT * 8) / 65536) + 1;

let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-overlap-'));
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

async function guest() {
  const g = await p1Guest(kernel, {
    imports: ['path_open', 'fd_write', 'fd_read', 'fd_seek'],
    pages: PAGES,
    limits: { memoryBytes: PAGES * 65536, hostArgBytes: 16 * 1024 * 1024 },
    data: [[64, 'f']],
    body: `(call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 1)
      (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 16))`,
    extra: `
      ;; n iovecs at ARRAY, each { buf, len }.
      (func (export "iovecs") (param $n i32) (param $buf i32) (param $len i32) (local $i i32)
        (loop $again
          (i32.store (i32.add (i32.const ${ARRAY}) (i32.shl (local.get $i) (i32.const 3))) (local.get $buf))
          (i32.store (i32.add (i32.const ${ARRAY + 4}) (i32.shl (local.get $i) (i32.const 3))) (local.get $len))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (local.get $n)))))
      (func (export "fill") (memory.fill (i32.const ${BUF}) (i32.const 120) (i32.const ${LEN})))
      (func (export "write") (param $n i32) (result i32) (call $fd_write (i32.const 4) (i32.const ${ARRAY}) (local.get $n) (i32.const 8)))
      (func (export "read") (param $n i32) (result i32) (call $fd_read (i32.const 4) (i32.const ${ARRAY}) (local.get $n) (i32.const 8)))
      (func (export "rewind") (result i32) (call $fd_seek (i32.const 4) (i64.const 0) (i32.const 0) (i32.const 24)))`,
    grants: [parseDirFlags([`${dir}::/d`])],
  });
  expect(g.run()).toBe(0);
  return g;
}

it('writes one buffer for a million iovecs on the same memory, with host memory flat', async () => {
  const g = await guest();
  const fn = <T>(name: string) => g.sandbox.fn<(...a: number[]) => T>(name);
  fn<void>('fill')();
  fn<void>('iovecs')(COUNT, BUF, LEN);
  const heap = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) {
    expect(fn<number>('write')(COUNT)).toBe(0);
    expect(g.u32(8)).toBe(LEN);
  }
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);
  expect(statSync(join(dir, 'f')).size).toBe(20 * LEN);
});

it('reads into the first iovec only, even one that overlaps the iovec array', async () => {
  writeFileSync(join(dir, 'f'), 'y'.repeat(LEN));
  const g = await guest();
  const fn = <T>(name: string) => g.sandbox.fn<(...a: number[]) => T>(name);
  // Every iovec points at the array itself: reading into the first rewrites the rest.
  fn<void>('iovecs')(COUNT, ARRAY, LEN);
  expect(fn<number>('read')(COUNT)).toBe(0);
  expect(g.u32(8)).toBe(LEN);
  // The array's first 60 KiB are now the file's bytes; past them, the iovecs are untouched.
  expect(g.text(ARRAY, 8)).toBe('yyyyyyyy');
  expect(g.u32(ARRAY + LEN)).toBe(ARRAY);
  expect(g.u32(ARRAY + LEN + 4)).toBe(LEN);
  // A second read: the (now rewritten) first iovec claims 'yyyy' (2 GB) at 'yyyy': outside
  // memory, a trap before anything is read.
  expect(fn<number>('rewind')()).toBe(0);
  expect(() => fn<number>('read')(COUNT)).toThrow(expect.objectContaining({ code: 'trap' }));
  expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('y'.repeat(LEN));
});
