/**
 * Loading a guest's world: its WIT (a file, or a folder with `deps/`), Keel's packages from
 * `wit/`, joined into one source; validated and flattened by wasm-tools (through
 * jco-transpile, in-process); read into the model. The joined source is also what a build
 * embeds in the core module before `componentNew`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { componentEmbed, componentNew, componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { PackageSet, WitModelError, type World } from './model.js';
import { parseWit } from './syntax.js';

export interface WitPackageSource {
  /** `keel:kernel@0.1.0` */
  name: string;
  /** The package's items, without its `package ...;` line. */
  body: string;
  /** Where it was read from (for messages). */
  where: string;
}

/** Remove `//` and `/* *\/` comments (doc comments included). */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

const PACKAGE_LINE = /^\s*package\s+([^;\s{]+)\s*;/m;

/** A WIT package from a folder of `.wit` files (every file starts with the same `package` line). */
export function readWitPackage(dir: string): WitPackageSource {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wit'))
    .sort();
  if (files.length === 0) throw new WitModelError(`no .wit files in ${dir}`);
  let name: string | undefined;
  const bodies: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const decl = PACKAGE_LINE.exec(stripComments(text));
    if (!decl) throw new WitModelError(`${join(dir, file)}: no package declaration`);
    if (name !== undefined && decl[1] !== name) {
      throw new WitModelError(`${join(dir, file)}: package ${decl[1]} differs from ${name}`);
    }
    name = decl[1]!;
    bodies.push(stripComments(text).replace(PACKAGE_LINE, ''));
  }
  return { name: name!, body: bodies.join('\n'), where: dir };
}

/** Every package under a root: one per sub-directory. */
export function readWitPackages(root: string): WitPackageSource[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort()
    .map((d) => readWitPackage(join(root, d)));
}

/**
 * One WIT source: the guest's own package (first, as the root) followed by each dependency as
 * a nested package block. Comments of dependencies are dropped.
 */
export function joinWit(guest: string, packages: readonly WitPackageSource[]): string {
  const declared = PACKAGE_LINE.exec(stripComments(guest))?.[1];
  const nested = packages
    .filter((p) => p.name !== declared)
    .map((p) => `package ${p.name} {\n${stripComments(p.body)}\n}\n`);
  return [guest, ...nested].join('\n');
}

/**
 * A guest's WIT: a `.wit` file, or a folder whose `.wit` files are one package (its `deps/`
 * sub-folders are more packages). Returns the guest's own source and its dependencies.
 */
export function readGuestWit(path: string): { source: string; deps: WitPackageSource[] } {
  if (!statSync(path).isDirectory()) return { source: readFileSync(path, 'utf8'), deps: [] };
  const own = readWitPackage(path);
  return { source: `package ${own.name};\n${own.body}`, deps: readWitPackages(join(path, 'deps')) };
}

/** The worlds a WIT source declares at its top level (its own package). */
export function declaredWorlds(source: string): string[] {
  try {
    return parseWit(source).worlds.map((w) => w.name);
  } catch {
    return [];
  }
}

export interface LoadedWorld {
  world: World;
  /** The joined source (guest first, dependencies nested), for `componentEmbed`. */
  source: string;
  /** The world flattened, as wasm-tools prints it. */
  printed: string;
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

/**
 * Resolve `world` of the guest's WIT joined with `packages` (Keel's, and any others). wasm-tools
 * validates the whole source and flattens the world (includes, the interfaces its `use`s
 * import); the model is then built from the sources and that flattened world.
 */
export async function loadWorld(
  guest: string,
  packages: readonly WitPackageSource[],
  worldName?: string,
): Promise<LoadedWorld> {
  const own = parseWit(guest);
  const pkg = own.package;
  if (!pkg) throw new WitModelError('the guest WIT has no package declaration');
  const worlds = own.worlds.map((w) => w.name);
  const world = worldName ?? (worlds.length === 1 ? worlds[0] : undefined);
  if (!world) throw new WitModelError(`name the world to build (declared: ${worlds.join(', ') || 'none'})`);
  const source = joinWit(guest, packages);
  let printed: string;
  try {
    const dummy = await componentEmbed({ dummy: true, witSource: source, world });
    printed = await componentWit(await componentNew(dummy, []));
  } catch (error) {
    throw new WitModelError(`invalid WIT for world ${world}: ${errorText(error)}`);
  }
  const set = new PackageSet([
    { text: guest, where: pkg },
    ...packages.map((p) => ({ text: `package ${p.name};\n${p.body}`, where: p.where })),
  ]);
  return { world: set.world(printed, pkg, world), source, printed };
}
