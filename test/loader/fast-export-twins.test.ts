/**
 * A component's sole core instance gets the meter's uncharged twins (host/meter/leaves.ts) only
 * of the exports `sandbox.fn`'s fast path calls through one (host/abi/fast.ts `fastExports`):
 * lifted with scalars only, the result lifted inline, without post-return. A twin is an export
 * of every instance, made at each spawn and kept while the sandbox lives; a constant-cost leaf
 * lifted otherwise (a string's pointer, a post-return) got one for nothing before. Such an
 * export still works, charged by its metered export, and the fast one keeps its exact charge.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastExports } from '../../host/abi/fast.js';
import { planComponent } from '../../host/abi/plan.js';
import { Kernel, type ModuleHandle } from '../../host/index.js';
import { loadedModule } from '../../host/kernel/module.js';
import { LEAF_PREFIX, leafCosts } from '../../host/meter/leaves.js';
import { componentFromWat, tempCacheDir } from '../../scripts/lib/fixtures.js';

const WAT = `(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\\18\\00\\00\\00\\02\\00\\00\\00hi")
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "name") (result i32) (i32.const 16))
  (func (export "posted") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "cabi_post_posted") (param i32)))`;
const WIT = `package test:fast-twins@0.1.0;
world fast-twins {
  export add: func(a: u32, b: u32) -> u32;
  export name: func() -> string;
  export posted: func(x: u32) -> u32;
}`;

let kernel: Kernel;
let component: Uint8Array;
let module: ModuleHandle;
beforeAll(async () => {
  component = await componentFromWat(WAT, WIT, 'fast-twins');
  kernel = new Kernel({ cacheDir: tempCacheDir() });
  module = await kernel.load(component);
});
afterAll(async () => {
  await kernel.close();
});

it('names the exports the fast path calls through a twin', () => {
  // `name` lifts a string, `posted` has a post-return: each a constant-cost leaf all the same.
  expect([...fastExports(planComponent(component))]).toEqual(['add']);
});

it('makes twins of those only, and the others run charged by their metered export', async () => {
  const compiled = loadedModule(module).modules![0]!;
  const twins = WebAssembly.Module.exports(compiled)
    .map((e) => e.name)
    .filter((n) => n.startsWith(LEAF_PREFIX));
  expect(twins).toEqual([`${LEAF_PREFIX}add`]);
  expect([...leafCosts(compiled)]).toEqual([['add', 3]]);
  const sandbox = await kernel.spawn(module);
  const add = sandbox.fn<(a: number, b: number) => number>('add');
  const posted = sandbox.fn<(x: number) => number>('posted');
  const before = sandbox.fuel().used;
  expect(add(40, 2)).toBe(42);
  expect(sandbox.fuel().used - before).toBe(3);
  expect(posted(21)).toBe(42);
  expect(sandbox.fuel().used - before).toBeGreaterThan(3);
  expect(sandbox.fn<() => string>('name')()).toBe('hi');
});
