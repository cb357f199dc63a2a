/**
 * Acceptance: a component built by componentize-js (StarlingMonkey) runs unchanged. It imports
 * `wasi:http/types` for its runtime even with HTTP disabled and never calls it: that interface
 * confers nothing (sending a request needs `wasi:http/outgoing-handler`), so it links without a
 * grant, with either denial mode.
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

it('links wasi:http/types without a grant, at spawn-time denial too, and grants no sending', async () => {
  const needs = w.kernel.needs(module);
  expect(needs.find((n) => n.interface === 'wasi:http/types')?.status).toBe('authority-free');
  expect(needs.some((n) => n.interface === 'wasi:http/outgoing-handler')).toBe(false);
  const sandbox = await w.kernel.spawn(module, { grants, io: { stdout: () => {} } });
  expect(await sandbox.call('hello', 'strict')).toBe('hello strict, random ok: true, clock ok: true');
});
