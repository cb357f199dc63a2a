/**
 * A component made of two: the outer one instantiates the inner one and lowers its lifted
 * exports into its own core module (an adapter between component instances, each with its own
 * memory and realloc). Keel lifts from one and lowers into the other.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { tempCacheDir } from '../helpers/components.js';

const WAT = readFileSync(new URL('fixtures/composed.wat', import.meta.url), 'utf8');

it('calls across composed component instances, scalars and strings', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  const module = await kernel.load(await parse(WAT));
  expect(module.world.exports.map((e) => `${e.name} ${e.signature}`)).toEqual([
    'run func(x: u32) -> u32',
    'shout2 func(s: string) -> string',
  ]);
  const sandbox = await kernel.spawn(module);
  expect(await sandbox.call('run', 5)).toBe(20);
  expect(await sandbox.call('shout2', 'hello composed')).toBe('Hello composed');
  expect(await sandbox.call('shout2', '')).toBe('');
  expect(sandbox.fn('run')(2 ** 31)).toBe(0);
  await kernel.close();
});
