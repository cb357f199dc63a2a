/**
 * Attack: a type whose labels are one label to the component model (`a` and `A`: labels are
 * distinct ignoring case, as wasmparser checks) or to the host's values (record fields and flags
 * `a-BC` and `a-b-c` are both the key `aBC`; `a-1` and `a1` both `a1`). Loaded, one field's
 * lifted value overwrote the other's and lowering read one key for both: the host's value no
 * longer matched its WIT type.
 * Refused at load as invalid-module; variant and enum cases, whose host values are their WIT
 * names, may still differ only in their JavaScript spelling.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText, expectContained, launch } from './support.js';

/** A component exporting `f: func(x: t) -> u32` for the type definition `t` (flat: `flat` i32s). */
function withType(type: string, flat = 1): () => Promise<Uint8Array> {
  const params = ' i32'.repeat(flat);
  return () =>
    componentText(`(component
  (core module $m (func (export "f") (param${params}) (result i32) (local.get 0)) (memory (export "memory") 1))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (type $t' ${type})
  (export $t "t" (type $t'))
  (func (export "f") (param "x" $t) (result u32) (canon lift (core func $i "f") (memory $mem))))`);
}

const REFUSED: Record<string, [string, number]> = {
  'record fields a and A': ['(record (field "a" u32) (field "A" u32))', 2],
  'record fields a-BC and a-b-c': ['(record (field "a-BC" u32) (field "a-b-c" u32))', 2],
  'flags x-y and X-Y': ['(flags "x-y" "X-Y")', 1],
  'flags b-CD and b-c-d': ['(flags "b-CD" "b-c-d")', 1],
  // A word of digits (valid since e5a7dd1) leaves no mark in the key: both are `a1`.
  'record fields a-1 and a1': ['(record (field "a-1" u32) (field "a1" u32))', 2],
  'flags v-2-b and v2-b': ['(flags "v-2-b" "v2-b")', 1],
  'variant cases ok and OK': ['(variant (case "ok" u32) (case "OK" u32))', 2],
  'enum cases e and E': ['(enum "e" "E")', 1],
};

for (const [name, [type, flat]] of Object.entries(REFUSED)) {
  it(`labels that collide, ${name}: invalid-module at load`, async () => {
    const aftermath = await launch({ component: withType(type, flat) });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toMatch(/conflicts with|as JavaScript names/);
  });
}

it('variant and enum cases that differ only as JavaScript names still load and keep their WIT names', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const sandbox = await kernel.spawn(await kernel.load(await withType('(enum "a-BC" "a-b-c")')()));
    expect(sandbox.fn('f')('a-b-c')).toBe(1);
    expect(sandbox.fn('f')('a-BC')).toBe(0);
  } finally {
    await kernel.close();
  }
});
