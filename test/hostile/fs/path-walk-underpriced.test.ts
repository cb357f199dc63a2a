/**
 * Attack: open a path whose walk is long, in a loop. A path resolves one component at a time,
 * each directory on the way opened through `/proc/self/fd` (and closed), each symbolic link read
 * and its target spliced in; a path operation cost `fsPath` whatever its walk. `a/../` 127 times
 * then a missing name is 254 steps (37x compute per unit of fuel, load 7-9); 40 links, each
 * made by the guest to `a/../` 127 times (a target that stays in its directory, so it may), are
 * 5,080 directories opened for one `path_open` (about 130 ms of the kernel's thread: 731x). Each
 * step of a walk now costs `fsOperation` before its system calls (1.1-1.2x).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasiGrants } from '../../../bench/fuel/guests.js';
import { WALK_STEP_FUEL } from '../../../host/caps/fs/resolve.js';
import type { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

let kernel: Kernel;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-path-walk-'));
  kernel = floodKernel();
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 254 components that end where they started: 127 directories opened. */
const HOPS = 'a/../'.repeat(127);

/**
 * A command that makes directory `a` and link `l` (to `HOPS`) in its preopen (failing quietly
 * once they exist), then opens `path` n times.
 */
function command(path: string, n: number): string {
  return `(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "a")
  (data (i32.const 104) "l")
  (data (i32.const 4096) "${path}")
  (data (i32.const 16384) "${HOPS}")
  (func (export "_start") (local $i i32)
    (drop (call $mkdir (i32.const 3) (i32.const 100) (i32.const 1)))
    (drop (call $symlink (i32.const 16384) (i32.const ${HOPS.length}) (i32.const 3) (i32.const 104) (i32.const 1)))
    (loop $l
      (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 4096) (i32.const ${path.length}) (i32.const 0)
        (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 304)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n}))))))`;
}

/** Each walk: its path, opens a run, and the directories one open goes through. */
const WALKS: [string, string, number, number][] = [
  ['255 components', `${HOPS}none`, 20, 127],
  ['40 links of 254 components', `${'l/'.repeat(40)}none`, 2, 40 * 127],
];

describe('path walk underpriced', () => {
  for (const [name, path, n, opened] of WALKS) {
    it(`${name}: each step is charged, a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const module = await kernel.load(await wat(command(path, n), 'walk.wat'), { name: 'walk' });
      const sandbox = await kernel.spawn(module, { grants: wasiGrants(dir), io: { stdout: () => {} } });
      const run = () => sandbox.invokeSync('wasi:cli/run#run').fuel.used;
      expect(run()).toBeGreaterThanOrEqual(n * opened * WALK_STEP_FUEL);
      const before = heapUsed();
      const ratio = await fuelRatio(run);
      // Before: 37x and 731x (load 7-9).
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
      sandbox.terminate('done');
    }, 120_000);
  }
});
