/**
 * Every name a component carries, checked against the name grammar (names.ts) before any tool
 * reads the component: import and export names, instance arguments and exports, aliases, the
 * labels of its types, and the names inside and between its core modules, in nested components
 * too. Sections that hold no names (canonical definitions, start, custom) are skipped whole.
 * A name that fails, or a construct this walk does not know, is `invalid-module`.
 */
import { KeelError } from '../kernel/errors.js';
import { MalformedError, Reader } from '../meter/binary.js';
import { type NameRole, nameProblem, showName } from './names.js';

/** Components nest rarely more than two or three deep (composition); deeper is refused. */
export const MAX_COMPONENT_DEPTH = 16;
/** Type definitions nest (instance types hold types): bounded like components. */
const MAX_TYPE_DEPTH = 32;

const COMPONENT_VERSION = 0x0d;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Throws `invalid-module` naming the first bad name (escaped) and where it was found. */
export function checkComponentNames(bytes: Uint8Array): void {
  try {
    walkComponent(new Reader(bytes), 0);
  } catch (error) {
    if (error instanceof KeelError) throw error;
    if (error instanceof MalformedError || error instanceof RangeError) {
      throw new KeelError('invalid-module', `malformed component: ${error.message}`);
    }
    throw error;
  }
}

function unsupported(what: string): never {
  throw new KeelError('invalid-module', `unsupported component: ${what}`, { feature: what });
}

/** Read a name (fatal UTF-8) and check it for `role`; `where` names its position for errors. */
function name(r: Reader, role: NameRole, where: string): string {
  const length = r.u32();
  if (length > r.end - r.pos) throw new MalformedError(`${where} name runs past its section`);
  let text: string;
  try {
    text = utf8.decode(r.bytes.subarray(r.pos, r.pos + length));
  } catch {
    throw new KeelError('invalid-module', `invalid component: ${where} name is not valid UTF-8`, {
      where,
    });
  }
  r.pos += length;
  const problem = nameProblem(text, role);
  if (problem) {
    throw new KeelError('invalid-module', `invalid component: ${where} name ${showName(text)} ${problem}`, {
      where,
      name: showName(text),
    });
  }
  return text;
}

/** `importname'` / `exportname'`: a discriminant byte, then the name. */
function externName(r: Reader, role: 'import' | 'export', where: string): string {
  const tag = r.byte();
  if (tag !== 0x00 && tag !== 0x01) unsupported(`${where} name form 0x${tag.toString(16)}`);
  return name(r, role, where);
}

function vec(r: Reader, each: (r: Reader) => void): void {
  for (let n = r.u32(); n > 0; n--) each(r);
}

function walkComponent(r: Reader, depth: number): void {
  if (depth > MAX_COMPONENT_DEPTH) unsupported(`components nested more than ${MAX_COMPONENT_DEPTH} deep`);
  const start = r.pos;
  for (const [i, b] of [0x00, 0x61, 0x73, 0x6d].entries()) {
    if (r.byte() !== b) throw new MalformedError(`bad magic number at byte ${start + i}`);
  }
  const version = r.byte() | (r.byte() << 8);
  const layer = r.byte() | (r.byte() << 8);
  if (layer !== 1) throw new MalformedError('a nested component has a core module preamble');
  if (version !== COMPONENT_VERSION) unsupported(`component binary version 0x${version.toString(16)}`);
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    if (size > r.end - r.pos) throw new MalformedError(`section ${id} runs past the end`);
    const section = new Reader(r.bytes, r.pos, r.pos + size);
    r.pos += size;
    switch (id) {
      case 0: // custom
      case 8: // canonical definitions: options and indices, no names
      case 9: // start
        break;
      case 1:
        walkCoreModule(section);
        break;
      case 2:
        vec(section, coreInstance);
        break;
      case 3:
        vec(section, (s) => coreType(s, 'core type'));
        break;
      case 4:
        walkComponent(section, depth + 1);
        break;
      case 5:
        vec(section, instance);
        break;
      case 6:
        vec(section, alias);
        break;
      case 7:
        vec(section, (s) => defType(s, 0));
        break;
      case 10:
        vec(section, (s) => {
          externName(s, 'import', 'import');
          externDesc(s);
        });
        break;
      case 11:
        vec(section, (s) => {
          externName(s, 'export', 'export');
          sortIdx(s);
          if (s.byte() === 0x01) externDesc(s);
        });
        break;
      case 12:
        unsupported('value definitions');
        break;
      default:
        unsupported(`section id ${id}`);
    }
    if (section.pos !== section.end && id !== 0 && id !== 8 && id !== 9 && id !== 1 && id !== 4) {
      throw new MalformedError(`section ${id} has ${section.end - section.pos} trailing bytes`);
    }
  }
}

