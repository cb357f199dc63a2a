/**
 * Attack: read a directory of 5,000 entries one entry per `fd_readdir` call. A host that lists
 * the whole directory on every call (Wasmtime's preview1 does) works quadratically: 5,000 calls
 * × 5,000 entries, each stat-ed. Keel lists it once when the guest starts from cookie 0 and
 * serves the following cookies from that listing, charging fuel per entry listed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, parseDirFlags } from '../../../host/index.js';
import { wat } from '../../helpers/wat.js';

const ENTRIES = 5_000;
let dir: string;
let kernel: Kernel;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-readdir-'));
  mkdirSync(join(dir, 'big'));
  for (let i = 0; i < ENTRIES; i++) writeFileSync(join(dir, 'big', `f${i}`), '');
  kernel = new Kernel({ cacheDir: false });
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

it('lists a large directory one entry per call in linear time and bounded memory', async () => {
  const source = new URL('../../../guests/wat/hostile/preview1/readdir-one-by-one.wat', import.meta.url);
  const module = await kernel.load(await wat(readFileSync(source, 'utf8')), { name: 'readdir' });
  const sandbox = await kernel.spawn(module, { grants: [parseDirFlags([`${join(dir, 'big')}::/big`])] });
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  const calls = sandbox.fn<(fd: number) => number>('list')(3);
  const elapsed = performance.now() - started;
  // `.`, `..`, the entries, and the call that returned nothing.
  expect(calls).toBe(ENTRIES + 3);
  // Quadratic, this is 25 million stats: minutes. Linear, well under a second when idle.
  expect(elapsed).toBeLessThan(15_000);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
  expect(sandbox.fuel().used).toBeGreaterThan(ENTRIES);
});
