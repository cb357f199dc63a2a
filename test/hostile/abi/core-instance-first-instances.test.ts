/**
 * Attack (review16 H1): many different core modules, each instantiated once. a21e27d bounded
 * the imports and exports of core instances counting each module's instances after its first
 * only, so 100 modules of 20,000 exports, each instantiated once, loaded and made 2,000,000
 * export objects at every spawn (79 MB of host heap and 1.5-2.2 s a spawn, outside fuel). Every
 * instance counts now: past MAX_CORE_INSTANCE_ENTITIES the load is `invalid-module`.
 */
import { afterAll, expect, it } from 'vitest';
import { MAX_CORE_INSTANCE_ENTITIES } from '../../../host/abi/plan.js';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

const EXPORTS = 20_000;

function modulesInstantiatedOnce(count: number): Promise<Uint8Array> {
  const names = Array.from({ length: EXPORTS }, (_, i) => `(export "f${i}" (func $f))`).join(' ');
  let text = '(component';
  for (let m = 0; m < count; m++)
    text += ` (core module $m${m} (func $f) ${names}) (core instance (instantiate $m${m}))`;
  return parse(`${text})`);
}

it('core instance first instances: modules instantiated once each count against the bound', async () => {
  const over = Math.floor(MAX_CORE_INSTANCE_ENTITIES / EXPORTS) + 1;
  await expect(kernel.load(await modulesInstantiatedOnce(over))).rejects.toMatchObject({
    code: 'invalid-module',
    message: expect.stringMatching(/imports and exports of core instances/),
  });
  // At the bound, the same shape loads and spawns.
  const under = Math.floor(MAX_CORE_INSTANCE_ENTITIES / EXPORTS);
  const sandbox = await kernel.spawn(await kernel.load(await modulesInstantiatedOnce(under)));
  sandbox.terminate('done');
}, 120_000);
