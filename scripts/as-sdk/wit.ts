/**
 * WIT for guest builds: gathering Keel's packages from `wit/`, joining them with a guest's own
 * WIT into one source (nested `package ... { }` blocks, so no `deps/` folder is needed), and
 * reading the resolved world's exports in the small type vocabulary the AssemblyScript SDK
 * binds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { componentEmbed, componentNew, componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';

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

/** Named types in scope where a function is declared: enums, by name. */
export type TypeScope = ReadonlyMap<string, string[]>;

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

/** `float32`/`float64` are the old spellings of `f32`/`f64`. */
const ALIASES: Record<string, ScalarName> = { float32: 'f32', float64: 'f64' };

export function parseType(text: string, where: string, scope: TypeScope = new Map()): WitType {
  const t = text.trim();
  if (t === 'string') return { kind: 'string' };
  const cases = scope.get(t);
  if (cases) return { kind: 'enum', name: t, cases };
  const scalar = (ALIASES[t] ?? t) as ScalarName;
  if (Object.hasOwn(SCALARS, scalar)) return { kind: 'scalar', name: scalar };
  const list = /^list\s*<(.+)>$/.exec(t);
  if (list) {
    const element = parseType(list[1]!, where, scope);
    if (element.kind === 'list' || element.kind === 'enum') {
      throw new WitError(
        `${where}: list<${list[1]}> (${element.kind === 'enum' ? 'lists of enums' : 'nested lists'}) is not supported by the AssemblyScript SDK yet`,
      );
    }
    return { kind: 'list', element };
  }
  throw new WitError(
    `${where}: type ${t} is not supported by the AssemblyScript SDK yet (supported: bool, s8..u64, f32, f64, string, enum, list<scalar>, list<string>)`,
  );
}

/** Split on commas that are not inside `<...>`. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Parse `func(a: T, b: U) -> R` for the function `name`. */
export function parseFunc(name: string, signature: string, scope: TypeScope = new Map()): WitFunction {
  const match = /^func\s*\((.*)\)\s*(?:->\s*(.+))?$/s.exec(signature.trim());
  if (!match) throw new WitError(`${name}: cannot read the signature "${signature}"`);
  const [, paramText = '', resultText] = match;
  const params = splitTop(paramText).map((p) => {
    const colon = p.indexOf(':');
    if (colon < 0) throw new WitError(`${name}: cannot read the parameter "${p}"`);
    const paramName = p.slice(0, colon).trim();
    return { name: paramName, type: parseType(p.slice(colon + 1), `${name}(${paramName})`, scope) };
  });
  const fn: WitFunction = { name, params };
  if (resultText !== undefined) {
    const trimmed = resultText.trim();
    if (trimmed.startsWith('(')) {
      throw new WitError(`${name}: named or multiple results are not supported by the AssemblyScript SDK`);
    }
    fn.result = parseType(trimmed, `${name} result`, scope);
  }
  return fn;
}

/** Remove `//` and `/* *\/` comments (doc comments included). */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** `enum name { a, b, c }` declarations in WIT text, by name. */
export function declaredEnums(text: string): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  for (const m of stripComments(text).matchAll(/\benum\s+([a-z][a-z0-9-]*)\s*\{([^}]*)\}/g)) {
    const cases = m[2]!
      .split(',')
      .map((c) => c.trim().replace(/^%/, ''))
      .filter((c) => c.length > 0);
    enums.set(m[1]!, cases);
  }
  return enums;
}

/**
 * The functions declared in an interface body (the text between its braces). Enums declared
 * in the body, or brought in by `use` (resolved through `resolveUse`), may type parameters
 * and results.
 */
