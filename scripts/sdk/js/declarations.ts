/**
 * TypeScript declarations of a world for JavaScript and TypeScript guests built with
 * componentize-js: one `declare module '<interface id>'` per import (what the guest imports
 * from), and `declare module 'keel:world'` with the shape of the exports the guest must
 * provide. Types follow componentize-js's (and jco's) JavaScript mapping of WIT.
 */
import { camel, NameError, pascal } from '../names.js';
import { type Func, type Interface, type Type, type TypeDef, unalias, type World } from '../wit/model.js';

const TYPED_ARRAYS: Record<string, string> = {
  u8: 'Uint8Array',
  s8: 'Int8Array',
  u16: 'Uint16Array',
  s16: 'Int16Array',
  u32: 'Uint32Array',
  s32: 'Int32Array',
  u64: 'BigUint64Array',
  s64: 'BigInt64Array',
  f32: 'Float32Array',
  f64: 'Float64Array',
};

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await'
  ).split(' '),
);

/** A parameter name that is not a reserved word. */
function param(name: string): string {
  const c = camel(name);
  return RESERVED.has(c) ? `${c}_` : c;
}

export class TsTypes {
  constructor(readonly world: World) {}

  /** The local name of a named type, as declared in its owner's module. */
  defName(def: TypeDef): string {
    return pascal(def.name);
  }

  /** A type as seen from `from` (types of another module are imported by name there). */
  ty(type: Type, uses: Set<TypeDef>): string {
    switch (type.kind) {
      case 'prim':
        switch (type.name) {
          case 'bool':
            return 'boolean';
          case 's64':
          case 'u64':
            return 'bigint';
          case 'char':
          case 'string':
            return 'string';
          default:
            return 'number';
        }
      case 'list': {
        const e = unalias(type.element);
        if (e.kind === 'prim' && TYPED_ARRAYS[e.name]) return TYPED_ARRAYS[e.name]!;
        return `Array<${this.ty(type.element, uses)}>`;
      }
      case 'option': {
        const inner = unalias(type.some);
        if (inner.kind === 'option')
          return `{ tag: 'none' } | { tag: 'some'; val: ${this.ty(type.some, uses)} }`;
        return `${this.ty(type.some, uses)} | undefined`;
      }
      case 'result':
        return `{ tag: 'ok'; val: ${type.ok ? this.ty(type.ok, uses) : 'undefined'} } | { tag: 'err'; val: ${type.err ? this.ty(type.err, uses) : 'undefined'} }`;
      case 'tuple':
        return `[${type.types.map((t) => this.ty(t, uses)).join(', ')}]`;
      case 'own':
      case 'borrow':
        uses.add(type.resource);
        return this.defName(type.resource);
      case 'ref':
        uses.add(type.def);
        return this.defName(type.def);
    }
  }

  /** A function's result: a `result` is its ok value (an error is thrown as a ComponentError). */
  resultType(func: Func, uses: Set<TypeDef>): string {
    if (!func.result) return 'void';
    const t = unalias(func.result);
    if (t.kind === 'result') return t.ok ? this.ty(t.ok, uses) : 'void';
    return this.ty(func.result, uses);
  }

  params(func: Func, uses: Set<TypeDef>, skipSelf: boolean): string {
    const seen = new Map<string, string>();
    const list = func.params.slice(skipSelf ? 1 : 0).map((p) => {
      const name = param(p.name);
      const prev = seen.get(name);
      if (prev !== undefined)
        throw new NameError(`${func.name}: ${prev} and ${p.name} both become \`${name}\` in JavaScript`);
      seen.set(name, p.name);
      return `${name}: ${this.ty(p.type, uses)}`;
    });
    return list.join(', ');
  }

  typeDecl(def: TypeDef, uses: Set<TypeDef>): string {
    const name = this.defName(def);
    const body = def.body;
    switch (body.kind) {
      case 'alias':
        return `export type ${name} = ${this.ty(body.type, uses)};`;
      case 'record':
        return `export interface ${name} {\n${body.fields.map((f) => `  ${camel(f.name)}: ${this.ty(f.type, uses)};`).join('\n')}\n}`;
      case 'variant':
        return `export type ${name} =\n${body.cases.map((c) => `  | { tag: '${c.name}'${c.type ? `; val: ${this.ty(c.type, uses)}` : ''} }`).join('\n')};`;
      case 'enum':
        return `export type ${name} = ${body.cases.map((c) => `'${c}'`).join(' | ')};`;
      case 'flags':
        return `export interface ${name} {\n${body.flags.map((f) => `  ${camel(f)}?: boolean;`).join('\n')}\n}`;
      case 'resource': {
        const members = body.funcs.map((f) => {
          if (f.kind === 'constructor') return `  constructor(${this.params(f, uses, false)});`;
          if (f.kind === 'static')
            return `  static ${camel(f.name)}(${this.params(f, uses, false)}): ${this.resultType(f, uses)};`;
          return `  ${camel(f.name)}(${this.params(f, uses, true)}): ${this.resultType(f, uses)};`;
        });
        return `export class ${name} {\n${members.join('\n')}\n}`;
      }
    }
  }
}

