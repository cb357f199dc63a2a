/**
 * Attack: buy the host's randomness below its cost. A guest asks for random bytes in requests of
 * 4 KiB or more, through preview1's `random_get` and WASI 0.2's `get-random-bytes` and
 * `get-insecure-random-bytes`, with real entropy or seeded (deterministic mode). Before, a unit of
 * fuel spent there cost the host 12-18x compute (19-22x seeded): each request above 256 bytes
 * made a fresh buffer (its page faults cost more than the bytes) and called the system's
 * generator (about 4 µs a call whatever its size), preview1 copied it into the guest again, and
 * the seeded generator ran on BigInts (5.5 ns a byte). Now the bytes are made in the guest's
 * memory (preview1) or in one reused buffer, requests up to 4 KiB come from a pool, the seeded
 * generator runs on 32-bit halves, and `randomByte` prices what is left: a unit of fuel costs
 * the host at most 10x compute, measured as the other floods are (the least of up to three
 * measures: noise on a loaded machine only adds time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomCommand, randomComponent } from '../../../bench/fuel/guests.js';
import type { Kernel, ModuleHandle } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const MODES: [string, Kernel | undefined][] = [
  ['real entropy', undefined],
  ['deterministic (seeded)', undefined],
];
let component: Uint8Array;
beforeAll(async () => {
  MODES[0]![1] = floodKernel();
  MODES[1]![1] = floodKernel({ deterministic: { seed: 7 } });
  component = await randomComponent();
});
afterAll(() => {
  for (const [, kernel] of MODES) kernel?.close();
});

// [name, bytes per request, requests per invocation]
const SIZES: [string, number, number][] = [
  ['4 KiB', 4096, 200],
  ['4 KiB + 1 (the smallest request not drawn from the pool)', 4097, 200],
  ['64 KiB', 65536, 20],
  ['64 MiB (the largest request the default limits allow)', 64 << 20, 1],
];
// [name, preview1 (true) or a component's import, the component's op]
const APIS: [string, boolean, number][] = [
  ['preview1 random_get', true, 0],
  ['wasi:random/random#get-random-bytes', false, 0],
  ['wasi:random/insecure#get-insecure-random-bytes', false, 1],
];

/** The least of up to three measures: a loaded machine only adds time to one. */
async function leastRatio(once: () => number): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3 && least > FUEL_BOUND; i++) least = Math.min(least, await fuelRatio(once));
  return least;
}

describe('random bytes underpriced', () => {
  for (const [mode] of MODES) {
    for (const [api, preview1, op] of APIS) {
      for (const [size, len, n] of SIZES) {
        it(`${api}, ${size}, ${mode}: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
          const kernel = MODES.find(([m]) => m === mode)![1]!;
          const module: ModuleHandle = preview1
            ? await kernel.load(await wat(randomCommand(n, len), 'random.wat'), { name: 'random' })
            : await kernel.load(component, { name: 'random-component' });
          const sandbox = await kernel.spawn(module, {
            grants: ['wasi:cli/*', 'wasi:clocks/*', 'wasi:random/*'],
            denial: 'call',
          });
          const once = preview1
            ? () => sandbox.invokeSync('wasi:cli/run#run').fuel.used
            : () => sandbox.invokeSync('run', [op, n, len]).fuel.used;
          const before = heapUsed();
          const ratio = await leastRatio(once);
          expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
          expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
          sandbox.terminate('done');
        }, 120_000);
      }
    }
  }
});