/** A core module's import and export names (the rest of it is validated when it is compiled). */
function walkCoreModule(r: Reader): void {
  r.skip(8);
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    if (size > r.end - r.pos) throw new MalformedError(`core module section ${id} runs past the end`);
    const section = new Reader(r.bytes, r.pos, r.pos + size);
    r.pos += size;
    if (id === 2) {
      vec(section, (s) => {
        name(s, 'core', 'core module import module');
        name(s, 'core', 'core module import');
        coreImportDesc(s);
      });
    } else if (id === 7) {
      vec(section, (s) => {
        name(s, 'core', 'core module export');
        s.byte();
        s.u32();
      });
    }
  }
}

function coreImportDesc(r: Reader): void {
  const kind = r.byte();
  switch (kind) {
    case 0x00: // func
      r.u32();
      return;
    case 0x01: // table
      coreValType(r);
      limits(r);
      return;
    case 0x02: // memory
      limits(r);
      return;
    case 0x03: // global
      coreValType(r);
      r.byte();
      return;
    case 0x04: // tag
      r.byte();
      r.u32();
      return;
    default:
      throw new MalformedError(`unknown core import kind ${kind}`);
  }
}

function coreValType(r: Reader): void {
  const code = r.byte();
  // (ref null? ht): a heap type follows.
  if (code === 0x63 || code === 0x64) r.s33();
}

function limits(r: Reader): void {
  const flags = r.byte();
  r.skipLeb(10);
  if (flags & 0x01) r.skipLeb(10);
}

function coreSort(r: Reader): void {
  const sort = r.byte();
  if (sort > 0x03 && (sort < 0x10 || sort > 0x12)) throw new MalformedError(`unknown core sort ${sort}`);
}

function coreInstance(r: Reader): void {
  const form = r.byte();
  if (form === 0x00) {
    r.u32();
    vec(r, (s) => {
      name(s, 'core', 'core instance argument');
      if (s.byte() !== 0x12) throw new MalformedError('core instance argument is not an instance');
      s.u32();
    });
  } else if (form === 0x01) {
    vec(r, (s) => {
      name(s, 'core', 'core instance export');
      coreSort(s);
      s.u32();
    });
  } else {
    throw new MalformedError(`unknown core instance form ${form}`);
  }
}

function coreType(r: Reader, where: string): void {
  const form = r.byte();
  if (form === 0x60) {
    vec(r, coreValType);
    vec(r, coreValType);
  } else if (form === 0x50) {
    vec(r, (s) => {
      const decl = s.byte();
      if (decl === 0x00) {
        name(s, 'core', `${where} import module`);
        name(s, 'core', `${where} import`);
        coreImportDesc(s);
      } else if (decl === 0x01) {
        coreType(s, where);
      } else if (decl === 0x02) {
        coreSort(s);
        if (s.byte() !== 0x01) throw new MalformedError('core alias in a module type is not outer');
        s.u32();
        s.u32();
      } else if (decl === 0x03) {
        name(s, 'core', `${where} export`);
        coreImportDesc(s);
      } else {
        throw new MalformedError(`unknown module type declaration ${decl}`);
      }
    });
  } else {
    unsupported(`core type form 0x${form.toString(16)} (GC types)`);
  }
}

function sort(r: Reader): void {
  const s = r.byte();
  if (s === 0x00) coreSort(r);
  else if (s === 0x02) unsupported('value definitions');
  else if (s > 0x05) throw new MalformedError(`unknown sort ${s}`);
}

function sortIdx(r: Reader): void {
  sort(r);
  r.u32();
}

function instance(r: Reader): void {
  const form = r.byte();
  if (form === 0x00) {
    r.u32();
    vec(r, (s) => {
      name(s, 'import', 'instance argument');
      sortIdx(s);
    });
  } else if (form === 0x01) {
    vec(r, (s) => {
      externName(s, 'export', 'instance export');
      sortIdx(s);
    });
  } else {
    throw new MalformedError(`unknown instance form ${form}`);
  }
}

