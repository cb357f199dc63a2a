/**
 * Build an AssemblyScript guest into a component:
 *
 *   WIT (guest + Keel's packages) → resolved world → export bindings (generated entry)
 *     → asc (optimized, deterministic) → core module with renamed exports
 *     → componentEmbed (the world's metadata) → componentNew → component bytes
 *
 * Nothing is written to disk: the generated entry is served to asc from memory. Same sources,
 * same compiler versions → the same bytes (the repository's committed guests are checked this
 * way by `test/sdk/build.test.ts`).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import type { Transform } from 'assemblyscript/asc';
import { type Bindings, generateBindings } from './bindgen.js';
import { errorText, joinWit, type ResolvedWorld, readWitPackages, resolveWorld } from './wit.js';

/** The repository root (scripts/as-sdk/ in the sources, dist/scripts/as-sdk/ when compiled). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(join(dir, 'sdk/assemblyscript/keel/index.ts'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('cannot find the repository root (sdk/assemblyscript/keel/index.ts)');
}

export type AbortMode = 'log' | 'trap';

export interface GuestBuildOptions {
  /** The guest's AssemblyScript entry (exports the world's functions), e.g. guests/as/hello/index.ts. */
  entry: string;
  /** The guest's WIT file: its own package with the world to build. */
  wit: string;
  /** World name in that file; default: the only world declared there. */
  world?: string;
  /**
   * What AssemblyScript's `abort` does: `log` sends the message to `keel:kernel/log` and traps;
   * `trap` just traps. Default: `log` when the world imports `keel:kernel/log`, else `trap`.
   */
  abort?: AbortMode;
  /** asc optimization level 0–3 (default 3) and shrink level 0–2 (default 0). */
  optimizeLevel?: number;
  shrinkLevel?: number;
  /** Extra WIT package directories (each a folder of .wit files); Keel's `wit/*` are always included. */
  witPackages?: string[];
}

export interface GuestBuild {
  component: Uint8Array;
  /** The core module as asc produced it, exports renamed, before embedding. */
  core: Uint8Array;
  world: ResolvedWorld;
  bindings: Bindings;
  /** asc diagnostics (warnings). */
  diagnostics: string;
}

export class GuestBuildError extends Error {
  override readonly name = 'GuestBuildError';
}

const ENTRY_NAME = '__keel_bindings__.ts';
const KERNEL_LOG = /^keel:kernel\/log(@|$)/;

/** The `world` declarations in a WIT source (comments ignored). */
function declaredWorlds(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  return [...text.matchAll(/(?:^|[\s;}])world\s+([a-z][a-z0-9-]*)\s*\{/g)].map((m) => m[1]!);
}

/** Build a guest; throws `GuestBuildError` with the first useful line of whatever failed. */
export async function buildGuest(options: GuestBuildOptions): Promise<GuestBuild> {
  const root = repoRoot();
  const entry = resolve(options.entry);
  const witFile = resolve(options.wit);
  const guestWit = readFileSync(witFile, 'utf8');
  const worlds = declaredWorlds(guestWit);
  const world = options.world ?? (worlds.length === 1 ? worlds[0] : undefined);
  if (!world) {
    throw new GuestBuildError(
      `${witFile}: name the world to build (declared: ${worlds.join(', ') || 'none'})`,
    );
  }
  const packages = [
    ...readWitPackages(join(root, 'wit')),
    ...(options.witPackages ?? []).flatMap((d) => readWitPackages(d)),
  ];
  const source = joinWit(guestWit, packages);
  let resolved: ResolvedWorld;
  try {
    resolved = await resolveWorld(source, world);
  } catch (error) {
    throw new GuestBuildError(`${witFile}: ${(error as Error).message}`);
  }
  const bindings = generateBindings(resolved.exports, `./${basename(entry).replace(/\.ts$/, '')}`);
  const abort = options.abort ?? (resolved.imports.some((i) => KERNEL_LOG.test(i)) ? 'log' : 'trap');
  const { core, diagnostics } = await compile(root, entry, bindings, abort, options, resolved.imports);
  checkImports(core, resolved, relative(root, entry));
  let component: Uint8Array;
  try {
    const embedded = await componentEmbed({ binary: core, witSource: source, world, stringEncoding: 'utf8' });
    component = await componentNew(embedded, []);
  } catch (error) {
    throw new GuestBuildError(`${relative(root, entry)}: componentNew failed: ${errorText(error)}`);
  }
  return { component, core, world: resolved, bindings, diagnostics };
}

const SDK_EXTERNAL = /@external\("(keel:kernel\/[a-z][a-z0-9-]*)@[^"]*"/g;

/**
 * The SDK's bindings name the newest `keel:kernel` version; a guest whose world imports an
 * older one (a 0.1.0 guest importing `keel:kernel/log@0.1.0`) gets that version's import
 * names instead, so one SDK builds guests of every version the kernel serves.
 */
