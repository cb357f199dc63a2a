/**
 * The C generator: for any world, a header (`<world>.h`: every type, every import as a C
 * function, every export as a prototype the guest implements) and a source (`<world>.c`: the
 * canonical-ABI glue: core imports and exports, flat lifting and lowering, `cabi_realloc`,
 * `cabi_post_*`, resource intrinsics, free functions).
 *
 * Ownership, one rule: whoever receives a value owns it. An export's arguments belong to the
 * guest's function; what it returns belongs to the bindings, freed after the host has read it
 * (post-return). An import's arguments stay the caller's; what it returns is the caller's, to
 * free with `<type>_free` (strings: `keel_string_free`).
 */
import { cString, snake } from '../names.js';
import {
  type CoreType,
  coreSignature,
  exportName,
  flat,
  importName,
  paramsTuple,
  resourceDtor,
  resourceImports,
  size,
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
import { CTypes, cField } from './types.js';

export interface CBindings {
  /** `probe.h` */
  headerName: string;
  header: string;
  /** `probe.c` */
  sourceName: string;
  source: string;
}

const CORE_C: Record<CoreType, string> = { i32: 'int32_t', i64: 'int64_t', f32: 'float', f64: 'double' };

/** Convert a core value of type `from` to the joined slot type `to` (CanonicalABI.md's lower_flat_variant). */
function widen(expr: string, from: CoreType, to: CoreType): string {
  if (from === to) return expr;
  if (to === 'i32') return `keel_f32_bits(${expr})`; // f32 into i32
  // to i64
  if (from === 'i32') return `(int64_t)(uint32_t)(${expr})`;
  if (from === 'f32') return `(int64_t)(uint32_t)keel_f32_bits(${expr})`;
  return `keel_f64_bits(${expr})`;
}

/** The reverse: a slot of joined type `from` back to the case's core type `to`. */
function narrow(expr: string, from: CoreType, to: CoreType): string {
  if (from === to) return expr;
  if (from === 'i32') return `keel_bits_f32(${expr})`;
  if (to === 'i32') return `(int32_t)(${expr})`;
  if (to === 'f32') return `keel_bits_f32((int32_t)(${expr}))`;
  return `keel_bits_f64(${expr})`;
}

class Emitter {
  #n = 0;
  constructor(readonly types: CTypes) {}

  tmp(base: string): string {
    return `${base}${this.#n++}`;
  }

  /** Flatten the value at C lvalue `v` into core values; statements go to `out`. */
  lower(type: Type, v: string, out: string[]): string[] {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        switch (t.name) {
          case 'string':
            return [`(int32_t)(${v}).ptr`, `(int32_t)(${v}).len`];
          case 's64':
          case 'u64':
            return [`(int64_t)(${v})`];
          case 'f32':
          case 'f64':
            return [v];
          default:
            return [`(int32_t)(${v})`];
        }
      case 'list':
        return [`(int32_t)(${v}).ptr`, `(int32_t)(${v}).len`];
      case 'own':
        return [`(${v}).__handle`];
      case 'borrow':
        return this.types.isExportedResource(t.resource) ? [`(int32_t)(${v})`] : [`(${v}).__handle`];
      case 'tuple':
        return t.types.flatMap((m, i) => this.lower(m, `(${v}).f${i}`, out));
      case 'option':
      case 'result':
        return this.#lowerVariant(t, v, out);
      default:
        break;
    }
    const body = (t as { def: TypeDef }).def.body;
    if (body.kind === 'record')
      return body.fields.flatMap((f) => this.lower(f.type, `(${v}).${cField(f.name)}`, out));
    if (body.kind === 'enum') return [`(int32_t)(${v})`];
    if (body.kind === 'flags') return body.flags.length === 0 ? [] : [`(int32_t)(${v})`];
    return this.#lowerVariant(t, v, out);
  }

  #lowerVariant(t: Type, v: string, out: string[]): string[] {
    const joined = flat(t);
    const slots = joined.map((ct) => {
      const s = this.tmp('s');
      out.push(`${CORE_C[ct]} ${s} = 0;`);
      return s;
    });
    const cases = this.#cases(t, v);
    out.push(`switch ((int)${cases.tag}) {`);
    cases.payloads.forEach((p, i) => {
      out.push(`  case ${i}: {`, `    ${slots[0]} = ${i};`);
      if (p.type) {
        const inner: string[] = [];
        const values = this.lower(p.type, p.expr, inner);
        const types = flat(p.type);
        for (const line of inner) out.push(`    ${line}`);
        values.forEach((value, k) => {
          out.push(`    ${slots[k + 1]} = ${widen(value, types[k]!, joined[k + 1]!)};`);
        });
      }
      out.push('    break;', '  }');
    });
    out.push('}');
    return slots;
  }

  /** A variant-like value's tag expression and each case's payload lvalue. */
  #cases(t: Type, v: string): { tag: string; payloads: { type?: Type; expr: string }[] } {
    if (t.kind === 'option')
      return { tag: `(${v}).is_some`, payloads: [{ expr: '' }, { type: t.some, expr: `(${v}).val` }] };
    if (t.kind === 'result') {
      return {
        tag: `(${v}).is_err`,
        payloads: [
          t.ok ? { type: t.ok, expr: `(${v}).val.ok` } : { expr: '' },
          t.err ? { type: t.err, expr: `(${v}).val.err` } : { expr: '' },
        ],
      };
    }
    const body = (t as { def: TypeDef }).def.body;
    if (body.kind !== 'variant') throw new Error('not a variant');
    return {
      tag: `(${v}).tag`,
      payloads: body.cases.map((c) =>
        c.type ? { type: c.type, expr: `(${v}).val.${cField(c.name)}` } : { expr: '' },
      ),
    };
  }

  /** Read core values `values` into the C lvalue `dst`; statements go to `out`. */
  lift(type: Type, values: string[], dst: string, out: string[]): void {
    const t = unalias(type);
    switch (t.kind) {
      case 'prim':
        switch (t.name) {
          case 'string':
            out.push(`(${dst}).ptr = (uint8_t *)(${values[0]});`, `(${dst}).len = (size_t)(${values[1]});`);
            return;
          case 'bool':
            out.push(`${dst} = (${values[0]}) != 0;`);
            return;
          default:
            out.push(`${dst} = (${this.types.c(t)})(${values[0]});`);
            return;
        }
      case 'list':
        out.push(
          `(${dst}).ptr = (${this.types.c(t.element)} *)(${values[0]});`,
          `(${dst}).len = (size_t)(${values[1]});`,
        );
        return;
      case 'own':
        out.push(`(${dst}).__handle = ${values[0]};`);
        return;
      case 'borrow':
        if (this.types.isExportedResource(t.resource))
          out.push(`${dst} = (${this.types.c(t)})(${values[0]});`);
        else out.push(`(${dst}).__handle = ${values[0]};`);
        return;
      case 'tuple': {
        let at = 0;
        t.types.forEach((m, i) => {
          const n = flat(m).length;
          this.lift(m, values.slice(at, at + n), `(${dst}).f${i}`, out);
          at += n;
        });
        return;
      }
      default:
        break;
    }
    const body = t.kind === 'ref' ? t.def.body : undefined;
    if (body?.kind === 'record') {
      let at = 0;
      for (const f of body.fields) {
        const n = flat(f.type).length;
        this.lift(f.type, values.slice(at, at + n), `(${dst}).${cField(f.name)}`, out);
        at += n;
      }
      return;
    }
    if (body?.kind === 'enum' || body?.kind === 'flags') {
      if (values.length > 0) out.push(`${dst} = (${this.types.c(t)})(${values[0]});`);
      else out.push(`${dst} = 0;`);
      return;
    }
    const joined = flat(t);
    const cases = this.#cases(t, dst);
    const isBool = t.kind === 'option' || t.kind === 'result';
    out.push(`switch (${values[0]}) {`);
    cases.payloads.forEach((p, i) => {
      out.push(`  case ${i}: {`, `    ${cases.tag} = ${isBool ? (i === 1 ? 'true' : 'false') : i};`);
      if (p.type) {
        const types = flat(p.type);
        const inner: string[] = [];
        this.lift(
          p.type,
          types.map((ct, k) => narrow(values[k + 1]!, joined[k + 1]!, ct)),
          p.expr,
          inner,
        );
        for (const line of inner) out.push(`    ${line}`);
      }
      out.push('    break;', '  }');
    });
    out.push('  default: __builtin_trap();', '}');
  }
}

