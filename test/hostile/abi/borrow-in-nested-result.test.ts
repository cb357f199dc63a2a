/**
 * Attack: an export whose result holds a borrow handle below the top level (`list<borrow<r>>`,
 * `option<borrow<r>>`, a record with a borrow field): the callee lends a handle that outlives the
 * call that lent it. The component model forbids a borrow anywhere in a function's result
 * (wasmparser: "function result cannot contain a `borrow` type"; the reference tests,
 * validation/resources.wast); Keel refused only a result that is itself a borrow.
 * Must: `invalid-module` at load.
 */
import { expect, it } from 'vitest';
import { componentText, expectContained, launch } from './support.js';

const RESULTS = {
  'list<borrow<r>>': '(list (borrow $R))',
  'option<borrow<r>>': '(option (borrow $R))',
  'record { f: borrow<r> }': '$Rec',
  'result<tuple<u32, borrow<r>>>': '(result (tuple u32 (borrow $R)))',
};

for (const [wit, type] of Object.entries(RESULTS)) {
  it(`borrow-in-nested-result: an export returning ${wit} is invalid-module at load`, async () => {
    const text = `(component
      (type $R (resource (rep i32)))
      (type $Rec (record (field "f" (borrow $R))))
      (core module $M
        (memory (export "mem") 1)
        (func (export "f") (result i32) (i32.const 0)))
      (core instance $m (instantiate $M))
      (func (export "f") (result ${type}) (canon lift (core func $m "f") (memory $m "mem"))))`;
    const aftermath = await launch({ component: () => componentText(text), call: 'f' });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toMatch(/returns a borrow handle/);
  });
}
