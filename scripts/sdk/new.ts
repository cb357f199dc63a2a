/**
 * `keel new <language> <dir>`: a working guest project from sdk/templates/: a world that
 * includes `keel:kernel/actor`, and a handler that logs, answers a request and publishes an
 * event, ready for `keel build`.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pascal, snake } from './names.js';
import { keelRoot, LANGUAGES, type Language, ProjectError } from './project.js';
import { rustType } from './rust/names.js';
import { isWitIdentifier } from './wit/syntax.js';

/** A WIT identifier from a folder name: `My Plugin_2` → `my-plugin-2`; `guest` if nothing is left. */
export function projectName(dir: string): string {
  const words = basename(resolve(dir))
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  // Each word of a WIT identifier starts with a letter.
  const name = words.map((w) => (/^[a-z]/.test(w) ? w : `n${w}`)).join('-');
  return isWitIdentifier(name) ? name : 'guest';
}

interface TemplateFile {
  /** Path in the project. */
  path: string;
  /** Path under sdk/templates/. */
  from: string;
}

const FILES: Record<Language, TemplateFile[]> = {
  c: [{ path: 'main.c', from: 'c/main.c' }],
  rust: [{ path: 'src/lib.rs', from: 'rust/src/lib.rs' }],
  as: [{ path: 'index.ts', from: 'as/index.ts' }],
  js: [{ path: 'index.js', from: 'js/index.js' }],
  ts: [{ path: 'index.ts', from: 'ts/index.ts' }],
};

const SOURCES: Record<Language, string[]> = {
  c: ['main.c'],
  rust: ['src/lib.rs'],
  as: ['index.ts'],
  js: ['index.js'],
  ts: ['index.ts'],
};

export interface NewProject {
  dir: string;
  name: string;
  files: string[];
}

/**
 * `dir` must not exist, or be an empty folder (or a link to one): anything else holds someone's
 * work (a project, a dotfile, a file) or leads nowhere (a dangling link), and is refused.
 */
function refuseTaken(dir: string, abs: string): void {
  try {
    lstatSync(abs);
  } catch {
    return; // nothing there: it is created
  }
  let isFolder: boolean;
  try {
    isFolder = statSync(abs).isDirectory();
  } catch {
    throw new ProjectError(`${dir} is a link that leads nowhere, not a folder: choose a new or empty folder`);
  }
  if (!isFolder) throw new ProjectError(`${dir} exists and is not a folder: choose a new or empty folder`);
  if (readdirSync(abs).length > 0) {
    throw new ProjectError(
      `${dir} exists and is not empty: Keel writes a new project only into a new or empty folder`,
    );
  }
}

/** Write a template project into `dir` (which must not exist or be empty). */
export function createProject(language: string, dir: string): NewProject {
  if (!LANGUAGES.includes(language as Language)) {
    throw new ProjectError(`unknown language "${language}" (one of ${LANGUAGES.join(', ')})`);
  }
  const lang = language as Language;
  const abs = resolve(dir);
  refuseTaken(dir, abs);
  const name = projectName(abs);
  const templates = join(keelRoot(), 'sdk', 'templates');
  const fill = (text: string, c: boolean) =>
    text
      .replaceAll('__WORLD__', rustType(name))
      .replaceAll('__NAME__', c ? snake(name) : name)
      .replaceAll('__PASCAL__', pascal(name));
  const keelJson = {
    language: lang,
    wit: 'wit/world.wit',
    world: name,
    sources: SOURCES[lang],
    output: `${name}.wasm`,
  };
  const written: [string, string][] = [
    ['keel.json', `${JSON.stringify(keelJson, null, 2)}\n`],
    ['wit/world.wit', fill(readFileSync(join(templates, 'world.wit'), 'utf8'), false)],
    ...FILES[lang].map((f): [string, string] => [
      f.path,
      fill(readFileSync(join(templates, f.from), 'utf8'), lang === 'c'),
    ]),
  ];
  for (const [path, text] of written) {
    const file = join(abs, path);
    mkdirSync(dirname(file), { recursive: true });
    // `wx`: never replace a file, even one that appeared since the folder was found empty.
    writeFileSync(file, text, { flag: 'wx' });
  }
  return { dir: abs, name, files: written.map(([p]) => p) };
}