export function interfaceFunctions(
  body: string,
  where: string,
  resolveUse: (iface: string) => string | undefined = () => undefined,
): WitFunction[] {
  const functions: WitFunction[] = [];
  const scope = declaredEnums(body);
  // Enum bodies contain commas, not semicolons, so they split off whole.
  const text = stripComments(body).replace(/\benum\s+[a-z][a-z0-9-]*\s*\{[^}]*\}/g, ';');
  for (const statement of text.split(';')) {
    const s = statement.trim();
    if (s.length === 0) continue;
    const use = /^use\s+([^\s.{]+(?:\.[^\s.{]+)*?)\.\{([^}]*)\}$/.exec(s);
    if (use) {
      const source = resolveUse(use[1]!);
      const available = source === undefined ? new Map<string, string[]>() : declaredEnums(source);
      for (const item of use[2]!
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0)) {
        const [original, alias] = item.split(/\s+as\s+/).map((n) => n.trim()) as [string, string?];
        const cases = available.get(original);
        if (cases) scope.set(alias ?? original, cases);
      }
      continue;
    }
    const fn = /^([a-z][a-z0-9-]*)\s*:\s*(func\b[\s\S]*)$/.exec(s);
    if (fn) {
      functions.push(parseFunc(fn[1]!, fn[2]!, scope));
      continue;
    }
    throw new WitError(
      `${where}: "${s.split('\n')[0]}" is not supported by the AssemblyScript SDK yet (only functions, enums and uses of enums)`,
    );
  }
  return functions;
}

/** The text between the brace at `open` and its match. */
function braced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  throw new WitError('unbalanced braces in WIT');
}

export interface WitPackage {
  /** `keel:kernel@0.1.0` */
  name: string;
  /** The package's items, without its `package ...;` line. */
  body: string;
}

/**
 * Read a WIT package from a directory of `.wit` files (every file starts with the same
 * `package` line).
 */
export function readWitPackage(dir: string): WitPackage {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wit'))
    .sort();
  if (files.length === 0) throw new WitError(`no .wit files in ${dir}`);
  let name: string | undefined;
  const bodies: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const decl = /^\s*package\s+([^;\s]+)\s*;/m.exec(stripComments(text));
    if (!decl) throw new WitError(`${join(dir, file)}: no package declaration`);
    if (name !== undefined && decl[1] !== name) {
      throw new WitError(`${join(dir, file)}: package ${decl[1]} differs from ${name}`);
    }
    name = decl[1]!;
    bodies.push(text.replace(/^\s*package\s+[^;\s]+\s*;/m, ''));
  }
  return { name: name!, body: bodies.join('\n') };
}

/** Every package under a `wit/` root: one per sub-directory. */
export function readWitPackages(root: string): WitPackage[] {
  return readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort()
    .map((d) => readWitPackage(join(root, d)));
}

/**
 * One WIT source: the guest's own package (first, as the root) followed by each dependency as
 * a nested package block. Doc comments of dependencies are dropped (nested blocks are parsed
 * without them).
 */
export function joinWit(guest: string, packages: readonly WitPackage[]): string {
  const declared = /^\s*package\s+([^;\s]+)\s*;/m.exec(stripComments(guest))?.[1];
  const nested = packages
    .filter((p) => p.name !== declared)
    .map((p) => `package ${p.name} {\n${stripComments(p.body)}\n}\n`);
  return [guest, ...nested].join('\n');
}

/** `keel:kernel@0.1.0` + `log` → `keel:kernel/log@0.1.0`. */
function qualified(pkg: string, iface: string): string {
  const at = pkg.indexOf('@');
  return at < 0 ? `${pkg}/${iface}` : `${pkg.slice(0, at)}/${iface}${pkg.slice(at)}`;
}

/**
 * The full name of an interface a `use` names from inside `within`: `types` in
 * `keel:kernel/handler@0.2.0` is `keel:kernel/types@0.2.0`; a qualified name stays as it is.
 */
function siblingInterface(within: string, used: string): string {
  if (used.includes(':')) return used;
  const at = within.indexOf('@');
  const base = at < 0 ? within : within.slice(0, at);
  const version = at < 0 ? '' : within.slice(at);
  return `${base.slice(0, base.lastIndexOf('/') + 1)}${used}${version}`;
}

