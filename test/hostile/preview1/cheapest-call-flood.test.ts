/**
 * Attack: find the preview1 call that costs the host most per unit of fuel and call it in a
 * loop: the calls that do least (`sched_yield`, a clock, a write of no iovecs), the ones that
 * fail (a write to a descriptor that is not open, `poll_oneoff` of no subscriptions, a denied
 * `random_get`), and the cheap ones with a real cost behind them (16 random bytes took 6–8 µs
 * of the host's CPU for 111 fuel: 870x compute; a 16-byte write to stdout 1.3–1.9 µs for 114).
 * Every call costs `call` and its work is priced where it is done, so a unit of fuel costs the
 * host at most 10 times what compute does (bench/results/fuel-latest.json), its heap bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../../bench/fuel/guests.js';
import type { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

let kernel: Kernel;
beforeAll(() => {
  kernel = floodKernel();
});
afterAll(() => kernel.close());

// [op, length, calls per run, granted: false for a lazily denied call]
const FLOODS: [string, string, number, number, boolean?][] = [
  ['sched_yield', 'yield', 0, 20_000],
  ['clock_time_get', 'clock', 0, 20_000],
  ['fd_write with no iovecs', 'no-iovecs', 0, 20_000],
  ['fd_write of 16 bytes to stdout', 'stdout', 16, 5_000],
  ['fd_write to a descriptor not open (EBADF)', 'bad-fd', 16, 20_000],
  ['poll_oneoff of no subscriptions (EINVAL)', 'poll-none', 0, 20_000],
  ['random_get of 0 bytes', 'random', 0, 20_000],
  ['random_get of 16 bytes', 'random', 16, 5_000],
  ['random_get without the grant (ENOTCAPABLE)', 'random', 16, 20_000, false],
];

describe('cheapest preview1 call flood', () => {
  for (const [name, op, len, n, granted] of FLOODS) {
    it(`${name}: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const module = await kernel.load(await wat(command(op, n, len), `${op}.wat`), { name: op });
      const sandbox = await kernel.spawn(module, {
        grants: ['wasi:cli/*', 'wasi:clocks/*', ...(granted === false ? [] : ['wasi:random/*'])],
        denial: 'call',
        io: { stdout: () => {} },
      });
      const before = heapUsed();
      const ratio = await fuelRatio(() => sandbox.invokeSync('wasi:cli/run#run').fuel.used);
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
      sandbox.terminate('done');
    });
  }
});
