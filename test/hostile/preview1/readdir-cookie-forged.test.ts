/**
 * Attack: `fd_readdir` with forged cookies: past the end, 2^63, 2^64 - 1, a cookie never handed
 * out, on a directory never listed from 0, and 20,000 calls with scattered cookies. A cookie is
 * an index into the listing: anything past the end lists nothing (0 bytes), anything before it
 * lists from there; never a trap, never an out-of-range read in the host, and the directory is
 * listed once, not per call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { p1Guest } from '../../helpers/preview1.js';

const FILES = 50;
const EXTRA = `
  (func (export "readdir") (param $cookie i64) (result i32)
    (call $fd_readdir (i32.const 3) (i32.const 1024) (i32.const 4096) (local.get $cookie) (i32.const 100)))
  (func (export "used") (result i32) (i32.load (i32.const 100)))
  ;; n calls with cookies spread over the whole u64 range (a multiplicative sequence).
  (func (export "scatter") (param $n i32) (result i32) (local $c i64) (local $e i32)
    (loop $again
      (local.set $c (i64.add (i64.mul (local.get $c) (i64.const 0x5851f42d4c957f2d)) (i64.const 0x14057b7ef767814f)))
      (local.set $e (call $fd_readdir (i32.const 3) (i32.const 1024) (i32.const 4096) (local.get $c) (i32.const 100)))
      (if (local.get $e) (then (return (local.get $e))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))
    (i32.const 0))`;

let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-cookies-'));
  mkdirSync(join(dir, 'd'));
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, 'd', `f${i}`), '');
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

it('lists nothing past the end and from the cookie before it, whatever the cookie', async () => {
  const guest = await p1Guest(kernel, {
    imports: ['fd_readdir'],
    body: '(i32.const 0)',
    extra: EXTRA,
    grants: [parseDirFlags([`${join(dir, 'd')}::/d`])],
  });
  const readdir = guest.sandbox.fn<(cookie: bigint) => number>('readdir');
  const used = () => guest.u32(100);
  const cookieAt = (ptr: number) => guest.u64(ptr);

  // A forged cookie before any listing from 0: listed, from that index.
  expect(readdir(40n)).toBe(0);
  expect(used()).toBeGreaterThan(0);
  expect(cookieAt(1024)).toBe(41n);
  for (const cookie of [
    BigInt(FILES + 2),
    BigInt(FILES + 3),
    1n << 32n,
    1n << 63n,
    -1n,
    0x7fff_ffff_ffff_ffffn,
  ]) {
    expect(readdir(cookie), `${cookie}`).toBe(0);
    expect(used(), `${cookie}`).toBe(0);
  }
  // The last entry alone.
  expect(readdir(BigInt(FILES + 1))).toBe(0);
  expect(cookieAt(1024)).toBe(BigInt(FILES + 2));

  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  expect(guest.sandbox.fn<(n: number) => number>('scatter')(20_000)).toBe(0);
  expect(performance.now() - started).toBeLessThan(15_000);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);
  expect(guest.sandbox.state).not.toBe('poisoned');
});
