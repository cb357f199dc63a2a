/**
 * Attack: `descriptor.set-times` with a `datetime` of 2^64 - 1 seconds and 2^32 - 1 nanoseconds
 * (a u32 the guest chooses; WASI's datetime has fewer than 10^9). Stored, the time was 2^64 + 3
 * seconds, and the next `stat` returned a value that does not fit its u64: the call ended as
 * `internal` (the host's own error code, at the guest's will) and poisoned the sandbox. Now such
 * a timestamp is WASI's `invalid` (as `utimensat` says EINVAL), on an in-memory preopen and on a
 * host directory; a time with fewer than 10^9 nanoseconds is stored and read back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { hostileComponent } from '../abi/support.js';

// f(nanos): set-times (access: no-change; modification: 2^64 - 1 seconds and `nanos`), then
// stat; returns set-times' result tag * 1000 + its error code * 10 + stat's result tag.
const WIT = `world w {
  import wasi:filesystem/types@0.2.3;
  import wasi:filesystem/preopens@0.2.3;
  export f: func(nanos: u32) -> u32;
}
package wasi:clocks@0.2.3 { interface wall-clock { record datetime { seconds: u64, nanoseconds: u32 } } }
package wasi:filesystem@0.2.3 {
  interface types {
    use wasi:clocks/wall-clock@0.2.3.{datetime};
    type filesize = u64;
    enum descriptor-type { unknown, block-device, character-device, directory, fifo, symbolic-link, regular-file, socket }
    type link-count = u64;
    record descriptor-stat {
      %type: descriptor-type, link-count: link-count, size: filesize,
      data-access-timestamp: option<datetime>, data-modification-timestamp: option<datetime>, status-change-timestamp: option<datetime>,
    }
    variant new-timestamp { no-change, now, timestamp(datetime) }
    enum error-code { access, would-block, already, bad-descriptor, busy, deadlock, quota, exist, file-too-large, illegal-byte-sequence, in-progress, interrupted, invalid, io, is-directory, loop, too-many-links, message-size, name-too-long, no-device, no-entry, no-lock, insufficient-memory, insufficient-space, not-directory, not-empty, not-recoverable, unsupported, no-tty, no-such-device, overflow, not-permitted, pipe, read-only, invalid-seek, text-file-busy, cross-device }
    resource descriptor {
      set-times: func(data-access-timestamp: new-timestamp, data-modification-timestamp: new-timestamp) -> result<_, error-code>;
      stat: func() -> result<descriptor-stat, error-code>;
    }
  }
  interface preopens { use types.{descriptor}; get-directories: func() -> list<tuple<descriptor, string>>; }
}`;

const CORE = `
  (import "wasi:filesystem/preopens@0.2.3" "get-directories" (func $dirs (param i32)))
  (import "wasi:filesystem/types@0.2.3" "[method]descriptor.set-times" (func $set (param i32 i32 i64 i32 i32 i64 i32 i32)))
  (import "wasi:filesystem/types@0.2.3" "[method]descriptor.stat" (func $stat (param i32 i32)))
  (global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "f") (param $nanos i32) (result i32) (local $d i32)
    (call $dirs (i32.const 100))
    (local.set $d (i32.load (i32.load (i32.const 100))))
    (call $set (local.get $d) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 2) (i64.const -1) (local.get $nanos) (i32.const 200))
    (call $stat (local.get $d) (i32.const 304))
    (i32.add (i32.add (i32.mul (i32.load8_u (i32.const 200)) (i32.const 1000))
      (i32.mul (i32.load8_u (i32.const 201)) (i32.const 10))) (i32.load8_u (i32.const 304))))`;

const dir = mkdtempSync(join(tmpdir(), 'keel-set-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const INVALID = 12; // wasi:filesystem/types#error-code's `invalid`

for (const [backend, preopen] of [
  ['an in-memory preopen', { guest: '/tmp' }],
  ['a host directory', { guest: '/d', host: dir, dirPerms: 'read-write', filePerms: 'read-write' }],
] as const) {
  it(`fs-set-times-overflow: 2^32 - 1 nanoseconds is invalid on ${backend}, not internal`, async () => {
    const kernel = new Kernel({ cacheDir: false });
    try {
      const module = await kernel.load(await hostileComponent(CORE, WIT), { name: 'times' });
      const grants = [{ interface: 'wasi:filesystem/*', scope: { preopens: [preopen] } }];
      const sandbox = await kernel.spawn(module, { grants });
      expect(await sandbox.call('f', 0xffffffff)).toBe(1000 + INVALID * 10);
      expect(sandbox.state).toBe('ready');
      if (backend === 'an in-memory preopen') {
        // Both ok (the error code's byte is then whatever the last call left there).
        const both = (await sandbox.call('f', 999_999_999)) as number;
        expect([Math.floor(both / 1000), both % 10]).toEqual([0, 0]);
      }
    } finally {
      await kernel.close();
    }
  });
}
