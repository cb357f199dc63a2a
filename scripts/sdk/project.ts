/**
 * A guest project: a folder with `keel.json` naming its language, its WIT world and its
 * sources. One build entry for every language (what `keel build` runs), and the build record
 * committed beside a built component: a hash of everything the build reads that Keel controls
 * (sources, WIT, the SDK runtime, the generated bindings), so a test can tell, without any
 * toolchain, that a committed component is still what its sources describe.
 *
 *   { "language": "c", "wit": "../world.wit", "world": "probe", "sources": ["probe.c"],
 *     "output": "probe.wasm" }
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateC } from './c/bindgen.js';
import { writeInside } from './files.js';
import { generateDeclarations } from './js/declarations.js';
import { generateRust } from './rust/bindgen.js';
import { type LoadedWorld, loadWorld, readGuestWit, readWitPackages } from './wit/load.js';

export const LANGUAGES = ['c', 'rust', 'js', 'ts', 'as'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Project {
  /** The project folder (absolute). */
  dir: string;
  language: Language;
  /** The WIT file or folder, relative to `dir`. */
  wit: string;
  /** The world to build; default: the only one in the guest's package. */
  world?: string;
  /** Source files (C), the crate root (Rust) or the entry module (JS, TS, AS), relative to `dir`. */
  sources: string[];
  /** The component to write, relative to `dir`. */
  output: string;
  /** C: extra clang flags, after Keel's. */
  cflags?: string[];
}

export class ProjectError extends Error {
  override readonly name = 'ProjectError';
}

/** The repository (or installed package) root: where `wit/` and `sdk/` are. */
export function keelRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'sdk', 'c', 'keel.h')) && existsSync(join(dir, 'wit'))) return dir;
    dir = dirname(dir);
  }
  throw new ProjectError('cannot find Keel’s root (sdk/c/keel.h and wit/)');
}

/** Read `keel.json` in `dir`, or tell what is missing. */
export function readProject(dir: string): Project {
  const abs = resolve(dir);
  const file = join(abs, 'keel.json');
  if (!existsSync(file)) {
    throw new ProjectError(
      `${relative(process.cwd(), abs) || '.'}: no keel.json (create a project with \`keel new <language> <dir>\`)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProjectError(`${file}: ${(error as Error).message}`);
  }
  const p = raw as Partial<Project>;
  if (typeof p !== 'object' || p === null) throw new ProjectError(`${file}: not an object`);
  if (!LANGUAGES.includes(p.language as Language)) {
    throw new ProjectError(`${file}: "language" must be one of ${LANGUAGES.join(', ')}`);
  }
  const strings = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');
  if (typeof p.wit !== 'string' || !strings(p.sources) || typeof p.output !== 'string') {
    throw new ProjectError(`${file}: needs "wit" (a path), "sources" (paths) and "output" (a path)`);
  }
  // A build writes its output, and bindings beside its sources: both stay inside the project
  // (the WIT may be shared from a parent folder: it is only read). Links are checked when
  // writing (files.ts).
  for (const [what, path] of [['output', p.output], ...p.sources!.map((s) => ['sources', s])] as const) {
    const rel = relative(abs, resolve(abs, path));
    if (isAbsolute(path) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`)) {
      throw new ProjectError(
        `${file}: ${what} "${path}" is outside the project folder: a build writes only inside it`,
      );
    }
  }
  if (p.world !== undefined && typeof p.world !== 'string')
    throw new ProjectError(`${file}: "world" must be a string`);
  if (p.cflags !== undefined && !(Array.isArray(p.cflags) && p.cflags.every((f) => typeof f === 'string'))) {
    throw new ProjectError(`${file}: "cflags" must be a list of strings`);
  }
  return {
    dir: abs,
    language: p.language as Language,
    wit: p.wit,
    sources: p.sources!,
    output: p.output,
    ...(p.world ? { world: p.world } : {}),
    ...(p.cflags ? { cflags: p.cflags } : {}),
  };
}

/** The project's world: its WIT joined with Keel's packages, resolved. */
export async function projectWorld(project: Project, root = keelRoot()): Promise<LoadedWorld> {
  const { source, deps } = readGuestWit(resolve(project.dir, project.wit));
  return loadWorld(source, [...readWitPackages(join(root, 'wit')), ...deps], project.world);
}

/** Files under a folder, sorted, for hashing. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** The generated bindings' text, per language (what a generator change alters). */
export function generatedBindings(project: Project, world: LoadedWorld): string {
  switch (project.language) {
    case 'c': {
      const c = generateC(world.world);
      return c.header + c.source;
    }
    case 'rust':
      return generateRust(world.world).source;
    case 'js':
    case 'ts':
      return generateDeclarations(world.world);
    default:
      return world.printed;
  }
}

/** The SDK runtime a language's build reads. */
function runtimeDir(language: Language, root: string): string {
  const dirs: Record<Language, string> = {
    c: 'sdk/c',
    rust: 'sdk/rust',
    js: 'sdk/js',
    ts: 'sdk/js',
    as: 'sdk/assemblyscript',
  };
  return join(root, dirs[language]);
}

/**
 * A hash of the build's inputs that Keel controls: the project's sources and keel.json, the
 * joined WIT, the generated bindings and the SDK runtime. Toolchain versions are recorded
 * beside it, not hashed (a rebuild with another compiler is checked by running the probe).
 */
export async function inputHash(project: Project, root = keelRoot()): Promise<string> {
  const world = await projectWorld(project, root);
  const hash = createHash('sha256');
  const add = (label: string, data: string | Uint8Array) => {
    hash.update(`${label}\0${data.length}\0`);
    hash.update(data);
  };
  add('keel.json', readFileSync(join(project.dir, 'keel.json')));
  for (const source of project.sources) {
    for (const file of filesUnder(resolve(project.dir, source)))
      add(relative(project.dir, file), readFileSync(file));
  }
  add('wit', world.source);
  add('bindings', generatedBindings(project, world));
  for (const file of filesUnder(runtimeDir(project.language, root)))
    add(relative(root, file), readFileSync(file));
  return hash.digest('hex');
}

export interface BuildRecord {
  /** sha256 of the inputs (see inputHash). */
  inputs: string;
  /** sha256 of the component. */
  output: string;
  bytes: number;
  /** The toolchain that built it: `clang version 14.0.6`. */
  toolchain: string;
}

export function recordPath(project: Project): string {
  return resolve(project.dir, `${project.output.replace(/\.wasm$/, '')}.build.json`);
}

export function readRecord(project: Project): BuildRecord | undefined {
  const file = recordPath(project);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BuildRecord) : undefined;
}

export function writeRecord(project: Project, record: BuildRecord): void {
  writeInside(project.dir, recordPath(project), `${JSON.stringify(record, null, 2)}\n`, 'the build record');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