export function importVersions(source: string, worldImports: readonly string[]): string {
  const byInterface = new Map(worldImports.map((i) => [i.replace(/@.*$/, ''), i]));
  return source.replace(SDK_EXTERNAL, (all, iface: string) => {
    const versioned = byInterface.get(iface);
    return versioned ? `@external("${versioned}"` : all;
  });
}

/** What AssemblyScript imports from `env` for some of its standard library. */
const ENV_HINTS: Record<string, string> = {
  seed: 'Math.random',
  'Date.now': 'Date.now()',
  trace: 'trace()',
  abort: 'abort()',
};

/**
 * Every core import must come from an interface of the world; AssemblyScript's own host
 * imports (`env.*`) do not, and wit-component's error for them is cryptic.
 */
function checkImports(core: Uint8Array, world: ResolvedWorld, where: string): void {
  const provided = new Set(world.imports);
  const stray = WebAssembly.Module.imports(new WebAssembly.Module(core as Uint8Array<ArrayBuffer>)).filter(
    (i) => !provided.has(i.module),
  );
  if (stray.length === 0) return;
  const names = stray.map((i) => `${i.module}.${i.name}`);
  const features = stray.map((i) => (i.module === 'env' ? ENV_HINTS[i.name] : undefined)).filter(Boolean);
  throw new GuestBuildError(
    `${where}: the guest imports ${names.join(', ')}, which no interface of its world provides` +
      (features.length > 0
        ? ` (AssemblyScript's ${features.join(', ')} needs a host function Keel guests do not have)`
        : ''),
  );
}

async function compile(
  root: string,
  entry: string,
  bindings: Bindings,
  abort: AbortMode,
  options: GuestBuildOptions,
  worldImports: readonly string[],
): Promise<{ core: Uint8Array; diagnostics: string }> {
  const asc = (await import('assemblyscript/asc')).default;
  const entryDir = dirname(entry);
  const virtualEntry = join(entryDir, ENTRY_NAME);
  const sdkPath = join(root, 'sdk/assemblyscript');
  const abortEntry = abort === 'log' ? '\nimport "keel/abort";\n' : '';
  const entrySource = bindings.source + abortEntry;
  const outputs = new Map<string, Uint8Array | string>();
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const args = [
    relative(root, virtualEntry),
    '--outFile',
    'out.wasm',
    '--baseDir',
    root,
    // Absolute: asc resolves a relative --path against the working directory, not --baseDir.
    '--path',
    sdkPath,
    '--runtime',
    'incremental',
    '--optimizeLevel',
    String(options.optimizeLevel ?? 3),
    '--shrinkLevel',
    String(options.shrinkLevel ?? 0),
    '--use',
    abort === 'log' ? 'abort=~lib/keel/abort/keelAbort' : 'abort=',
    '--noColors',
  ];
  const renames = bindings.renames;
  class RenameExports {
    // Set by asc on transform classes before use.
    declare binaryen: typeof import('assemblyscript/binaryen').default;
    afterCompile(module: import('assemblyscript/binaryen').default.Module): void {
      const found: { internal: string; external: string }[] = [];
      for (let i = 0; i < module.getNumExports(); i++) {
        const info = this.binaryen.getExportInfo(module.getExportByIndex(i));
        const external = renames.get(info.name);
        if (external !== undefined && info.kind === this.binaryen.ExternalFunction) {
          found.push({ internal: info.value, external });
          continue;
        }
        if (info.name !== 'memory') {
          throw new GuestBuildError(`unexpected export "${info.name}" in the compiled guest`);
        }
      }
      for (const [from] of renames) module.removeExport(from);
      for (const { internal, external } of found) module.addFunctionExport(internal, external);
    }
  }
  const result = await asc.main(args, {
    stdout,
    stderr,
    // asc instantiates transform classes itself, after giving them `binaryen` and friends.
    transforms: [RenameExports as unknown as Transform],
    readFile: (filename: string, baseDir: string) => {
      const path = isAbsolute(filename) ? filename : join(baseDir, filename);
      if (path === virtualEntry) return entrySource;
      if (basename(path) === 'asconfig.json') return null;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return null;
      }
      return path.startsWith(sdkPath) ? importVersions(text, worldImports) : text;
    },
    writeFile: (filename: string, contents: Uint8Array | string) => {
      outputs.set(filename, contents);
    },
    listFiles: () => [],
  });
  const diagnostics = stderr.toString();
  if (result.error) {
    throw new GuestBuildError(
      `${relative(root, entry)}: asc failed: ${result.error.message}\n${diagnostics}`.trim(),
    );
  }
  const core = outputs.get('out.wasm');
  if (!(core instanceof Uint8Array))
    throw new GuestBuildError(`${relative(root, entry)}: asc wrote no binary`);
  return { core: new Uint8Array(core), diagnostics };
}
