/**
 * The `name` custom section, renumbered: function names, local names and label names are keyed
 * by function index, global names by global index, and both spaces move when the rewriter adds
 * its imports; functions that pass fuel in a parameter also have their locals moved up by one
 * from that parameter on. A malformed name section is dropped (engines ignore it too).
 */
import { MalformedError, Reader, Writer } from './binary.js';

const FUNCTION_NAMES = 1;
const LOCAL_NAMES = 2;
const LABEL_NAMES = 3;
const GLOBAL_NAMES = 7;

export function rewriteNameSection(
  bytes: Uint8Array,
  start: number,
  end: number,
  remapFunc: (index: number) => number,
  remapGlobal: (index: number) => number,
  remapLocal: (func: number, local: number) => number,
): Writer | undefined {
  try {
    const r = new Reader(bytes, start, end);
    const out = new Writer(end - start + 64);
    const sub = new Writer(256);
    while (r.pos < end) {
      const from = r.pos;
      const id = r.byte();
      const size = r.u32();
      const subEnd = r.pos + size;
      if (subEnd > end) return undefined;
      const s = new Reader(bytes, r.pos, subEnd);
      if (id === FUNCTION_NAMES || id === GLOBAL_NAMES) {
        sub.reset();
        nameMap(s, sub, id === FUNCTION_NAMES ? remapFunc : remapGlobal);
        if (s.pos !== subEnd) return undefined;
        out.byte(id);
        out.u32(sub.len);
        out.append(sub);
      } else if (id === LOCAL_NAMES || id === LABEL_NAMES) {
        sub.reset();
        const count = s.u32();
        sub.u32(count);
        for (let i = 0; i < count; i++) {
          const func = s.u32();
          sub.u32(remapFunc(func));
          const inner = s.pos;
          if (id === LOCAL_NAMES) nameMap(s, sub, (local) => remapLocal(func, local));
          else {
            nameMap(s, undefined, undefined);
            sub.copy(bytes, inner, s.pos);
          }
        }
        if (s.pos !== subEnd) return undefined;
        out.byte(id);
        out.u32(sub.len);
        out.append(sub);
      } else {
        out.copy(bytes, from, subEnd);
      }
      r.pos = subEnd;
    }
    return out;
  } catch (error) {
    if (error instanceof MalformedError) return undefined;
    throw error;
  }
}

/** Read a name map; with `out`, write it back with its indices renumbered. */
function nameMap(s: Reader, out: Writer | undefined, remap: ((index: number) => number) | undefined): void {
  const count = s.u32();
  out?.u32(count);
  for (let i = 0; i < count; i++) {
    const index = s.u32();
    const nameStart = s.pos;
    const length = s.u32();
    s.skip(length);
    if (out && remap) {
      out.u32(remap(index));
      out.copy(s.bytes, nameStart, s.pos);
    }
  }
}
