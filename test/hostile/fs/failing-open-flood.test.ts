/**
 * Attack: open a file that does not exist, in a loop. Each `path_open` resolves the path against
 * the preopen and asks the system (24–30 µs of the host's CPU on this machine), and failed at
 * the price of a call (117 fuel: 1,600x compute per unit); an open and close of a file that
 * exists, and writes of nothing to it, likewise. A filesystem operation is charged where it is
 * done, failing or not (`fsPath` for one that resolves a path, `fsOperation` otherwise), so a
 * unit of fuel costs the host at most 10 times what compute does (bench/results/fuel-latest.json).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, wasiGrants } from '../../../bench/fuel/guests.js';
import type { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

let kernel: Kernel;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-open-flood-'));
  writeFileSync(join(dir, 'f.bin'), Buffer.alloc(4096, 7));
  kernel = floodKernel();
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

const FLOODS: [string, string, number, number][] = [
  ['path_open of a missing file (ENOENT)', 'file-missing', 0, 500],
  ['path_open and fd_close of a file', 'file-open', 0, 500],
  ['fd_write of nothing to a file', 'file-write', 0, 1_000],
];

describe('failing open flood', () => {
  for (const [name, op, len, n] of FLOODS) {
    it(`${name}: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const module = await kernel.load(await wat(command(op, n, len), `${op}.wat`), { name: op });
      const sandbox = await kernel.spawn(module, { grants: wasiGrants(dir), io: { stdout: () => {} } });
      const before = heapUsed();
      const ratio = await fuelRatio(() => sandbox.invokeSync('wasi:cli/run#run').fuel.used);
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
      sandbox.terminate('done');
    });
  }
});
