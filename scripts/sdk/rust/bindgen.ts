/**
 * The Rust generator: for any world, one module (`src/bindings.rs`) with every type, every
 * import as a function (resources as structs that drop their handle), every export as a trait
 * the guest implements on `pub struct <World>` at its crate root, and the canonical-ABI glue:
 * core imports and exports, lifting and lowering, `cabi_realloc`, `cabi_post_*`, resource
 * intrinsics. It uses only `std` and the `keel` runtime crate (sdk/rust/keel): no macros.
 *
 * Ownership follows Rust's: an export's arguments are the guest's values; its result is given to
 * the host and freed after the host has read it (post-return). An import borrows `&str` and
 * `&[T]` arguments (numbers, bool, char) and takes the others by value; its result is the
 * caller's.
 */
import { NameError, rustString } from '../names.js';
import {
  align,
  type CoreType,
  coreSignature,
  discriminantSize,
  exportName,
  flat,
  importName,
  memberOffsets,
  payloadOffset,
  resourceDtor,
  resourceImports,
  size,
  variantCases,
} from '../wit/abi.js';
import {
  type Func,
  type Interface,
  type Type,
  type TypeDef,
  typeOwners,
  unalias,
  type World,
} from '../wit/model.js';
import { distinct, RustNames, rustType, rustValue, STD } from './names.js';

