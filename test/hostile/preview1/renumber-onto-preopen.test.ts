/**
 * Attack: `fd_renumber` aimed where it should not go: onto the preopen (fd 3), onto and from
 * descriptor numbers far out of range, and thousands of renumbers in a row to leak the host
 * descriptors they replace. Both numbers must be open (else EBADF, never a trap); renumbering onto
 * the preopen closes it (docs/preview1.md) and the file now at fd 3 gives no path authority
 * (ENOTDIR) and is no preopen (EBADF); every replaced descriptor is closed in the host.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const E = { BADF: 8, NOTDIR: 54 };
const OPEN = `(call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 1) (i32.const 0)
  (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100))`;
const EXTRA = `
  (func $open (export "open") (result i32) ${OPEN})
  (func (export "opened") (result i32) (i32.load (i32.const 100)))
  (func (export "renumber") (param i32 i32) (result i32) (call $fd_renumber (local.get 0) (local.get 1)))
  (func (export "prestat") (param i32) (result i32) (call $fd_prestat_get (local.get 0) (i32.const 300)))
  ;; Open the file into fd 5 and renumber it onto fd 4, n times: each round replaces fd 4.
  (func (export "churn") (param $n i32) (result i32) (local $e i32)
    (loop $again
      (local.set $e (call $open))
      (if (local.get $e) (then (return (local.get $e))))
      (local.set $e (call $fd_renumber (i32.load (i32.const 100)) (i32.const 4)))
      (if (local.get $e) (then (return (local.get $e))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))
    (i32.const 0))`;

let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-renumber-'));
  writeFileSync(join(dir, 'f'), 'f');
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

const hostDescriptors = () => readdirSync('/proc/self/fd').length;

it('refuses out-of-range numbers, closes what it replaces, and a renumbered preopen gives no authority', async () => {
  const guest = await p1Guest(kernel, {
    imports: ['path_open', 'fd_renumber', 'fd_prestat_get'],
    data: [[200, 'f']],
    body: OPEN,
    extra: EXTRA,
    grants: [parseDirFlags([`${dir}::/d`])],
  });
  const call = <T>(name: string, ...args: number[]) => guest.sandbox.fn<(...a: number[]) => T>(name)(...args);
  expect(guest.run()).toBe(0);
  expect(call('opened')).toBe(4);
  for (const [from, to] of [
    [4, 0xffff_ffff],
    [0xffff_ffff, 4],
    [4, 0x7fff_ffff],
    [4, 5],
    [99, 3],
    [4, 0],
  ]) {
    expect(call('renumber', from!, to!), `${from} -> ${to}`).toBe(E.BADF);
  }
  expect(call('renumber', 4, 4)).toBe(0);

  // Thousands of renumbers: the host's descriptors do not pile up.
  const before = hostDescriptors();
  const heap = process.memoryUsage().heapUsed;
  expect(call('churn', 5_000)).toBe(0);
  expect(hostDescriptors() - before).toBeLessThan(16);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);

  // Onto the preopen: it is closed and replaced by the file.
  expect(call('renumber', 4, 3)).toBe(0);
  expect(call('open')).toBe(E.NOTDIR);
  expect(call('prestat', 3)).toBe(E.BADF);
  expect(call('renumber', 3, 3)).toBe(0);
  expect(guest.sandbox.state).not.toBe('poisoned');
});