function alias(r: Reader): void {
  sort(r);
  const target = r.byte();
  if (target === 0x00) {
    r.u32();
    name(r, 'export', 'alias of an instance export');
  } else if (target === 0x01) {
    r.u32();
    name(r, 'core', 'alias of a core instance export');
  } else if (target === 0x02) {
    r.u32();
    r.u32();
  } else {
    throw new MalformedError(`unknown alias target ${target}`);
  }
}

function externDesc(r: Reader): void {
  const kind = r.byte();
  switch (kind) {
    case 0x00:
      if (r.byte() !== 0x11) throw new MalformedError('core extern description is not a module');
      r.u32();
      return;
    case 0x01:
    case 0x04:
    case 0x05:
      r.u32();
      return;
    case 0x02:
      unsupported('value imports and exports');
      return;
    case 0x03:
      if (r.byte() === 0x00) r.u32();
      return;
    default:
      throw new MalformedError(`unknown extern description ${kind}`);
  }
}

/** A value type: a primitive (negative s33) or a type index. */
function valType(r: Reader): void {
  const value = r.s33();
  if (value < 0 && (value < -13 || value > -1)) throw new MalformedError(`unknown value type ${value}`);
}

function optional(r: Reader, each: (r: Reader) => void): void {
  const flag = r.byte();
  if (flag === 0x01) each(r);
  else if (flag !== 0x00) throw new MalformedError(`bad optional flag ${flag}`);
}

function labelled(r: Reader, where: string): void {
  name(r, 'label', where);
  valType(r);
}

function defType(r: Reader, depth: number): void {
  if (depth > MAX_TYPE_DEPTH) unsupported(`types nested more than ${MAX_TYPE_DEPTH} deep`);
  const form = r.byte();
  if (form >= 0x73 && form <= 0x7f) return; // a primitive value type
  switch (form) {
    case 0x72:
      vec(r, (s) => labelled(s, 'record field'));
      return;
    case 0x71:
      vec(r, (s) => {
        name(s, 'label', 'variant case');
        optional(s, valType);
        const refines = s.byte();
        if (refines === 0x01) s.u32();
        else if (refines !== 0x00) throw new MalformedError('bad variant case');
      });
      return;
    case 0x70:
    case 0x6b:
      valType(r);
      return;
    case 0x6f:
      vec(r, valType);
      return;
    case 0x6e:
      vec(r, (s) => name(s, 'label', 'flag'));
      return;
    case 0x6d:
      vec(r, (s) => name(s, 'label', 'enum case'));
      return;
    case 0x6a:
      optional(r, valType);
      optional(r, valType);
      return;
    case 0x69:
    case 0x68:
      r.u32();
      return;
    case 0x66:
    case 0x65:
    case 0x64:
      unsupported('component-model async types (stream, future, error-context)');
      return;
    case 0x3f:
      if (r.byte() !== 0x7f) throw new MalformedError('resource representation is not i32');
      optional(r, (s) => s.u32());
      return;
    case 0x40:
      vec(r, (s) => labelled(s, 'parameter'));
      if (r.byte() === 0x00) valType(r);
      else vec(r, (s) => labelled(s, 'result'));
      return;
    case 0x41:
      vec(r, (s) => {
        if (s.byte() === 0x03) {
          externName(s, 'import', 'component type import');
          externDesc(s);
        } else {
          s.pos--;
          instanceDecl(s, depth);
        }
      });
      return;
    case 0x42:
      vec(r, (s) => instanceDecl(s, depth));
      return;
    default:
      unsupported(`type form 0x${form.toString(16)}`);
  }
}

function instanceDecl(r: Reader, depth: number): void {
  const decl = r.byte();
  switch (decl) {
    case 0x00:
      coreType(r, 'core type in an instance type');
      return;
    case 0x01:
      defType(r, depth + 1);
      return;
    case 0x02:
      alias(r);
      return;
    case 0x04:
      externName(r, 'export', 'instance type export');
      externDesc(r);
      return;
    default:
      throw new MalformedError(`unknown instance type declaration ${decl}`);
  }
}
