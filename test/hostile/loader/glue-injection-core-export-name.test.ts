/**
 * Attack: a core export name that closes the string literal jco writes it into
 * (`exports0['NAME']`), so that the generated glue runs the guest's JavaScript in the host at
 * spawn. Every name is checked before any glue is generated: `invalid-module`, nothing runs.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { componentText, expectRefused, INJECTIONS, MARKER, watString } from './support.js';

const lifted = (name: string) => `(component
  (core module $m (func (export ${watString(name)}) (result i32) i32.const 7))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i ${watString(name)})))
  (export "run" (func $f)))`;

it.each(INJECTIONS.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
  'refuses the lifted core export %s at load, before generating glue',
  async (_, name) => {
    await expectRefused(await componentText(lifted(name)), /core module export name/);
  },
);

it('still runs a component whose core export names are ordinary', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  const sandbox = await kernel.spawn(await kernel.load(await componentText(lifted('run-it_1.x'))));
  expect(await sandbox.call('run')).toBe(7);
  expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  await kernel.close();
});
