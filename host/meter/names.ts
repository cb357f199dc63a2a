/**
 * The `name` custom section, renumbered: function names, local names and label names are keyed
 * by function index, global names by global index, and both spaces move when the rewriter adds
 * its imports; functions that pass fuel in a parameter also have their locals moved up by one
 * from that parameter on. A malformed name section is dropped (engines ignore it too).
 */
import { MalformedError, Reader, u32Size, Writer } from './binary.js';

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
  wrapperOf: (func: number) => number | undefined = () => undefined,
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
      if (id === FUNCTION_NAMES) {
        // Wrappers of exported functions take their function's name (they come last, in order).
        sub.reset();
        const extra = new Writer(64);
        const added = nameMap(s, sub, remapFunc, (func, nameStart, nameEnd) => {
          const wrapper = wrapperOf(func);
          if (wrapper === undefined) return false;
          extra.u32(remapFunc(wrapper));
          extra.copy(bytes, nameStart, nameEnd);
          return true;
        });
        if (s.pos !== subEnd) return undefined;
        const count = new Reader(sub.buf, 0, sub.len).u32();
        const map = new Writer(sub.len + extra.len + 5);
        map.u32(count + added);
        map.copy(sub.buf, u32Size(count), sub.len);
        map.append(extra);
        out.byte(id);
        out.u32(map.len);
        out.append(map);
      } else if (id === GLOBAL_NAMES) {
        sub.reset();
        nameMap(s, sub, remapGlobal);
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

/**
 * Read a name map; with `out`, write it back with its indices renumbered. `also` sees each
 * entry (index, and where its encoded name is) and says whether it added one elsewhere;
 * returns how many it added.
 */
function nameMap(
  s: Reader,
  out: Writer | undefined,
  remap: ((index: number) => number) | undefined,
  also?: (index: number, nameStart: number, nameEnd: number) => boolean,
): number {
  const count = s.u32();
  out?.u32(count);
  let added = 0;
  for (let i = 0; i < count; i++) {
    const index = s.u32();
    const nameStart = s.pos;
    const length = s.u32();
    s.skip(length);
    if (out && remap) {
      out.u32(remap(index));
      out.copy(s.bytes, nameStart, s.pos);
    }
    if (also?.(index, nameStart, s.pos)) added++;
  }
  return added;
}
