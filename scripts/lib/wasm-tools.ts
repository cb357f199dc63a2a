/**
 * jco-transpile's wasm-tools for fixtures (tests and benchmarks), with a disk cache of what they
 * make. wasm-tools is itself a compiled WebAssembly component: its first call costs a process
 * about a second of CPU, and the test suite's files, each in a process of its own, build the
 * same fixtures again and again (a third of them made a component this way).
 *
 * An output is stored under the sha256 of jco-transpile's version, the function and every input,
 * so a hit is the bytes the call itself would return; a call that throws is not stored (it runs,
 * and throws, again). Options outside the key (`witPath`, `metadata`, `features`) are not cached.
 * The cache is `node_modules/.cache/keel-wasm-tools` beside jco-transpile, or
 * `KEEL_WASM_TOOLS_CACHE` (`off`: no cache). Not for Keel's own builds: the SDK and the
 * guest-build scripts call wasm-tools directly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Tools = typeof import('@bytecodealliance/jco-transpile/wasm-tools');
export type EmbedOptions = Parameters<Tools['componentEmbed']>[0];

const SPECIFIER = '@bytecodealliance/jco-transpile/wasm-tools';

/** What this process's calls found in the cache: for the test that checks it works. */
export const wasmToolsCacheStats = { hits: 0, misses: 0 };

let tools: Promise<Tools> | undefined;
let where: { dir: string; version: string } | undefined;

function loadTools(): Promise<Tools> {
  tools ??= import(SPECIFIER);
  return tools;
}

/** jco-transpile's folder's node_modules/.cache, and its version (a new one makes new keys). */
function home(): { dir: string; version: string } {
  if (!where) {
    const entry = fileURLToPath(import.meta.resolve(SPECIFIER));
    const pkg = entry.slice(0, entry.lastIndexOf('/dist/'));
    const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
    const modules = pkg.slice(0, pkg.lastIndexOf('/node_modules/') + '/node_modules'.length);
    where = { dir: join(modules, '.cache', 'keel-wasm-tools'), version };
  }
  return where;
}

function cacheDir(): string | undefined {
  const chosen = process.env.KEEL_WASM_TOOLS_CACHE;
  if (chosen === 'off') return undefined;
  return chosen || home().dir;
}

/**
 * The output of `make` for these inputs (the tool's own version among them when it is not
 * jco-transpile's): from the cache, or made and stored.
 */
export async function cached(
  parts: (string | Uint8Array)[],
  make: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const dir = cacheDir();
  if (dir === undefined) return make();
  const hash = createHash('sha256').update(home().version);
  for (const part of parts) {
    // Each part's kind and length first, so that no two lists of parts hash the same bytes.
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${typeof part === 'string' ? 's' : 'b'}${bytes.byteLength}:`).update(bytes);
  }
  const file = join(dir, `${hash.digest('hex')}.wasm`);
  try {
    const hit = new Uint8Array(readFileSync(file));
    wasmToolsCacheStats.hits++;
    return hit;
  } catch {
    // Not there (or unreadable): make it.
  }
  const made = await make();
  wasmToolsCacheStats.misses++;
  try {
    mkdirSync(dir, { recursive: true });
    // Whole or not at all: another process may be writing or reading the same entry.
    const partial = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(partial, made);
    renameSync(partial, file);
  } catch {
    // A cache that cannot be written leaves the call uncached.
  }
  return made;
}

/** wasm-tools' `component embed`, cached (see above). */
export function componentEmbed(opts: EmbedOptions): Promise<Uint8Array> {
  const { binary, witSource, world, stringEncoding, dummy, ...rest } = opts;
  if (Object.keys(rest).length > 0 || witSource === undefined) {
    return loadTools().then((t) => t.componentEmbed(opts));
  }
  const parts = ['embed', witSource, world ?? '', stringEncoding ?? '', dummy === true ? 'dummy' : ''];
  return cached(binary ? [...parts, binary] : parts, () => loadTools().then((t) => t.componentEmbed(opts)));
}

/** wasm-tools' `component new`, with adapters by name, cached (see above). */
export function componentNew(
  bytes: Uint8Array,
  adapters: Array<[string, Uint8Array]> | undefined,
): Promise<Uint8Array> {
  const parts: (string | Uint8Array)[] = ['new', bytes, adapters === undefined ? 'no adapters' : 'adapters'];
  for (const [name, adapter] of adapters ?? []) parts.push(name, adapter);
  return cached(parts, () => loadTools().then((t) => t.componentNew(bytes, adapters)));
}

/** wasm-tools' `parse` of component or core WAT, cached (see above). */
export function parse(text: string): Promise<Uint8Array> {
  return cached(['parse', text], () => loadTools().then((t) => t.parse(text)));
}
