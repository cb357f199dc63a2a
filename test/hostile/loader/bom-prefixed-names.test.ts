/**
 * Attack: name a core export with a leading byte-order mark (U+FEFF, bytes EF BB BF). A
 * `TextDecoder` strips a leading BOM unless told not to, so the component parser read
 * "\uFEFFkeel:start" as "keel:start" (the meter's renamed start function: the guest re-ran its
 * start through a reserved name) and "\uFEFFf" as "f" (another function than the one named),
 * and the stripped name passed the core names' printable-ASCII check. The meter compares names
 * as bytes and let the BOM name through. Now every decoder of names from a component keeps the
 * BOM (`ignoreBOM: true`): such a name is refused at load as outside printable ASCII.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadOutcome } from '../../helpers/components.js';

const BOM = '\\ef\\bb\\bf';

describe('bom-prefixed names', () => {
  const kernel = new Kernel({ cacheDir: false });

  it('an alias of "\\uFEFFkeel:start" does not reach the meter\'s renamed start function', async () => {
    const bytes = await parse(`(component
      (core module $m
        (global $n (mut i32) (i32.const 0))
        (func $start (global.set $n (i32.add (global.get $n) (i32.const 1))))
        (func (export "${BOM}keel:start") (global.set $n (i32.const 100)))
        (func (export "get") (result i32) (global.get $n))
        (start $start))
      (core instance $i (instantiate $m))
      (func (export "restart") (canon lift (core func $i "${BOM}keel:start")))
      (func (export "get") (result u32) (canon lift (core func $i "get"))))`);
    expect(await loadOutcome(kernel, bytes)).toMatch(/^invalid-module: .*outside printable ASCII/);
  });

  it('an alias of "\\uFEFFf" is not read as "f"', async () => {
    const bytes = await parse(`(component
      (core module $m
        (func (export "f") (result i32) i32.const 1)
        (func (export "${BOM}f") (result i32) i32.const 2))
      (core instance $i (instantiate $m))
      (alias core export $i "${BOM}f" (core func $g))
      (func (export "get") (result u32) (canon lift (core func $g))))`);
    expect(await loadOutcome(kernel, bytes)).toMatch(/^invalid-module: .*outside printable ASCII/);
  });

  it('a component name with a BOM keeps it (refused as not kebab case, not read without it)', async () => {
    const bytes = await parse(`(component
      (core module $m (func (export "f") (result i32) i32.const 1))
      (core instance $i (instantiate $m))
      (func (export "${BOM}get") (result u32) (canon lift (core func $i "f"))))`);
    expect(await loadOutcome(kernel, bytes)).toMatch(/^invalid-module: /);
  });

  it.sequential('closes', async () => {
    await kernel.close();
  });
});
