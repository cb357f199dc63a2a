/**
 * Attack (review11): a module type declaring N imports, K distinct empty core modules, a nested
 * component importing K modules of that type, instantiated once with the K modules. The check
 * that each module fits its type (0d7c395) built a map of the type's N declared imports for every
 * (type, module) pair and counted none of that work against the plan's bound: K x N steps (a
 * 362 KB component, N = 20,000 and K = 400, held the kernel's thread 21 s at load 17). Now the map
 * is made once per type and counted: the load is linear in the component's size.
 */
import { expect, it } from 'vitest';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadMs } from './support.js';

function text(n: number, k: number): string {
  const imports = Array.from({ length: n }, (_, i) => `(import "a" "f${i}" (func))`).join(' ');
  const childImports = Array.from({ length: k }, (_, i) => `(import "m${i}" (core module (type $t)))`).join(
    ' ',
  );
  const modules = Array.from({ length: k }, (_, i) => `(core module $x${i} (func (export "e${i}")))`).join(
    ' ',
  );
  const args = Array.from({ length: k }, (_, i) => `(with "m${i}" (core module $x${i}))`).join(' ');
  return `(component
    (component $child (core type $t (module ${imports})) ${childImports})
    ${modules}
    (instance (instantiate $child ${args})))`;
}

it('many modules fitted to one wide module type load in time linear in the component', async () => {
  const few = await parse(text(20_000, 20));
  const many = await parse(text(20_000, 400));
  const time = (bytes: Uint8Array) => loadMs(bytes, { metering: false });
  let best = { few: Number.POSITIVE_INFINITY, many: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 3; round++)
    best = { few: Math.min(best.few, await time(few)), many: Math.min(best.many, await time(many)) };
  // 20x the modules, a few percent more bytes: before, about 20x the time (K x N).
  expect(best.many / best.few).toBeLessThan(5);
}, 120_000);