const CORE_RS: Record<CoreType, string> = { i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64' };
const RT = '::keel::rt';

/** Primitive types whose Rust layout is their canonical layout (lists of them are taken as `Vec`s). */
function isPlainPrim(type: Type): boolean {
  const t = unalias(type);
  return t.kind === 'prim' && t.name !== 'string';
}

function widen(expr: string, from: CoreType, to: CoreType): string {
  if (from === to) return expr;
  if (to === 'i32') return `${RT}::f32_bits(${expr})`;
  if (from === 'i32') return `((${expr}) as u32 as i64)`;
  if (from === 'f32') return `(${RT}::f32_bits(${expr}) as u32 as i64)`;
  return `${RT}::f64_bits(${expr})`;
}

function narrow(expr: string, from: CoreType, to: CoreType): string {
  if (from === to) return expr;
  if (from === 'i32') return `${RT}::bits_f32(${expr})`;
  if (to === 'i32') return `((${expr}) as i32)`;
  if (to === 'f32') return `${RT}::bits_f32((${expr}) as i32)`;
  return `${RT}::bits_f64(${expr})`;
}

const PRIM_MEM: Record<string, string> = {
  bool: 'u8',
  s8: 'i8',
  u8: 'u8',
  s16: 'i16',
  u16: 'u16',
  s32: 'i32',
  u32: 'u32',
  s64: 'i64',
  u64: 'u64',
  f32: 'f32',
  f64: 'f64',
  char: 'u32',
};

type Sink = 'keep' | 'leak';

class Emitter {
  #n = 0;
  constructor(readonly names: RustNames) {}

  tmp(base: string): string {
    return `${base}${this.#n++}`;
  }

  /** Statements that hand an owner (a `Box<[T]>`, a `Dealloc`) to the sink. */
  #sink(sink: Sink, owner: string): string {
    return sink === 'keep' ? `keep.push(${STD.box}::new(${owner}));` : `::core::mem::forget(${owner});`;
  }

  #variant(t: Type): {
    tag: (v: string) => string;
    arms: { pattern: string; type?: Type; construct: (p?: string) => string }[];
  } {
    if (t.kind === 'option') {
      return {
        tag: (v) => v,
        arms: [
          { pattern: `${STD.option}::None`, construct: () => `${STD.option}::None` },
          { pattern: `${STD.option}::Some(e)`, type: t.some, construct: (p) => `${STD.option}::Some(${p})` },
        ],
      };
    }
    if (t.kind === 'result') {
      return {
        tag: (v) => v,
        arms: [
          t.ok
            ? { pattern: `${STD.result}::Ok(e)`, type: t.ok, construct: (p) => `${STD.result}::Ok(${p})` }
            : { pattern: `${STD.result}::Ok(_)`, construct: () => `${STD.result}::Ok(())` },
          t.err
            ? { pattern: `${STD.result}::Err(e)`, type: t.err, construct: (p) => `${STD.result}::Err(${p})` }
            : { pattern: `${STD.result}::Err(_)`, construct: () => `${STD.result}::Err(())` },
        ],
      };
    }
    const def = (t as { def: TypeDef }).def;
    const body = def.body;
    if (body.kind !== 'variant') throw new Error('not a variant');
    const path = this.names.defPath(def);
    return {
      tag: (v) => v,
      arms: body.cases.map((c) =>
        c.type
          ? {
              pattern: `${path}::${rustType(c.name)}(e)`,
              type: c.type,
              construct: (p) => `${path}::${rustType(c.name)}(${p})`,
            }
          : { pattern: `${path}::${rustType(c.name)}`, construct: () => `${path}::${rustType(c.name)}` },
      ),
    };
  }

  /** Flatten an owned value into core values (statements to `out`). */
  lower(type: Type, v: string, out: string[], sink: Sink): string[] {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        switch (t.name) {
          case 'string': {
            const b = this.tmp('b');
            out.push(`let ${b} = ${RT}::string_bytes(${v});`);
            const values = [`${b}.as_ptr() as i32`, `${b}.len() as i32`];
            const p = this.tmp('p');
            out.push(`let ${p} = (${values[0]}, ${values[1]});`, this.#sink(sink, b));
            return [`${p}.0`, `${p}.1`];
          }
          case 's64':
          case 'u64':
            return [`(${v}) as i64`];
          case 'f32':
          case 'f64':
            return [v];
          default:
            return [`(${v}) as i32`];
        }
      case 'list': {
        const p = this.tmp('l');
        if (isPlainPrim(t.element)) {
          const b = this.tmp('b');
          out.push(
            `let ${b} = (${v}).into_boxed_slice();`,
            `let ${p} = (${b}.as_ptr() as i32, ${b}.len() as i32);`,
            this.#sink(sink, b),
          );
          return [`${p}.0`, `${p}.1`];
        }
        const elemSize = size(t.element);
        const elemAlign = align(t.element);
        const list = this.tmp('v');
        const base = this.tmp('base');
        out.push(
          `let ${list} = ${v};`,
          `let ${base} = unsafe { ${RT}::alloc(${list}.len() * ${elemSize}, ${elemAlign}) };`,
          `let ${p} = (${base}, ${list}.len() as i32);`,
        );
        if (sink === 'keep') {
          out.push(
            `keep.push(${STD.box}::new(${RT}::Dealloc { ptr: ${base}, size: ${list}.len() * ${elemSize}, align: ${elemAlign} }));`,
          );
        }
        const i = this.tmp('i');
        const e = this.tmp('e');
        const inner: string[] = [];
        this.store(t.element, e, `${base} + (${i} * ${elemSize}) as i32`, 0, inner, sink);
        out.push(`for (${i}, ${e}) in ${list}.into_iter().enumerate() {`, ...inner.map((l) => `  ${l}`), '}');
        return [`${p}.0`, `${p}.1`];
      }
      case 'own':
        return [`(${v}).into_handle()`];
      case 'borrow':
        if (this.names.isExported(t.resource)) return [`(${v} as *const _ as i32)`];
        return [`(${v}).handle()`];
      case 'tuple': {
        const tv = this.tmp('t');
        out.push(`let ${tv} = ${v};`);
        return t.types.flatMap((m, i) => this.lower(m, `${tv}.${i}`, out, sink));
      }
      case 'option':
      case 'result':
        return this.#lowerVariant(t, v, out, sink);
      case 'ref':
        break;
    }
    const body = t.def.body;
    switch (body.kind) {
      case 'record': {
        const rv = this.tmp('r');
        out.push(`let ${rv} = ${v};`);
        return body.fields.flatMap((f) => this.lower(f.type, `${rv}.${rustValue(f.name)}`, out, sink));
      }
      case 'enum':
        return [`(${v}) as i32`];
      case 'flags':
        return body.flags.length === 0 ? [] : [`(${v}).bits as i32`];
      case 'variant':
        return this.#lowerVariant(t, v, out, sink);
      default:
        throw new Error(`cannot lower ${t.def.name}`);
    }
  }

  #lowerVariant(t: Type, v: string, out: string[], sink: Sink): string[] {
    const joined = flat(t);
    const slots = joined.map(() => this.tmp('s'));
    out.push(
      `let (${slots.map((s) => `mut ${s}`).join(', ')},): (${joined.map((j) => `${CORE_RS[j]},`).join(' ')}) = (${joined.map((j) => (j === 'f32' || j === 'f64' ? '0.0,' : '0,')).join(' ')});`,
    );
    const { arms } = this.#variant(t);
    out.push(`match ${v} {`);
    arms.forEach((arm, i) => {
      const pattern = arm.type ? arm.pattern.replace(/\(e\)$/, `(${'e'})`) : arm.pattern;
      out.push(`  ${pattern} => {`, `    ${slots[0]} = ${i};`);
      if (arm.type) {
        const inner: string[] = [];
        const values = this.lower(arm.type, 'e', inner, sink);
        const types = flat(arm.type);
        for (const l of inner) out.push(`    ${l}`);
        values.forEach((value, k) => {
          out.push(`    ${slots[k + 1]} = ${widen(value, types[k]!, joined[k + 1]!)};`);
        });
      }
      out.push('  }');
    });
    out.push('}');
    return slots;
  }

  /** Store an owned value at `ptr + offset` in the canonical layout. */
  store(type: Type, v: string, ptr: string, offset: number, out: string[], sink: Sink): void {
    const t = unalias(type);
    const put = (memType: string, value: string, off: number) =>
      out.push(`unsafe { ${RT}::store::<${memType}>(${ptr}, ${off}, ${value}) };`);
    if (t.kind === 'prim' && t.name !== 'string') {
      const value = t.name === 'bool' ? `(${v}) as u8` : t.name === 'char' ? `(${v}) as u32` : v;
      put(PRIM_MEM[t.name]!, value, offset);
      return;
    }
    switch (t.kind) {
      case 'prim':
      case 'list': {
        const [p, l] = this.lower(t, v, out, sink);
        put('i32', p!, offset);
        put('i32', l!, offset + 4);
        return;
      }
      case 'own':
      case 'borrow': {
        const [h] = this.lower(t, v, out, sink);
        put('i32', h!, offset);
        return;
      }
      case 'tuple': {
        const tv = this.tmp('t');
        out.push(`let ${tv} = ${v};`);
        const offsets = memberOffsets(t);
        t.types.forEach((m, i) => {
          this.store(m, `${tv}.${i}`, ptr, offset + offsets[i]!, out, sink);
        });
        return;
      }
      case 'option':
      case 'result':
        this.#storeVariant(t, v, ptr, offset, out, sink);
        return;
      case 'ref':
        break;
    }
    const body = t.def.body;
    switch (body.kind) {
      case 'record': {
        const rv = this.tmp('r');
        out.push(`let ${rv} = ${v};`);
        const offsets = memberOffsets(t);
        body.fields.forEach((f, i) => {
          this.store(f.type, `${rv}.${rustValue(f.name)}`, ptr, offset + offsets[i]!, out, sink);
        });
        return;
      }
      case 'enum': {
        const d = discriminantSize(body.cases.length);
        put(
          d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32',
          `(${v}) as ${d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32'}`,
          offset,
        );
        return;
      }
      case 'flags': {
        const s = size(t);
        if (s > 0) put(s === 1 ? 'u8' : s === 2 ? 'u16' : 'u32', `(${v}).bits`, offset);
        return;
      }
      case 'variant':
        this.#storeVariant(t, v, ptr, offset, out, sink);
        return;
      default:
        throw new Error(`cannot store ${t.def.name}`);
    }
  }

  #storeVariant(t: Type, v: string, ptr: string, offset: number, out: string[], sink: Sink): void {
    const cases = variantCases(t)!;
    const d = discriminantSize(cases.length);
    const disc = d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32';
    const payload = offset + payloadOffset(t);
    const { arms } = this.#variant(t);
    out.push(`match ${v} {`);
    arms.forEach((arm, i) => {
      out.push(`  ${arm.pattern} => {`, `    unsafe { ${RT}::store::<${disc}>(${ptr}, ${offset}, ${i}) };`);
      if (arm.type) {
        const inner: string[] = [];
        this.store(arm.type, 'e', ptr, payload, inner, sink);
        for (const l of inner) out.push(`    ${l}`);
      }
      out.push('  }');
    });
    out.push('}');
  }

  /** An expression lifting core values into an owned value. */
  lift(type: Type, values: string[]): string {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        switch (t.name) {
          case 'bool':
            return `(${values[0]} != 0)`;
          case 'char':
            return `unsafe { ::core::char::from_u32_unchecked(${values[0]} as u32) }`;
          case 'string':
            return `unsafe { ${RT}::string(${values[0]}, ${values[1]}) }`;
          default:
            return `(${values[0]} as ${this.names.ty(t)})`;
        }
      case 'list':
        if (isPlainPrim(t.element))
          return `unsafe { ${RT}::list::<${this.names.ty(t.element)}>(${values[0]}, ${values[1]}) }`;
        return this.#liftList(t.element, values[0]!, values[1]!);
      case 'own':
        return `unsafe { ${this.names.defPath(t.resource)}::from_handle(${values[0]}) }`;
      case 'borrow':
        if (this.names.isExported(t.resource))
          return `unsafe { &*(${values[0]} as *const ${this.names.repType(t.resource)}) }`;
        return `&::core::mem::ManuallyDrop::new(unsafe { ${this.names.defPath(t.resource)}::from_handle(${values[0]}) })`;
      case 'tuple': {
        let at = 0;
        const parts = t.types.map((m) => {
          const n = flat(m).length;
          const e = this.lift(m, values.slice(at, at + n));
          at += n;
          return `${e},`;
        });
        return `(${parts.join(' ')})`;
      }
      case 'option':
      case 'result':
        return this.#liftVariant(t, values);
      case 'ref':
        break;
    }
    const def = t.def;
    const body = def.body;
    const path = this.names.defPath(def);
    switch (body.kind) {
      case 'record': {
        let at = 0;
        const fields = body.fields.map((f) => {
          const n = flat(f.type).length;
          const e = this.lift(f.type, values.slice(at, at + n));
          at += n;
          return `${rustValue(f.name)}: ${e}`;
        });
        return `${path} { ${fields.join(', ')} }`;
      }
      case 'enum':
        return `match ${values[0]} { ${body.cases.map((c, i) => `${i} => ${path}::${rustType(c)}, `).join('')}_ => ${RT}::invalid() }`;
      case 'flags':
        return `${path} { bits: ${values.length > 0 ? `${values[0]} as _` : '0'} }`;
      case 'variant':
        return this.#liftVariant(t, values);
      default:
        throw new Error(`cannot lift ${def.name}`);
    }
  }

  #liftVariant(t: Type, values: string[]): string {
    const joined = flat(t);
    const { arms } = this.#variant(t);
    const parts = arms.map((arm, i) => {
      if (!arm.type) return `${i} => ${arm.construct()}, `;
      const types = flat(arm.type);
      const e = this.lift(
        arm.type,
        types.map((ct, k) => narrow(values[k + 1]!, joined[k + 1]!, ct)),
      );
      return `${i} => ${arm.construct(e)}, `;
    });
    return `match ${values[0]} { ${parts.join('')}_ => ${RT}::invalid() }`;
  }

  #liftList(element: Type, ptr: string, len: string): string {
    const s = size(element);
    const a = align(element);
    const i = this.tmp('i');
    const base = this.tmp('base');
    const n = this.tmp('n');
    const v = this.tmp('v');
    return `{ let ${base} = ${ptr}; let ${n} = ${len} as usize; let mut ${v} = ${STD.vec}::with_capacity(${n}); for ${i} in 0..${n} { ${v}.push(${this.load(element, `${base} + (${i} * ${s}) as i32`, 0)}); } unsafe { ${RT}::dealloc(${base}, ${n} * ${s}, ${a}) }; ${v} }`;
  }

  /** An expression loading an owned value from `ptr + offset`. */
  load(type: Type, ptr: string, offset: number): string {
    const t = unalias(type);
    const get = (memType: string, off: number) => `unsafe { ${RT}::load::<${memType}>(${ptr}, ${off}) }`;
    if (t.kind === 'prim' && t.name !== 'string') {
      const raw = get(PRIM_MEM[t.name]!, offset);
      if (t.name === 'bool') return `(${raw} != 0)`;
      if (t.name === 'char') return `unsafe { ::core::char::from_u32_unchecked(${raw}) }`;
      return raw;
    }
    switch (t.kind) {
      case 'prim':
      case 'list':
        return this.lift(t, [get('i32', offset), get('i32', offset + 4)]);
      case 'own':
      case 'borrow':
        return this.lift(t, [get('i32', offset)]);
      case 'tuple': {
        const offsets = memberOffsets(t);
        return `(${t.types.map((m, i) => `${this.load(m, ptr, offset + offsets[i]!)},`).join(' ')})`;
      }
      case 'option':
      case 'result':
        return this.#loadVariant(t, ptr, offset);
      case 'ref':
        break;
    }
    const def = t.def;
    const body = def.body;
    const path = this.names.defPath(def);
    switch (body.kind) {
      case 'record': {
        const offsets = memberOffsets(t);
        return `${path} { ${body.fields.map((f, i) => `${rustValue(f.name)}: ${this.load(f.type, ptr, offset + offsets[i]!)}`).join(', ')} }`;
      }
      case 'enum': {
        const d = discriminantSize(body.cases.length);
        return this.lift(t, [`(${get(d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32', offset)} as i32)`]);
      }
      case 'flags': {
        const s = size(t);
        return s === 0
          ? `${path} { bits: 0 }`
          : `${path} { bits: ${get(s === 1 ? 'u8' : s === 2 ? 'u16' : 'u32', offset)} }`;
      }
      case 'variant':
        return this.#loadVariant(t, ptr, offset);
      default:
        throw new Error(`cannot load ${def.name}`);
    }
  }

  #loadVariant(t: Type, ptr: string, offset: number): string {
    const cases = variantCases(t)!;
    const d = discriminantSize(cases.length);
    const disc = `unsafe { ${RT}::load::<${d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32'}>(${ptr}, ${offset}) }`;
    const payload = offset + payloadOffset(t);
    const { arms } = this.#variant(t);
    const parts = arms.map(
      (arm, i) =>
        `${i} => ${arm.type ? arm.construct(this.load(arm.type, ptr, payload)) : arm.construct()}, `,
    );
    return `match ${disc} { ${parts.join('')}_ => ${RT}::invalid() }`;
  }

  /** Statements freeing what a value stored at `ptr + offset` owns (post-return). */
  freeStored(type: Type, ptr: string, offset: number, out: string[]): void {
    const t = unalias(type);
    const get = (memType: string, off: number) => `unsafe { ${RT}::load::<${memType}>(${ptr}, ${off}) }`;
    switch (t.kind) {
      case 'prim':
        if (t.name === 'string') {
          out.push(
            `unsafe { ${RT}::dealloc(${get('i32', offset)}, ${get('i32', offset + 4)} as usize, 1) };`,
          );
        }
        return;
      case 'list': {
        const s = size(t.element);
        const a = align(t.element);
        const base = this.tmp('base');
        const n = this.tmp('n');
        out.push(`let ${base} = ${get('i32', offset)};`, `let ${n} = ${get('i32', offset + 4)} as usize;`);
        const inner: string[] = [];
        const i = this.tmp('i');
        this.freeStored(t.element, `(${base} + (${i} * ${s}) as i32)`, 0, inner);
        if (inner.length > 0) out.push(`for ${i} in 0..${n} {`, ...inner.map((l) => `  ${l}`), '}');
        out.push(`unsafe { ${RT}::dealloc(${base}, ${n} * ${s}, ${a}) };`);
        return;
      }
      case 'tuple': {
        const offsets = memberOffsets(t);
        t.types.forEach((m, i) => {
          this.freeStored(m, ptr, offset + offsets[i]!, out);
        });
        return;
      }
      case 'option':
      case 'result':
        this.#freeVariant(t, ptr, offset, out);
        return;
      case 'ref': {
        const body = t.def.body;
        if (body.kind === 'record') {
          const offsets = memberOffsets(t);
          body.fields.forEach((f, i) => {
            this.freeStored(f.type, ptr, offset + offsets[i]!, out);
          });
        } else if (body.kind === 'variant') this.#freeVariant(t, ptr, offset, out);
        return;
      }
      default:
        return;
    }
  }

  #freeVariant(t: Type, ptr: string, offset: number, out: string[]): void {
    const cases = variantCases(t)!;
    const d = discriminantSize(cases.length);
    const payload = offset + payloadOffset(t);
    const arms: string[] = [];
    cases.forEach((c, i) => {
      if (!c) return;
      const inner: string[] = [];
      this.freeStored(c, ptr, payload, inner);
      if (inner.length > 0) arms.push(`  ${i} => {`, ...inner.map((l) => `    ${l}`), '  }');
    });
    if (arms.length === 0) return;
    out.push(
      `match unsafe { ${RT}::load::<${d === 1 ? 'u8' : d === 2 ? 'u16' : 'u32'}>(${ptr}, ${offset}) } {`,
      ...arms,
      '  _ => {}',
      '}',
    );
  }
}

