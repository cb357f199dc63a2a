/**
 * A canonical ABI context (`Cx`) without a component, for tests that lift and lower by hand: one
 * memory, the option slot's encoding, a realloc, a handle table that holds no resources, and a
 * byte budget that charges nothing.
 */
import type { StringEncoding } from '../../host/abi/ast.js';
import { Cx, MemoryView, OptionSlot, type Realloc } from '../../host/abi/context.js';
import { handleLimitCounter, InstanceState } from '../../host/abi/handles.js';

export interface TestCxOptions {
  encoding?: StringEncoding;
  /** The guest's realloc; default a bump allocator from byte 16 that grows the memory as it needs. */
  realloc?: Realloc;
  /** The memory's maximum, in pages (it starts at one). */
  maximumPages?: number;
  /** Handles the instance may hold. */
  handles?: number;
  /** The call's byte budget (`maxCallBytes` and `maxHostArgBytes`). */
  callBytes?: number;
}

export function testCx(options: TestCxOptions = {}): Cx {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: options.maximumPages ?? 64 });
  const mem = new MemoryView();
  mem.memory = memory;
  const slot = new OptionSlot(mem, options.encoding ?? 'utf8');
  let top = 16;
  slot.realloc =
    options.realloc ??
    ((_old, _size, align, size) => {
      top = Math.ceil(top / align) * align;
      const ptr = top;
      top += size;
      const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
      if (need > 0) memory.grow(need);
      return ptr;
    });
  const host = {
    hostClass: () => undefined,
    hold: () => {
      throw new Error('no resources here');
    },
    release: () => {},
  };
  const inst = new InstanceState(0, handleLimitCounter(options.handles ?? 100), host);
  mem.refresh();
  const callBytes = options.callBytes ?? 1 << 20;
  return new Cx(slot, inst, {
    maxCallBytes: callBytes,
    maxHostArgBytes: callBytes,
    charge: () => {},
    chargeCall: () => {},
  });
}