interface Target {
  /** The C function the guest calls (imports) or implements (exports). */
  cName: string;
  func: Func;
  iface?: Interface;
}

/** The C function name of a WIT function: `keel_kernel_ipc_send`, `exports_probe_run`, `..._method_blob_size`. */
function funcCName(types: CTypes, func: Func, owner: Interface | World): string {
  const prefix = types.prefix(owner);
  switch (func.kind) {
    case 'freestanding':
      return `${prefix}_${snake(func.name)}`;
    case 'constructor':
      return `${prefix}_constructor_${snake(func.resource!.name)}`;
    case 'method':
      return `${prefix}_method_${snake(func.resource!.name)}_${snake(func.name)}`;
    case 'static':
      return `${prefix}_static_${snake(func.resource!.name)}_${snake(func.name)}`;
  }
}

function ifaceFuncs(iface: Interface): Func[] {
  const resourceFuncs = iface.types.flatMap((d) => (d.body.kind === 'resource' ? d.body.funcs : []));
  return [...resourceFuncs, ...iface.funcs];
}

/** The C prototype of a function, as the guest sees it. */
function prototype(
  types: CTypes,
  target: Target,
  direction: 'import' | 'export',
): {
  decl: string;
  params: { c: string; name: string; byPointer: boolean }[];
  ret?: { c: string; byValue: boolean };
} {
  const { func } = target;
  // Every type that crosses gets its free function, whether the bindings need it or not.
  for (const t of [...func.params.map((p) => p.type), ...(func.result ? [func.result] : [])]) {
    if (unalias(t).kind !== 'prim') types.free(t, '');
  }
  const params = func.params.map((p) => {
    const byPointer = !types.isScalar(p.type);
    const c = types.c(p.type);
    return { c, name: cField(p.name), byPointer };
  });
  const parts = params.map((p) =>
    p.byPointer ? `${direction === 'import' ? 'const ' : ''}${p.c} *${p.name}` : `${p.c} ${p.name}`,
  );
  let returns = 'void';
  let ret: { c: string; byValue: boolean } | undefined;
  if (func.result) {
    const c = types.c(func.result);
    if (types.isScalar(func.result)) {
      returns = c;
      ret = { c, byValue: true };
    } else {
      parts.push(`${c} *ret`);
      ret = { c, byValue: false };
    }
  }
  return {
    decl: `${returns} ${target.cName}(${parts.length > 0 ? parts.join(', ') : 'void'})`,
    params,
    ...(ret ? { ret } : {}),
  };
}

