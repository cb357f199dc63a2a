/**
 * Acceptance: a component built by componentize-js (StarlingMonkey) runs unchanged. It imports
 * `wasi:http/types` for its runtime even with HTTP disabled and never calls it: with lazy
 * denial that import links and stays unused; with spawn-time denial it is named.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModuleHandle } from '../../host/index.js';
import { type World, world } from './harness.js';

let w: World;
let module: ModuleHandle;
beforeAll(async () => {
  w = await world();
  const bytes = readFileSync(new URL('../../guests/js/cjs-hello/build/hello.wasm', import.meta.url));
  module = await w.kernel.load(new Uint8Array(bytes), { name: 'cjs-hello' });
}, 180_000);
afterAll(() => w.close());

const grants = ['wasi:cli/*', 'wasi:clocks/*', 'wasi:random/*'];

it('runs with stdout, clocks and randomness from Keel', async () => {
  let out = '';
  const sandbox = await w.kernel.spawn(module, {
    grants,
    denial: 'call',
    io: { stdout: (b) => (out += new TextDecoder().decode(b)) },
  });
  expect((await sandbox.invoke('hello', ['keel'])).value).toBe('hello keel, random ok: true, clock ok: true');
  expect(await sandbox.call('hello', 'again')).toBe('hello again, random ok: true, clock ok: true');
  expect(out).toBe('log from js: keel\nlog from js: again\n');
});

it('names the unused wasi:http import when denial happens at spawn', async () => {
  await expect(w.kernel.spawn(module, { grants })).rejects.toMatchObject({
    code: 'capability-denied',
    details: { interface: 'wasi:http/types' },
  });
});
