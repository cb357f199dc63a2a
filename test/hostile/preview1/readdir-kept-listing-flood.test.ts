/**
 * Attack: list a directory of 10,000 entries once (from cookie 0: each entry charged as it is
 * listed), then ask `fd_readdir` again and again from cookie 2 with a buffer that holds them
 * all. The listing is kept while the guest reads on, so each later call wrote every entry out
 * again (a header made and copied, a name copied: 0.3-0.4 us each) at the price of a call and a
 * stat: 1.4 s of the kernel's thread for 5.25 million fuel, 674x compute per unit of fuel (load
 * 20). Each entry written out now costs `DIRENT_BYTES` and its bytes, before it is written
 * (1.85x at load 22).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wasiGrants } from '../../../bench/fuel/guests.js';
import { DIRENT_BYTES } from '../../../host/caps/preview1/fd.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const ENTRIES = 10_000;
/** Calls a run, each from cookie 2 into a buffer that holds every entry (about 30 bytes each). */
const CALLS = 50;
let kernel: Kernel;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-readdir-kept-'));
  for (let i = 0; i < ENTRIES; i++) writeFileSync(join(dir, `f${i}`), '');
  kernel = floodKernel();
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

const WAT = `(module
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 8)
  (func (export "list") (result i32)
    (call $readdir (i32.const 3) (i32.const 65536) (i32.const 400000) (i64.const 0) (i32.const 16)))
  (func (export "_start") (local $i i32)
    (loop $l
      (drop (call $readdir (i32.const 3) (i32.const 65536) (i32.const 400000) (i64.const 2) (i32.const 16)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${CALLS}))))))`;

it(`readdir kept listing flood: each entry written out is charged, a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
  const module = await kernel.load(await wat(WAT, 'readdir-kept.wat'), { name: 'readdir-kept' });
  const sandbox = await kernel.spawn(module, { grants: wasiGrants(dir), io: { stdout: () => {} } });
  sandbox.invokeSync('list');
  const run = () => sandbox.invokeSync('wasi:cli/run#run').fuel.used;
  expect(run()).toBeGreaterThanOrEqual(CALLS * ENTRIES * DIRENT_BYTES * DEFAULT_HOST_COSTS.byte);
  const before = heapUsed();
  const ratio = await fuelRatio(run);
  // Before: 674x (load 20).
  expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
  expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
  sandbox.terminate('done');
}, 120_000);
