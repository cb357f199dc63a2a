/**
 * One provider serves every 0.2.x version of an interface: grants and links match the
 * version-less name, so a component built against wasi:random@0.2.0 and one built against a
 * later 0.2.x both run.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { componentEmbed, componentNew } from '../../scripts/lib/wasm-tools.js';
import { wat } from '../helpers/wat.js';
import { type World, world } from './harness.js';

let w: World;
beforeAll(async () => {
  w = await world({ deterministic: { seed: 3 } });
});
afterAll(() => w.close());

async function randomGuest(version: string): Promise<Uint8Array> {
  const core = await wat(`(module
    (import "wasi:random/random@${version}" "get-random-u64" (func $u64 (result i64)))
    (func (export "roll") (result i64) (call $u64)))`);
  const witSource = `package wasi:random@${version};
interface random { get-random-u64: func() -> u64; }
world roller { import random; export roll: func() -> u64; }`;
  return componentNew(await componentEmbed({ binary: core, witSource, world: 'roller' }), []);
}

it.each(['0.2.0', '0.2.3', '0.2.7'])('links wasi:random/random@%s to the same provider', async (version) => {
  const module = await w.kernel.load(await randomGuest(version), { name: `random-${version}` });
  expect(module.world.imports.map((i) => i.name)).toEqual([`wasi:random/random@${version}`]);
  const sandbox = await w.kernel.spawn(module, { grants: ['wasi:random/random'] });
  const value = (await sandbox.invoke('roll')).value;
  expect(typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint').toBe(true);
});