/** The module specifier a guest imports an interface from. */
function specifier(iface: Interface): string {
  return iface.id;
}

/** The name componentize-js expects an exported interface under: `keel:kernel/handler` → `handler`. */
export function exportBinding(iface: Interface): string {
  return camel(iface.name);
}

/** Declarations for a world: imports as modules, exports as `keel:world`'s `Exports`. */
export function generateDeclarations(world: World): string {
  const ts = new TsTypes(world);
  const out: string[] = [
    `// Generated by Keel's JavaScript SDK from the WIT world ${world.package}/${world.name}. Do not edit.`,
    '// Imports: `import { log } from "keel:kernel/log@0.2.0"`. Exports: see `keel:world`.',
    '// A `result` a function returns is its ok value; an error is thrown (as a ComponentError',
    '// carrying `payload`) by imports, and an export throws to return one.',
    '',
    '// Web APIs the engine (StarlingMonkey) provides without any WASI import.',
    'declare class TextEncoder {',
    '  encode(input?: string): Uint8Array;',
    '}',
    'declare class TextDecoder {',
    '  constructor(label?: string);',
    '  decode(input?: ArrayBufferView | ArrayBuffer): string;',
    '}',
    '',
  ];
  const moduleOf = (owner: Interface | World) =>
    owner.kind === 'interface' && owner.direction === 'import' ? specifier(owner) : 'keel:world';
  const blocks = new Map<string, { decls: string[]; uses: Set<TypeDef> }>();
  const block = (name: string) => {
    let b = blocks.get(name);
    if (!b) {
      b = { decls: [], uses: new Set() };
      blocks.set(name, b);
    }
    return b;
  };
  const declare = (owner: Interface | World, defs: readonly TypeDef[]) => {
    const b = block(moduleOf(owner));
    for (const def of defs) b.decls.push(ts.typeDecl(def, b.uses));
  };
  for (const item of world.imports) {
    if (item.kind === 'interface') {
      const iface = item.iface;
      declare(iface, iface.types);
      const b = block(specifier(iface));
      for (const f of iface.funcs)
        b.decls.push(
          `export function ${camel(f.name)}(${ts.params(f, b.uses, false)}): ${ts.resultType(f, b.uses)};`,
        );
    } else if (item.kind === 'func') {
      throw new NameError(
        `${item.func.name}: world-level function imports are not supported by the JavaScript SDK`,
      );
    }
  }
  declare(world, world.types);
  const exportsBlock = block('keel:world');
  const members: string[] = [];
  for (const item of world.exports) {
    if (item.kind === 'func') {
      members.push(
        `  ${camel(item.func.name)}(${ts.params(item.func, exportsBlock.uses, false)}): ${ts.resultType(item.func, exportsBlock.uses)};`,
      );
    } else if (item.kind === 'interface') {
      const iface = item.iface;
      declare(iface, iface.types);
      const name = pascal(iface.name);
      const fns = iface.funcs.map(
        (f) =>
          `  ${camel(f.name)}(${ts.params(f, exportsBlock.uses, false)}): ${ts.resultType(f, exportsBlock.uses)};`,
      );
      const resources = iface.types
        .filter((d) => d.body.kind === 'resource')
        .map((d) => `  ${pascal(d.name)}: typeof ${pascal(d.name)};`);
      exportsBlock.decls.push(
        `/** What \`export const ${exportBinding(iface)}\` must provide (${iface.id}). */\nexport interface ${name} {\n${[...resources, ...fns].join('\n')}\n}`,
      );
      members.push(`  ${exportBinding(iface)}: ${name};`);
    }
  }
  exportsBlock.decls.push(
    `/** Everything the guest's module must export. */\nexport interface Exports {\n${members.join('\n')}\n}`,
  );
  for (const [name, b] of blocks) {
    const imports = new Map<string, Set<string>>();
    for (const def of b.uses) {
      const from = moduleOf(def.owner);
      if (from === name) continue;
      const set = imports.get(from) ?? new Set();
      set.add(ts.defName(def));
      imports.set(from, set);
    }
    out.push(
      `declare module ${JSON.stringify(name)} {`,
      ...[...imports].map(
        ([from, names]) => `  import type { ${[...names].sort().join(', ')} } from ${JSON.stringify(from)};`,
      ),
      ...b.decls.flatMap((d) => d.split('\n').map((l) => `  ${l}`)),
      '}',
      '',
    );
  }
  return out.join('\n');
}