/** Generate the header and source of a world's C bindings. */
export function generateC(world: World): CBindings {
  const types = new CTypes(world);
  const emit = new Emitter(types);
  const name = snake(world.name);
  const guard = `KEEL_GUEST_${name.toUpperCase()}_H`;
  const headerFuncs: string[] = [];
  const sourceFuncs: string[] = [];
  let retAreaSize = 0;
  let coreId = 0;

  // Types first, owner by owner (dependencies first), so the header reads in WIT's order.
  for (const owner of typeOwners(world)) for (const def of owner.types) types.declareDef(def);

  const imports: Target[] = [];
  for (const item of world.imports) {
    if (item.kind === 'func') imports.push({ cName: funcCName(types, item.func, world), func: item.func });
    if (item.kind === 'interface') {
      for (const func of ifaceFuncs(item.iface)) {
        imports.push({ cName: funcCName(types, func, item.iface), func, iface: item.iface });
      }
    }
  }
  const exports: Target[] = [];
  for (const item of world.exports) {
    if (item.kind === 'func') {
      exports.push({ cName: funcCName(types, item.func, world), func: item.func });
    }
    if (item.kind === 'interface') {
      for (const func of ifaceFuncs(item.iface)) {
        exports.push({ cName: funcCName(types, func, item.iface), func, iface: item.iface });
      }
    }
  }

  // Imports: the core import, and the C function that lowers, calls and lifts.
  for (const target of imports) {
    const { func, iface } = target;
    types.names.claim(target.cName, `import ${iface ? `${iface.id}#` : ''}${func.name}`);
    const proto = prototype(types, target, 'import');
    const sig = coreSignature(func, 'import');
    const core = `__wasm_import_${coreId++}`;
    const { module, name: importAs } = importName(func, iface);
    const coreRet = sig.results.length === 0 ? 'void' : CORE_C[sig.results[0]!];
    const coreParams = sig.params.map((p) => CORE_C[p]).join(', ') || 'void';
    sourceFuncs.push(
      `__attribute__((__import_module__(${cString(module)}), __import_name__(${cString(importAs)})))\nextern ${coreRet} ${core}(${coreParams});`,
    );
    headerFuncs.push(`/** ${iface ? `${iface.id}#` : ''}${func.name} */\n${proto.decl};`);
    const body: string[] = [];
    const args: string[] = [];
    if (sig.paramsInMemory) {
      const tuple = types.c(paramsTuple(func));
      body.push(`${tuple} params;`);
      proto.params.forEach((p, i) => {
        body.push(`params.f${i} = ${p.byPointer ? `*${p.name}` : p.name};`);
      });
      args.push('(int32_t)&params');
    } else {
      func.params.forEach((p, i) => {
        const pp = proto.params[i]!;
        args.push(...emit.lower(p.type, pp.byPointer ? `(*${pp.name})` : pp.name, body));
      });
    }
    let tail: string[] = [];
    if (func.result) {
      if (sig.resultInMemory) {
        // The host writes the result straight into *ret: C layout is the canonical layout.
        args.push('(int32_t)ret');
        body.push(`${core}(${args.join(', ')});`);
      } else {
        const r = emit.tmp('r');
        body.push(`${CORE_C[sig.results[0]!]} ${r} = ${core}(${args.join(', ')});`);
        if (proto.ret!.byValue) {
          const v = emit.tmp('v');
          tail = [`${proto.ret!.c} ${v};`];
          emit.lift(func.result, [r], v, tail);
          tail.push(`return ${v};`);
        } else emit.lift(func.result, [r], '(*ret)', tail);
      }
    } else body.push(`${core}(${args.join(', ')});`);
    sourceFuncs.push(`${proto.decl} {\n${[...body, ...tail].map((l) => `  ${l}`).join('\n')}\n}`);
  }

  // Resource intrinsics.
  const resources = [...world.imports, ...world.exports].flatMap((item) =>
    item.kind === 'interface'
      ? item.iface.types.filter((d) => d.body.kind === 'resource').map((d) => ({ def: d, iface: item.iface }))
      : [],
  );
  for (const { def, iface } of resources) {
    const prefix = types.prefix(iface);
    const r = snake(def.name);
    const own = `${prefix}_own_${r}_t`;
    const intrinsic = resourceImports(def, iface);
    const drop = `__wasm_import_${coreId++}`;
    sourceFuncs.push(
      `__attribute__((__import_module__(${cString(intrinsic.drop.module)}), __import_name__(${cString(intrinsic.drop.name)})))\nextern void ${drop}(int32_t);`,
    );
    const dropName = types.names.claim(`${prefix}_${r}_drop_own`, `the drop of ${def.name}`);
    headerFuncs.push(`/** Drop an owned ${def.name} handle. */\nvoid ${dropName}(${own} handle);`);
    sourceFuncs.push(`void ${dropName}(${own} handle) {\n  ${drop}(handle.__handle);\n}`);
    if (!types.isExportedResource(def)) {
      const borrow = `${prefix}_borrow_${r}_t`;
      const borrowName = types.names.claim(`${prefix}_borrow_${r}`, `the borrow of ${def.name}`);
      headerFuncs.push(
        `/** Borrow an owned ${def.name} handle for a call. */\n${borrow} ${borrowName}(${own} handle);`,
      );
      sourceFuncs.push(
        `${borrow} ${borrowName}(${own} handle) {\n  return (${borrow}){ handle.__handle };\n}`,
      );
      continue;
    }
    const rep = `${types.defName(def)}_t`;
    const newCore = `__wasm_import_${coreId++}`;
    const repCore = `__wasm_import_${coreId++}`;
    sourceFuncs.push(
      `__attribute__((__import_module__(${cString(intrinsic.new.module)}), __import_name__(${cString(intrinsic.new.name)})))\nextern int32_t ${newCore}(int32_t);`,
      `__attribute__((__import_module__(${cString(intrinsic.rep.module)}), __import_name__(${cString(intrinsic.rep.name)})))\nextern int32_t ${repCore}(int32_t);`,
    );
    const newName = types.names.claim(`${prefix}_${r}_new`, `the constructor of ${def.name} handles`);
    const repName = types.names.claim(`${prefix}_${r}_rep`, `the representation of ${def.name}`);
    const dtorName = types.names.claim(`${prefix}_${r}_destructor`, `the destructor of ${def.name}`);
    headerFuncs.push(
      `/** A new handle for your ${def.name}: the host now holds it, and calls ${dtorName} when it is dropped. */\n${own} ${newName}(${rep} *rep);`,
      `/** Your ${def.name} behind an owned handle. */\n${rep} *${repName}(${own} handle);`,
      `/** Implement: the last handle to a ${def.name} was dropped; free it. */\nvoid ${dtorName}(${rep} *rep);`,
    );
    sourceFuncs.push(
      `${own} ${newName}(${rep} *rep) {\n  return (${own}){ ${newCore}((int32_t)rep) };\n}`,
      `${rep} *${repName}(${own} handle) {\n  return (${rep} *)${repCore}(handle.__handle);\n}`,
      `__attribute__((__export_name__(${cString(resourceDtor(def, iface))})))\nvoid __wasm_export_dtor_${coreId++}(int32_t rep) {\n  ${dtorName}((${rep} *)rep);\n}`,
    );
  }

  // Exports: the core export that lifts, calls the guest's function and lowers, and its post-return.
  for (const target of exports) {
    const { func, iface } = target;
    types.names.claim(target.cName, `export ${iface ? `${iface.id}#` : ''}${func.name}`);
    const proto = prototype(types, target, 'export');
    const sig = coreSignature(func, 'export');
    headerFuncs.push(`/** Implement: export ${iface ? `${iface.id}#` : ''}${func.name} */\n${proto.decl};`);
    const core = `__wasm_export_${coreId++}`;
    const coreParams = sig.params.map((p, i) => `${CORE_C[p]} a${i}`);
    const body: string[] = [];
    const args: string[] = [];
    if (sig.paramsInMemory) {
      const tuple = types.c(paramsTuple(func));
      body.push(`${tuple} params = *(${tuple} *)a0;`, 'free((void *)a0);');
      proto.params.forEach((p, i) => {
        args.push(p.byPointer ? `&params.f${i}` : `params.f${i}`);
      });
    } else {
      let at = 0;
      func.params.forEach((p, i) => {
        const pp = proto.params[i]!;
        const n = flat(p.type).length;
        const local = `p${i}`;
        body.push(`${pp.c} ${local};`);
        emit.lift(
          p.type,
          coreParams.slice(at, at + n).map((_, k) => `a${at + k}`),
          local,
          body,
        );
        at += n;
        args.push(pp.byPointer ? `&${local}` : local);
      });
    }
    const exportAs = exportName(func, iface);
    let coreRet = 'void';
    let post: string | undefined;
    if (func.result) {
      const ret = proto.ret!;
      coreRet = CORE_C[sig.results[0]!];
      if (ret.byValue) {
        body.push(`${ret.c} ret = ${target.cName}(${args.join(', ')});`);
      } else if (sig.resultInMemory) {
        retAreaSize = Math.max(retAreaSize, size(func.result));
        body.push(
          `${ret.c} *ret = (${ret.c} *)KEEL_RET_AREA;`,
          `${target.cName}(${[...args, 'ret'].join(', ')});`,
        );
        body.push('return (int32_t)ret;');
        const freeStmt = types.free(func.result, `(${ret.c} *)p`);
        if (freeStmt) post = freeStmt;
      } else {
        body.push(`${ret.c} ret;`, `${target.cName}(${[...args, '&ret'].join(', ')});`);
      }
      if (!sig.resultInMemory) {
        const values = emit.lower(func.result, 'ret', body);
        body.push(`return ${values[0]};`);
      }
    } else body.push(`${target.cName}(${args.join(', ')});`);
    sourceFuncs.push(
      `__attribute__((__export_name__(${cString(exportAs)})))\n${coreRet} ${core}(${coreParams.join(', ') || 'void'}) {\n${body.map((l) => `  ${l}`).join('\n')}\n}`,
    );
    if (post) {
      sourceFuncs.push(
        `__attribute__((__export_name__(${cString(`cabi_post_${exportAs}`)})))\nvoid ${core}_post(int32_t p) {\n  ${post}\n}`,
      );
    }
  }

  const header = [
    `/* Generated by Keel's C SDK from the WIT world ${world.package}/${world.name}. Do not edit. */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#include "keel.h"',
    '',
    '#ifdef __cplusplus',
    'extern "C" {',
    '#endif',
    '',
    ...types.decls.flatMap((d) => [d, '']),
    ...types.freeDecls.flatMap((d) => [d, '']),
    ...headerFuncs.flatMap((d) => [d, '']),
    '#ifdef __cplusplus',
    '}',
    '#endif',
    '',
    `#endif /* ${guard} */`,
    '',
  ].join('\n');
  const source = [
    `/* Generated by Keel's C SDK from the WIT world ${world.package}/${world.name}. Do not edit. */`,
    `#include "${name}.h"`,
    '#include <stdlib.h>',
    '',
    '/* The component model allocates in guest memory through this: arguments to exports, results of imports. */',
    '__attribute__((__weak__, __export_name__("cabi_realloc")))',
    'void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {',
    '  (void)old_size;',
    '  if (new_size == 0) return (void *)align;',
    '  void *ret = realloc(ptr, new_size);',
    '  if (!ret) abort();',
    '  return ret;',
    '}',
    '',
    ...(retAreaSize > 0 ? [`static _Alignas(8) uint8_t KEEL_RET_AREA[${retAreaSize}];`, ''] : []),
    ...types.freeDefs.flatMap((d) => [d, '']),
    ...sourceFuncs.flatMap((d) => [d, '']),
  ].join('\n');
  return { headerName: `${name}.h`, header, sourceName: `${name}.c`, source };
}
