/**
 * Attack: hand every path function a path of 16 MiB (inside the guest's memory) and one whose
 * length runs past memory or past 2^32. A host that decodes first and checks after copies and
 * decodes megabytes per call. Keel checks the range (outside memory: a trap, as in Wasmtime),
 * then refuses anything over 4096 bytes with ENAMETOOLONG before a byte is decoded or charged
 * beyond the check; the host's memory stays flat over many calls.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KeelError } from '../../../host/index.js';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const E = { NAMETOOLONG: 37 };
const HUGE = 16 * 1024 * 1024;
const PAGES = HUGE / 65536 + 1;
const P = 65536; // the path's first byte: memory is filled with 'a' from here (memory.fill)

/** Each path function with `$p`/`$n` as its path (both paths for symlink, link and rename). */
const CALLS: Record<string, string> = {
  path_open:
    '(call $path_open (i32.const 3) (i32.const 0) (local.get $p) (local.get $n) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))',
  path_create_directory: '(call $path_create_directory (i32.const 3) (local.get $p) (local.get $n))',
  path_remove_directory: '(call $path_remove_directory (i32.const 3) (local.get $p) (local.get $n))',
  path_unlink_file: '(call $path_unlink_file (i32.const 3) (local.get $p) (local.get $n))',
  path_filestat_get:
    '(call $path_filestat_get (i32.const 3) (i32.const 0) (local.get $p) (local.get $n) (i32.const 0))',
  path_filestat_set_times:
    '(call $path_filestat_set_times (i32.const 3) (i32.const 0) (local.get $p) (local.get $n) (i64.const 0) (i64.const 0) (i32.const 0))',
  path_readlink:
    '(call $path_readlink (i32.const 3) (local.get $p) (local.get $n) (i32.const 0) (i32.const 64) (i32.const 64))',
  path_symlink:
    '(call $path_symlink (local.get $p) (local.get $n) (i32.const 3) (local.get $p) (local.get $n))',
  path_link:
    '(call $path_link (i32.const 3) (i32.const 0) (local.get $p) (local.get $n) (i32.const 3) (local.get $p) (local.get $n))',
  path_rename:
    '(call $path_rename (i32.const 3) (local.get $p) (local.get $n) (i32.const 3) (local.get $p) (local.get $n))',
};

let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-longpath-'));
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

async function guest() {
  const names = Object.keys(CALLS);
  return p1Guest(kernel, {
    imports: names,
    pages: PAGES,
    limits: { memoryBytes: PAGES * 65536 },
    body: '(i32.const 0)',
    extra: `
      (func (export "fill") (memory.fill (i32.const ${P}) (i32.const 97) (i32.const ${HUGE})))
      ${names.map((name) => `(func (export "${name}") (param $p i32) (param $n i32) (result i32) ${CALLS[name]})`).join('\n')}`,
    grants: [parseDirFlags([`${dir}::/d:rw+links`])],
  });
}

it('answers ENAMETOOLONG to a 16 MiB path in every path function, with host memory flat', async () => {
  const g = await guest();
  g.sandbox.fn('fill')();
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (const name of Object.keys(CALLS)) {
    const call = g.sandbox.fn<(p: number, n: number) => number>(name);
    for (let i = 0; i < 50; i++) expect(call(P, HUGE), name).toBe(E.NAMETOOLONG);
    // One byte over the limit too.
    expect(call(P, 4097), name).toBe(E.NAMETOOLONG);
  }
  expect(performance.now() - started).toBeLessThan(15_000);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);
  expect(readdirSync(dir)).toEqual([]);
  expect(g.sandbox.state).not.toBe('poisoned');
});

it('traps on a path that runs past memory or past 2^32, creating nothing', async () => {
  for (const [p, n] of [
    [P, 0x7fff_ffff],
    [0xffff_fff0, 0x20],
    [P, 0xffff_ffff],
  ]) {
    const g = await guest();
    let error: KeelError | undefined;
    try {
      g.sandbox.fn<(p: number, n: number) => number>('path_create_directory')(p!, n!);
    } catch (e) {
      error = e as KeelError;
    }
    expect(error?.code, `${p} + ${n}`).toBe('trap');
  }
  expect(readdirSync(dir)).toEqual([]);
});
