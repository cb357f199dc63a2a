/**
 * An adapter lowers the strings it lifted, one for one (host/abi/strings.ts `lowerCarried`): one
 * more is a bug in Keel, not the guest's doing, and fails with the catalog's stable `internal`
 * code (a plain `Error` had no code for the kernel, the CLI or an embedder to read).
 */
import { expect, it } from 'vitest';
import { Carried, Cx, MemoryView, OptionSlot } from '../../host/abi/context.js';
import { handleLimitCounter, InstanceState } from '../../host/abi/handles.js';
import { lowerString } from '../../host/abi/strings.js';
import { KeelError } from '../../host/kernel/errors.js';

function adapterCx(): Cx {
  const mem = new MemoryView();
  mem.memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  mem.refresh();
  const slot = new OptionSlot(mem, 'utf8');
  slot.realloc = () => 64;
  const host = {
    hostClass: () => undefined,
    hold: () => {
      throw new Error('no resources here');
    },
    release: () => {},
  };
  const inst = new InstanceState(0, handleLimitCounter(1), host);
  return new Cx(slot, inst, {
    maxCallBytes: 1 << 20,
    maxHostArgBytes: 1 << 20,
    charge: () => {},
    chargeCall: () => {},
  });
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