/** A module tree: items by module path. */
class Modules {
  readonly #items = new Map<string, string[]>();
  add(path: string[], item: string): void {
    const key = path.join('::');
    const list = this.#items.get(key) ?? [];
    list.push(item);
    this.#items.set(key, list);
  }
  render(): string {
    interface Node {
      items: string[];
      children: Map<string, Node>;
    }
    const root: Node = { items: [], children: new Map() };
    for (const [key, items] of [...this.#items].sort(([a], [b]) => a.localeCompare(b))) {
      let node = root;
      for (const seg of key === '' ? [] : key.split('::')) {
        let child = node.children.get(seg);
        if (!child) {
          child = { items: [], children: new Map() };
          node.children.set(seg, child);
        }
        node = child;
      }
      node.items.push(...items);
    }
    const emit = (node: Node, indent: string): string[] => {
      const lines: string[] = [];
      for (const item of node.items) lines.push(...item.split('\n').map((l) => (l ? indent + l : l)), '');
      for (const [name, child] of node.children) {
        lines.push(`${indent}pub mod ${name} {`, ...emit(child, `${indent}    `), `${indent}}`, '');
      }
      return lines;
    };
    return emit(root, '').join('\n');
  }
}

interface Target {
  func: Func;
  owner: Interface | World;
  iface?: Interface;
}

function ifaceFuncs(iface: Interface): Func[] {
  return [...iface.types.flatMap((d) => (d.body.kind === 'resource' ? d.body.funcs : [])), ...iface.funcs];
}

/** The Rust name of a function (resource functions: their member name; a constructor is `new`). */
function fnName(func: Func): string {
  return func.kind === 'constructor' ? 'new' : rustValue(func.name);
}

export interface RustBindings {
  /** `bindings.rs` */
  source: string;
}

/** Generate a world's Rust bindings module. */
export function generateRust(world: World): RustBindings {
  const names = new RustNames(world);
  const emit = new Emitter(names);
  const mods = new Modules();
  const claimed = new Map<string, string>();
  const claim = (path: string, what: string) => {
    const prev = claimed.get(path);
    if (prev !== undefined && prev !== what)
      throw new NameError(`${prev} and ${what} both become \`${path}\` in Rust`);
    claimed.set(path, what);
  };
  let retArea = 0;
  let coreId = 0;

  // Types.
  for (const owner of typeOwners(world)) {
    const mod = names.modulePath(owner);
    for (const def of owner.types) {
      const what = `type ${def.name} of ${owner.kind === 'world' ? `world ${owner.name}` : owner.id}`;
      const name = rustType(def.name);
      claim(`${mod.join('::')}::${name}`, what);
      mods.add(mod, typeDef(def, name, what, names));
    }
  }

  const collect = (items: World['imports']): Target[] =>
    items.flatMap((item): Target[] => {
      if (item.kind === 'func') return [{ func: item.func, owner: world }];
      if (item.kind === 'interface')
        return ifaceFuncs(item.iface).map((func) => ({ func, owner: item.iface, iface: item.iface }));
      return [];
    });

  // Imports.
  const resourceImpls = new Map<TypeDef, string[]>();
  for (const target of collect(world.imports)) {
    const { func, iface } = target;
    const mod = names.modulePath(target.owner);
    const what = `import ${iface ? `${iface.id}#` : ''}${func.name}`;
    const sig = coreSignature(func, 'import');
    const core = `__import${coreId++}`;
    const { module, name: importAs } = importName(func, iface);
    const params = func.params.map((p, i) => {
      const t = unalias(p.type);
      const name = func.kind === 'method' && i === 0 ? 'self' : rustValue(p.name);
      if (func.kind === 'method' && i === 0) return { name, decl: '&self', type: p.type, borrowed: false };
      if (t.kind === 'prim' && t.name === 'string')
        return { name, decl: `${name}: &str`, type: p.type, borrowed: true };
      if (t.kind === 'list' && isPlainPrim(t.element)) {
        return { name, decl: `${name}: &[${names.ty(t.element)}]`, type: p.type, borrowed: true };
      }
      return { name, decl: `${name}: ${names.ty(p.type)}`, type: p.type, borrowed: false };
    });
    distinct(
      func.params.map((p) => p.name),
      rustValue,
      what,
    );
    const body: string[] = [
      'let mut keep: ::std::vec::Vec<::std::boxed::Box<dyn ::core::any::Any>> = ::std::vec::Vec::new();',
    ];
    const args: string[] = [];
    const lowerParam = (p: (typeof params)[number]): string[] => {
      if (p.borrowed) return [`${p.name}.as_ptr() as i32`, `${p.name}.len() as i32`];
      if (p.name === 'self') return [`self.handle()`];
      return emit.lower(p.type, p.name, body, 'keep');
    };
    if (sig.paramsInMemory) {
      const tuple: Type = { kind: 'tuple', types: func.params.map((p) => p.type) };
      const area = emit.tmp('area');
      body.push(
        `let mut ${area} = [0u64; ${Math.ceil(size(tuple) / 8)}];`,
        `let ${area}p = ${area}.as_mut_ptr() as i32;`,
      );
      const offsets = memberOffsets(tuple);
      params.forEach((p, i) => {
        const at = `${area}p`;
        if (p.borrowed) {
          body.push(
            `unsafe { ${RT}::store::<i32>(${at}, ${offsets[i]}, ${p.name}.as_ptr() as i32) };`,
            `unsafe { ${RT}::store::<i32>(${at}, ${offsets[i]! + 4}, ${p.name}.len() as i32) };`,
          );
        } else if (p.name === 'self') {
          body.push(`unsafe { ${RT}::store::<i32>(${at}, ${offsets[i]}, self.handle()) };`);
        } else emit.store(p.type, p.name, at, offsets[i]!, body, 'keep');
      });
      args.push(`${area}p`);
    } else {
      for (const p of params) args.push(...lowerParam(p));
    }
    let returns = '';
    if (func.result) {
      returns = ` -> ${names.ty(func.result)}`;
      if (sig.resultInMemory) {
        const area = emit.tmp('ret');
        body.push(
          `let mut ${area} = [0u64; ${Math.ceil(size(func.result) / 8)}];`,
          `let ${area}p = ${area}.as_mut_ptr() as i32;`,
        );
        args.push(`${area}p`);
        body.push(
          `unsafe { ${core}(${args.join(', ')}) };`,
          'drop(keep);',
          emit.load(func.result, `${area}p`, 0),
        );
      } else {
        body.push(
          `let r = unsafe { ${core}(${args.join(', ')}) };`,
          'drop(keep);',
          emit.lift(func.result, ['r']),
        );
      }
    } else body.push(`unsafe { ${core}(${args.join(', ')}) };`, 'drop(keep);');
    const coreParams = sig.params.map((p, i) => `_: ${CORE_RS[p]}`.replace('_', `a${i}`)).join(', ');
    const coreRet = sig.results.length > 0 ? ` -> ${CORE_RS[sig.results[0]!]}` : '';
    const fn = [
      `/// ${iface ? `${iface.id}#` : ''}${func.name}`,
      `pub fn ${fnName(func)}(${params.map((p) => p.decl).join(', ')})${returns} {`,
      `    #[link(wasm_import_module = ${rustString(module)})]`,
      `    extern "C" {`,
      `        #[link_name = ${rustString(importAs)}]`,
      `        fn ${core}(${coreParams})${coreRet};`,
      '    }',
      ...body.map((l) => `    ${l}`),
      '}',
    ].join('\n');
    if (func.resource) {
      claim(`${mod.join('::')}::${rustType(func.resource.name)}::${fnName(func)}`, what);
      const list = resourceImpls.get(func.resource) ?? [];
      list.push(fn);
      resourceImpls.set(func.resource, list);
    } else {
      claim(`${mod.join('::')}::${fnName(func)}`, what);
      mods.add(mod, fn);
    }
  }

  // Resources: handle structs, drops, and for exported ones the guest's trait and intrinsics.
  const resources = [...world.imports, ...world.exports].flatMap((item) =>
    item.kind === 'interface'
      ? item.iface.types.filter((d) => d.body.kind === 'resource').map((def) => ({ def, iface: item.iface }))
      : [],
  );
  for (const { def, iface } of resources) {
    const mod = names.modulePath(iface);
    const name = rustType(def.name);
    const intrinsic = resourceImports(def, iface);
    const exported = names.isExported(def);
    const lines = [
      `impl ${name} {`,
      '    /// Take ownership of a handle.',
      '    pub unsafe fn from_handle(handle: i32) -> Self {',
      '        Self { handle }',
      '    }',
      '    /// The handle, still owned by this value.',
      '    pub fn handle(&self) -> i32 {',
      '        self.handle',
      '    }',
      '    /// Give the handle away (to the host).',
      '    pub fn into_handle(self) -> i32 {',
      '        let handle = self.handle;',
      '        ::core::mem::forget(self);',
      '        handle',
      '    }',
    ];
    for (const member of ['from_handle', 'handle', 'into_handle'])
      claim(`${mod.join('::')}::${name}::${member}`, `the ${member} of ${def.name}`);
    if (exported) {
      claim(`${mod.join('::')}::${name}::new`, `the constructor of ${def.name} handles`);
      claim(`${mod.join('::')}::${name}::get`, `the representation of ${def.name}`);
      lines.push(
        `    /// A new handle for your ${name}: the host holds it, and your value is dropped with its last handle.`,
        `    pub fn new<T: Guest${name}>(rep: T) -> Self {`,
        `        #[link(wasm_import_module = ${rustString(intrinsic.new.module)})]`,
        `        extern "C" {`,
        `            #[link_name = ${rustString(intrinsic.new.name)}]`,
        `            fn new(rep: i32) -> i32;`,
        '        }',
        `        let rep = ${STD.box}::into_raw(${STD.box}::new(rep)) as i32;`,
        '        Self { handle: unsafe { new(rep) } }',
        '    }',
        `    /// Your value behind the handle (T must be the type your Guest implementation names).`,
        `    pub fn get<T: Guest${name}>(&self) -> &T {`,
        `        #[link(wasm_import_module = ${rustString(intrinsic.rep.module)})]`,
        `        extern "C" {`,
        `            #[link_name = ${rustString(intrinsic.rep.name)}]`,
        `            fn rep(handle: i32) -> i32;`,
        '        }',
        '        unsafe { &*(rep(self.handle) as *const T) }',
        '    }',
      );
    }
    lines.push('}');
    const drop = [
      `impl ::core::ops::Drop for ${name} {`,
      '    fn drop(&mut self) {',
      `        #[link(wasm_import_module = ${rustString(intrinsic.drop.module)})]`,
      `        extern "C" {`,
      `            #[link_name = ${rustString(intrinsic.drop.name)}]`,
      `            fn drop(handle: i32);`,
      '        }',
      '        unsafe { drop(self.handle) }',
      '    }',
      '}',
    ];
    mods.add(mod, [...lines, '', ...drop].join('\n'));
    const impls = resourceImpls.get(def);
    if (impls)
      mods.add(
        mod,
        [`impl ${name} {`, ...impls.flatMap((f) => f.split('\n').map((l) => `    ${l}`)), '}'].join('\n'),
      );
    if (exported) {
      claim(`${mod.join('::')}::Guest${name}`, `the trait of ${def.name}`);
      const methods = (def.body.kind === 'resource' ? def.body.funcs : []).map(
        (func) => `    ${traitSignature(func, names, def)};`,
      );
      mods.add(
        mod,
        [
          `/// Implement for your ${name} (and name it in Guest::${name}).`,
          `pub trait Guest${name}: 'static {`,
          ...methods,
          '}',
        ].join('\n'),
      );
      const core = `__export${coreId++}`;
      mods.add(
        mod,
        [
          `#[export_name = ${rustString(resourceDtor(def, iface))}]`,
          `unsafe extern "C" fn ${core}(rep: i32) {`,
          `    ::core::mem::drop(${STD.box}::from_raw(rep as *mut ${names.repType(def)}));`,
          '}',
        ].join('\n'),
      );
    }
  }

  // Exports: traits the guest implements, and the core exports that call them.
  const traits = new Map<Interface | World, string[]>();
  for (const item of world.exports) {
    if (item.kind === 'interface') {
      const assoc = item.iface.types
        .filter((d) => d.body.kind === 'resource')
        .map((d) => `    type ${rustType(d.name)}: Guest${rustType(d.name)};`);
      traits.set(item.iface, assoc);
    }
  }
  for (const target of collect(world.exports)) {
    const { func, iface } = target;
    const owner = target.owner;
    const what = `export ${iface ? `${iface.id}#` : ''}${func.name}`;
    const sig = coreSignature(func, 'export');
    const core = `__export${coreId++}`;
    const exportAs = exportName(func, iface);
    distinct(
      func.params.map((p) => p.name),
      rustValue,
      what,
    );
    if (!func.resource) {
      const list = traits.get(owner) ?? [];
      list.push(`    ${traitSignature(func, names, undefined)};`);
      traits.set(owner, list);
      claim(`${names.modulePath(owner).join('::')}::Guest::${fnName(func)}`, what);
    }
    const coreParams = sig.params.map((p, i) => `a${i}: ${CORE_RS[p]}`);
    const body: string[] = [];
    const args: string[] = [];
    if (sig.paramsInMemory) {
      const tuple: Type = { kind: 'tuple', types: func.params.map((p) => p.type) };
      const offsets = memberOffsets(tuple);
      func.params.forEach((p, i) => {
        body.push(`let p${i} = ${emit.load(p.type, 'a0', offsets[i]!)};`);
        args.push(`p${i}`);
      });
      body.push(`unsafe { ${RT}::dealloc(a0, ${size(tuple)}, ${align(tuple)}) };`);
    } else {
      let at = 0;
      func.params.forEach((p, i) => {
        const n = flat(p.type).length;
        body.push(
          `let p${i} = ${emit.lift(
            p.type,
            coreParams.slice(at, at + n).map((_, k) => `a${at + k}`),
          )};`,
        );
        args.push(`p${i}`);
        at += n;
      });
    }
    let call: string;
    if (func.resource) {
      const trait = `Guest${rustType(func.resource.name)}`;
      const rep = names.repType(func.resource);
      const traitPath = `${names.path(func.resource.owner)}::${trait}`;
      if (func.kind === 'constructor') {
        call = `${names.defPath(func.resource)}::new(<${rep} as ${traitPath}>::new(${args.join(', ')}))`;
      } else call = `<${rep} as ${traitPath}>::${fnName(func)}(${args.join(', ')})`;
    } else
      call = `<crate::${names.worldType} as ${names.guestTrait(owner)}>::${fnName(func)}(${args.join(', ')})`;
    let coreRet = '';
    let post: string[] | undefined;
    if (func.result) {
      coreRet = ` -> ${CORE_RS[sig.results[0]!]}`;
      body.push(`let r = ${call};`);
      if (sig.resultInMemory) {
        retArea = Math.max(retArea, size(func.result));
        body.push('let area = unsafe { ::core::ptr::addr_of_mut!(crate::bindings::RET_AREA) } as i32;');
        emit.store(func.result, 'r', 'area', 0, body, 'leak');
        body.push('area');
        post = [];
        emit.freeStored(func.result, 'p', 0, post);
      } else {
        const values = emit.lower(func.result, 'r', body, 'leak');
        body.push(values[0]!);
      }
    } else body.push(`${call};`);
    const exportFn = [
      `#[export_name = ${rustString(exportAs)}]`,
      `unsafe extern "C" fn ${core}(${coreParams.join(', ')})${coreRet} {`,
      ...body.map((l) => `    ${l}`),
      '}',
    ];
    if (post && post.length > 0) {
      exportFn.push(
        `#[export_name = ${rustString(`cabi_post_${exportAs}`)}]`,
        `unsafe extern "C" fn ${core}_post(p: i32) {`,
        ...post.map((l) => `    ${l}`),
        '}',
      );
    }
    mods.add(names.modulePath(owner), exportFn.join('\n'));
  }
  for (const [owner, members] of traits) {
    const mod = names.modulePath(owner);
    claim(
      `${mod.join('::')}::Guest`,
      `the trait of ${owner.kind === 'world' ? `world ${owner.name}` : owner.id}`,
    );
    mods.add(
      mod,
      [
        `/// Implement on \`pub struct ${names.worldType}\` at your crate root.`,
        'pub trait Guest {',
        ...members,
        '}',
      ].join('\n'),
    );
  }

  const header = [
    `// Generated by Keel's Rust SDK from the WIT world ${world.package}/${world.name}. Do not edit.`,
    '// Include it from your crate root with `mod bindings;` and implement its Guest traits on',
    `// \`pub struct ${names.worldType};\`.`,
    '#![allow(dead_code, unused_imports, unused_mut, unused_unsafe, unused_variables, clippy::all)]',
    '#![allow(non_camel_case_types, non_snake_case, clashing_extern_declarations)]',
    '',
    '// Referencing __wasm_call_ctors makes this a reactor: wasm-ld then runs the constructors once,',
    '// from _initialize (called at instantiation), instead of wrapping every export with them and',
    '// the destructors (a command). Wrapped exports would call WASI from cabi_realloc and post-return,',
    "// which the canonical ABI forbids, and re-run libc's start-up on every call.",
    'extern "C" {',
    '    fn __wasm_call_ctors();',
    '}',
    '#[export_name = "_initialize"]',
    'unsafe extern "C" fn _initialize() {',
    '    __wasm_call_ctors();',
    '}',
    '',
    '/// The component model allocates in guest memory through this.',
    '#[export_name = "cabi_realloc"]',
    'unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {',
    `    ${RT}::realloc(old, old_size, align, new_size)`,
    '}',
    '',
    ...(retArea > 0
      ? [`static mut RET_AREA: [u64; ${Math.ceil(retArea / 8)}] = [0; ${Math.ceil(retArea / 8)}];`, '']
      : []),
  ];
  return { source: `${header.join('\n')}\n${mods.render()}` };
}

/** A trait method's signature for an exported function. */
function traitSignature(func: Func, names: RustNames, resource: TypeDef | undefined): string {
  const params = func.params.map((p, i) => {
    if (func.kind === 'method' && i === 0) return '&self';
    const t = unalias(p.type);
    if (resource && t.kind === 'borrow' && t.resource === resource) return `${rustValue(p.name)}: &Self`;
    return `${rustValue(p.name)}: ${names.ty(p.type)}`;
  });
  let result = func.result ? ` -> ${names.ty(func.result)}` : '';
  if (func.kind === 'constructor') result = ' -> Self';
  const where = func.kind === 'constructor' || func.kind === 'static' ? ' where Self: Sized' : '';
  return `fn ${fnName(func)}(${params.join(', ')})${result}${where}`;
}

/** The Rust item for a named type. */
function typeDef(def: TypeDef, name: string, what: string, names: RustNames): string {
  const body = def.body;
  const self: Type = { kind: 'ref', def };
  const derive = (extra: string) =>
    `#[derive(Debug${names.plain(self) ? `, Clone, PartialEq${extra}` : ''})]`;
  switch (body.kind) {
    case 'alias':
      return `pub type ${name} = ${names.ty(body.type)};`;
    case 'record':
      distinct(
        body.fields.map((f) => f.name),
        rustValue,
        what,
      );
      return [
        derive(''),
        `pub struct ${name} {`,
        ...body.fields.map((f) => `    pub ${rustValue(f.name)}: ${names.ty(f.type)},`),
        '}',
      ].join('\n');
    case 'variant':
      distinct(
        body.cases.map((c) => c.name),
        rustType,
        what,
      );
      return [
        derive(''),
        `pub enum ${name} {`,
        ...body.cases.map((c) => `    ${rustType(c.name)}${c.type ? `(${names.ty(c.type)})` : ''},`),
        '}',
      ].join('\n');
    case 'enum': {
      distinct(body.cases, rustType, what);
      const d = discriminantSize(body.cases.length);
      return [
        `#[repr(u${d * 8})]`,
        '#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]',
        `pub enum ${name} {`,
        ...body.cases.map((c, i) => `    ${rustType(c)} = ${i},`),
        '}',
      ].join('\n');
    }
    case 'flags': {
      distinct(body.flags, (f) => rustValue(f).toUpperCase(), what);
      if (body.flags.length > 32)
        throw new Error(`${what}: flags with more than 32 members are not supported by the Rust SDK`);
      const s = size(self);
      const bits = s <= 1 ? 'u8' : s === 2 ? 'u16' : 'u32';
      return [
        '#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]',
        `pub struct ${name} {`,
        `    pub bits: ${bits},`,
        '}',
        `impl ${name} {`,
        ...body.flags.map(
          (f, i) => `    pub const ${rustValue(f).toUpperCase()}: ${name} = ${name} { bits: 1 << ${i} };`,
        ),
        `    pub const fn empty() -> ${name} {`,
        `        ${name} { bits: 0 }`,
        '    }',
        `    pub const fn contains(self, other: ${name}) -> bool {`,
        '        self.bits & other.bits == other.bits',
        '    }',
        '}',
        `impl ::core::ops::BitOr for ${name} {`,
        '    type Output = Self;',
        '    fn bitor(self, other: Self) -> Self {',
        `        ${name} { bits: self.bits | other.bits }`,
        '    }',
        '}',
      ].join('\n');
    }
    case 'resource':
      return [
        `/// A handle to a ${def.name}; dropping it drops the handle.`,
        '#[derive(Debug)]',
        `pub struct ${name} {`,
        '    handle: i32,',
        '}',
      ].join('\n');
  }
}
