/**
 * WIT for AssemblyScript guest builds, on the WIT model every SDK generator shares
 * (`scripts/sdk/wit/`): the resolved world's exports in the small type vocabulary the
 * AssemblyScript SDK binds, and anything outside it refused with the function and type named.
 */
import { componentEmbed, componentNew, componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { errorText } from '../sdk/wit/load.js';
import {
  type Func,
  type Interface,
  PackageSet,
  type Type,
  unalias,
  WitModelError,
} from '../sdk/wit/model.js';
import { parseWit } from '../sdk/wit/syntax.js';

export type { WitPackageSource as WitPackage } from '../sdk/wit/load.js';
export { errorText, joinWit, readWitPackage, readWitPackages, stripComments } from '../sdk/wit/load.js';

/** Scalar WIT types and their AssemblyScript spelling, byte size and core (flat) type. */
export const SCALARS = {
  bool: { as: 'bool', size: 1, core: 'i32' },
  s8: { as: 'i8', size: 1, core: 'i32' },
  u8: { as: 'u8', size: 1, core: 'i32' },
  s16: { as: 'i16', size: 2, core: 'i32' },
  u16: { as: 'u16', size: 2, core: 'i32' },
  s32: { as: 'i32', size: 4, core: 'i32' },
  u32: { as: 'u32', size: 4, core: 'i32' },
  s64: { as: 'i64', size: 8, core: 'i64' },
  u64: { as: 'u64', size: 8, core: 'i64' },
  f32: { as: 'f32', size: 4, core: 'f32' },
  f64: { as: 'f64', size: 8, core: 'f64' },
} as const;

export type ScalarName = keyof typeof SCALARS;

/** The WIT types the SDK binds today. Anything else is refused with the function named. */
export type WitType =
  | { kind: 'scalar'; name: ScalarName }
  | { kind: 'string' }
  | { kind: 'list'; element: WitType }
  | { kind: 'enum'; name: string; cases: string[] };

export interface WitParam {
  name: string;
  type: WitType;
}

export interface WitFunction {
  /** The function's WIT name: `greet`, `get-value`. */
  name: string;
  params: WitParam[];
  result?: WitType;
}

export interface WitExport {
  /** `undefined` for a world-level function; otherwise the interface's name as exported. */
  interface?: string;
  fn: WitFunction;
  /** The core export name the component model expects: `greet`, `keel:x/y@0.1.0#greet`. */
  coreName: string;
}

export interface ResolvedWorld {
  /** The world as wasm-tools prints it (includes resolved). */
  wit: string;
  /** Imported interfaces, versioned: `keel:kernel/log@0.1.0`. */
  imports: string[];
  exports: WitExport[];
}

export class WitError extends Error {
  override readonly name = 'WitError';
}

/** How a model type is written in WIT, for messages. */
function describe(type: Type): string {
  switch (type.kind) {
    case 'prim':
      return type.name;
    case 'list':
      return `list<${describe(type.element)}>`;
    case 'option':
      return `option<${describe(type.some)}>`;
    case 'result':
      return `result<${type.ok ? describe(type.ok) : '_'}, ${type.err ? describe(type.err) : '_'}>`;
    case 'tuple':
      return `tuple<${type.types.map(describe).join(', ')}>`;
    case 'own':
      return type.resource.name;
    case 'borrow':
      return `borrow<${type.resource.name}>`;
    case 'ref':
      return type.def.name;
  }
}

/** A model type in the AssemblyScript SDK's vocabulary, or WitError naming where it was met. */
export function asWitType(type: Type, where: string): WitType {
  const t = unalias(type);
  if (t.kind === 'prim' && t.name === 'string') return { kind: 'string' };
  if (t.kind === 'prim' && Object.hasOwn(SCALARS, t.name))
    return { kind: 'scalar', name: t.name as ScalarName };
  if (t.kind === 'ref' && t.def.body.kind === 'enum')
    return { kind: 'enum', name: t.def.name, cases: t.def.body.cases };
  if (t.kind === 'list') {
    const element = unalias(t.element);
    if (element.kind !== 'prim' || element.name === 'char') {
      const why =
        element.kind === 'list'
          ? 'nested lists'
          : element.kind === 'ref' && element.def.body.kind === 'enum'
            ? 'lists of enums'
            : `lists of ${describe(element)}`;
      throw new WitError(`${where}: ${describe(t)} (${why}) is not supported by the AssemblyScript SDK yet`);
    }
    return { kind: 'list', element: asWitType(element, where) };
  }
  throw new WitError(
    `${where}: type ${describe(t)} is not supported by the AssemblyScript SDK yet (supported: bool, s8..u64, f32, f64, string, enum, list<scalar>, list<string>)`,
  );
}

function asFunction(func: Func, where: string): WitFunction {
  if (func.kind !== 'freestanding') {
    throw new WitError(
      `${where}: resource ${func.resource!.name} is not supported by the AssemblyScript SDK yet`,
    );
  }
  const fn: WitFunction = {
    name: func.name,
    params: func.params.map((p) => ({ name: p.name, type: asWitType(p.type, `${func.name}(${p.name})`) })),
  };
  if (func.result) fn.result = asWitType(func.result, `${func.name} result`);
  return fn;
}

/** Parse `func(a: T, b: U) -> R` for the function `name` (a test and documentation helper). */
export function parseFunc(name: string, signature: string): WitFunction {
  let iface: Interface;
  try {
    iface = new PackageSet([
      { text: `package keel:parse; interface f { ${name}: ${signature}; }`, where: name },
    ]).interface('keel:parse', 'f');
  } catch (error) {
    throw new WitError(`${name}: cannot read the signature "${signature}": ${(error as Error).message}`);
  }
  return asFunction(iface.funcs[0]!, name);
}

function interfaceExports(iface: Interface): WitExport[] {
  const resource = iface.types.find((d) => d.body.kind === 'resource');
  if (resource) {
    throw new WitError(
      `${iface.id}: resource ${resource.name} is not supported by the AssemblyScript SDK yet`,
    );
  }
  return iface.funcs.map((f) => ({
    interface: iface.id,
    fn: asFunction(f, f.name),
    coreName: `${iface.id}#${f.name}`,
  }));
}

/**
 * Resolve `world` in `source` (the guest's package first, its dependencies as nested packages)
 * with wasm-tools (includes, versions, validation), read it into the shared WIT model, and list
 * what it imports and the functions it exports, typed.
 */
export async function resolveWorld(source: string, world: string): Promise<ResolvedWorld> {
  let wit: string;
  try {
    const dummy = await componentEmbed({ dummy: true, witSource: source, world });
    wit = await componentWit(await componentNew(dummy, []));
  } catch (error) {
    throw new WitError(`invalid WIT for world ${world}: ${errorText(error)}`);
  }
  let model: ReturnType<PackageSet['world']>;
  try {
    const pkg = parseWit(source).package ?? 'root:component';
    model = new PackageSet([{ text: source, where: pkg }]).world(wit, pkg, world);
  } catch (error) {
    if (error instanceof WitModelError) throw new WitError(error.message);
    throw error;
  }
  const imports: string[] = [];
  for (const item of model.imports) {
    if (item.kind === 'func') {
      throw new WitError(
        `${item.func.name}: function imports are not supported by the AssemblyScript SDK yet`,
      );
    }
    if (item.kind !== 'interface') continue;
    if (item.iface.package === undefined) {
      throw new WitError(
        `${item.iface.name}: inline interface imports are not supported by the AssemblyScript SDK`,
      );
    }
    imports.push(item.iface.id);
  }
  const exports: WitExport[] = [];
  for (const item of model.exports) {
    if (item.kind === 'func')
      exports.push({ fn: asFunction(item.func, item.func.name), coreName: item.func.name });
    else if (item.kind === 'interface') exports.push(...interfaceExports(item.iface));
  }
  return { wit, imports, exports };
}
