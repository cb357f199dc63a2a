/**
 * An adapter lowers the strings it lifted, one for one (host/abi/strings.ts `lowerCarried`): one
 * more is a bug in Keel, not the guest's doing, and fails with the catalog's stable `internal`
 * code (a plain `Error` had no code for the kernel, the CLI or an embedder to read).
 */
import { expect, it } from 'vitest';
import { Carried } from '../../host/abi/context.js';
import { lowerString } from '../../host/abi/strings.js';
import { KeelError } from '../../host/kernel/errors.js';
import { testCx } from '../helpers/cx.js';

/** An adapter's callee: every allocation at 64, in one page. */
function adapterCx() {
  return testCx({ maximumPages: 1, realloc: () => 64, handles: 1 });
}

it('a string lowered past those the adapter lifted is internal, with the count lifted', () => {
  const cx = adapterCx();
  const carried = new Carried().begin('utf8');
  carried.units.push(2);
  cx.source = carried.rewind();
  const out = { units: 0 };
  expect(lowerString(cx, 'ab', out)).toBe(64);
  expect(out.units).toBe(2);
  let thrown: unknown;
  try {
    lowerString(cx, 'cd', out);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(KeelError);
  expect((thrown as KeelError).toJSON()).toEqual({
    code: 'internal',
    message: 'an adapter lowered more strings than it lifted',
    details: { lifted: 1 },
  });
});
