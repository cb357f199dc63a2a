/**
 * Attack: open a directory as many times as the descriptor quota allows and start a listing on
 * each (`fd_readdir` from cookie 0 into a small buffer), never reading on. Each descriptor kept
 * its whole listing (an object, the name's bytes and an inode for every entry: about 270 bytes
 * of host heap an entry) until it was closed: 255 listings of a 1,000-entry directory held
 * 68 MB, of the 10,000 files a guest may create 685 MB; here 200 of 400 entries, 21.9 MB
 * (1.0 MB now). A sandbox now keeps at most `KEPT_LISTINGS` listings, its most recent ones; a
 * descriptor whose listing was dropped lists its directory again when the guest reads on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wasiGrants } from '../../../bench/fuel/guests.js';
import { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { heapUsed } from '../events/guests.js';

const ENTRIES = 400;
const OPENS = 200;
let kernel: Kernel;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-readdir-held-'));
  for (let i = 0; i < ENTRIES; i++) writeFileSync(join(dir, `f${i}`), '');
  kernel = new Kernel({ cacheDir: false, limits: { fuel: 1e12, deadlineMs: 120_000 } });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

// hold(n): open "." of the preopen (fd 3) as a directory n times, list 64 bytes of each from
// cookie 0, keep every descriptor; answers the last fd_readdir's errno. list(fd, cookie): read
// on from `cookie`, 64 bytes, answers the bytes used.
const WAT = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) ".")
  (func (export "hold") (param $n i32) (result i32) (local $i i32) (local $rc i32)
    (loop $l
      (local.set $rc (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 2)
        (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 16)))
      (if (local.get $rc) (then (return (i32.add (i32.const 1000) (local.get $rc)))))
      (local.set $rc (call $readdir (i32.load (i32.const 16)) (i32.const 1024) (i32.const 64) (i64.const 0) (i32.const 20)))
      (if (local.get $rc) (then (return (local.get $rc))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.const 0))
  (func (export "list") (param $fd i32) (param $cookie i64) (result i32)
    (drop (call $readdir (local.get $fd) (i32.const 1024) (i32.const 64) (local.get $cookie) (i32.const 20)))
    (i32.load (i32.const 20))))`;

it(`${OPENS} listings started and left hold at most a few of them`, async () => {
  const module = await kernel.load(await wat(WAT, 'readdir-held.wat'), { name: 'readdir-held' });
  const sandbox = await kernel.spawn(module, { grants: wasiGrants(dir) });
  const before = heapUsed();
  expect((await sandbox.invoke('hold', [OPENS])).value).toBe(0);
  const held = heapUsed() - before;
  console.log(`${OPENS} listings of ${ENTRIES} entries: ${(held / 1e6).toFixed(1)} MB held`);
  // Before: 21.9 MB.
  expect(held).toBeLessThan(8 * 1024 * 1024);
  // The first descriptor's listing was dropped: it is listed again as the guest reads on.
  expect((await sandbox.invoke('list', [4, 3n])).value).toBe(64);
  sandbox.terminate('done');
}, 120_000);