/** Find the body of a named interface (`keel:hello/greeter@0.1.0`) in the joined source. */
function findInterface(source: string, name: string): string | undefined {
  const text = stripComments(source);
  const rootPkg = /^\s*package\s+([^;\s]+)\s*;/m.exec(text)?.[1];
  const blocks: { pkg: string; body: string }[] = [];
  const nestedRe = /package\s+([^\s{;]+)\s*\{/g;
  let rootText = text;
  for (let m = nestedRe.exec(text); m; m = nestedRe.exec(text)) {
    const body = braced(text, m.index + m[0].length - 1);
    blocks.push({ pkg: m[1]!, body });
    rootText = rootText.replace(body, '');
  }
  if (rootPkg) blocks.unshift({ pkg: rootPkg, body: rootText });
  for (const { pkg, body } of blocks) {
    const re = /interface\s+([a-z][a-z0-9-]*)\s*\{/g;
    for (let m = re.exec(body); m; m = re.exec(body)) {
      if (qualified(pkg, m[1]!) === name) return braced(body, m.index + m[0].length - 1);
    }
  }
  return undefined;
}

/**
 * Resolve `world` in `source` with wasm-tools (includes, versions, validation) and list what it
 * imports and the functions it exports, typed.
 */
export async function resolveWorld(source: string, world: string): Promise<ResolvedWorld> {
  let wit: string;
  try {
    const dummy = await componentEmbed({ dummy: true, witSource: source, world });
    wit = await componentWit(await componentNew(dummy, []));
  } catch (error) {
    throw new WitError(`invalid WIT for world ${world}: ${errorText(error)}`);
  }
  const worldAt = wit.search(/world\s+[\w-]+\s*\{/);
  if (worldAt < 0) throw new WitError(`wasm-tools printed no world for ${world}`);
  const body = braced(wit, wit.indexOf('{', worldAt));
  const imports: string[] = [];
  const exports: WitExport[] = [];
  const text = stripComments(body);
  // Statements of the world: `import x;`, `export f: func(...);`, `export i: interface { ... }`.
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const head = /^\s*(import|export)\s+([^\s:;{]+(?::[^\s;{]+)?)\s*(:?)\s*/.exec(rest);
    if (!head) {
      const skip = rest.search(/\S/);
      if (skip < 0) break;
      const end = rest.indexOf(';');
      if (end < 0) break;
      i += end + 1;
      continue;
    }
    const [all, direction, name, colon] = head as unknown as [string, string, string, string];
    let cursor = i + all.length;
    if (!colon) {
      // A named interface: `export keel:hello/greeter@0.1.0;`
      const end = text.indexOf(';', cursor);
      i = end + 1;
      if (direction === 'import') {
        imports.push(name);
        continue;
      }
      const iface = findInterface(source, name);
      if (iface === undefined) throw new WitError(`cannot find interface ${name} in the WIT sources`);
      const resolveUse = (used: string) => findInterface(source, siblingInterface(name, used));
      for (const fn of interfaceFunctions(iface, name, resolveUse)) {
        exports.push({ interface: name, fn, coreName: `${name}#${fn.name}` });
      }
      continue;
    }
    if (text.startsWith('interface', cursor)) {
      const open = text.indexOf('{', cursor);
      const inner = braced(text, open);
      cursor = open + inner.length + 2;
      i = cursor;
      if (direction === 'import') {
        throw new WitError(`${name}: inline interface imports are not supported by the AssemblyScript SDK`);
      }
      for (const fn of interfaceFunctions(inner, name)) {
        exports.push({ interface: name, fn, coreName: `${name}#${fn.name}` });
      }
      continue;
    }
    const end = text.indexOf(';', cursor);
    const signature = text.slice(cursor, end);
    i = end + 1;
    if (direction === 'import') {
      throw new WitError(`${name}: function imports are not supported by the AssemblyScript SDK yet`);
    }
    exports.push({ fn: parseFunc(name, signature), coreName: name });
  }
  return { wit, imports, exports };
}

/** A tool's error in one line: its message and causes, without backtraces. */
export function errorText(error: unknown): string {
  const payload = (error as { payload?: unknown })?.payload;
  const text = typeof payload === 'string' ? payload : error instanceof Error ? error.message : String(error);
  const lines = text
    .split('\n')
    .map((l) => l.trim().replace(/^\d+:\s*/, ''))
    .filter((l) => l.length > 0 && !/^(Caused by|Stack backtrace):?$/i.test(l) && !/^at /.test(l));
  return lines.slice(0, 4).join(': ') || 'unknown error';
}
