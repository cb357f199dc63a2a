/**
 * The external toolchains guest builds use, found on PATH (or named by an environment
 * variable), each with the Debian package that provides it, so a missing one is named with how
 * to install it. Builds run them with fixed arguments (no shell) and a deterministic
 * environment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class ToolchainError extends Error {
  override readonly name: string = 'ToolchainError';
}

/** A tool that is not installed: the message names the Debian packages that provide it. */
export class MissingToolError extends ToolchainError {
  override readonly name = 'MissingToolError';
  constructor(
    message: string,
    readonly tool: Tool,
  ) {
    super(message);
  }
}

export interface Tool {
  /** What it is called in messages: `clang`. */
  name: string;
  /** The environment variable that may name the executable: `CC`. */
  env?: string;
  /** Executable names tried on PATH, in order. */
  commands: string[];
  /** Debian packages that provide it (and what it needs to target wasm32); npm's for an npm tool. */
  packages: string[];
  /** Where `packages` come from (default `apt`). */
  manager?: 'apt' | 'npm';
  /** Directories tried before PATH (Debian's own, ahead of tools a user installed elsewhere). */
  prefer?: string[];
}

export const CLANG: Tool = {
  name: 'clang',
  env: 'CC',
  commands: ['clang', 'clang-14'],
  packages: ['clang', 'lld', 'wasi-libc', 'libclang-rt-dev-wasm32'],
};

export const RUSTC: Tool = {
  name: 'rustc',
  env: 'RUSTC',
  commands: ['rustc'],
  packages: ['rustc', 'libstd-rust-dev-wasm32'],
  // Debian's rustc ships the wasm32 standard library; a rustup toolchain earlier on PATH may not.
  prefer: ['/usr/bin'],
};

/** The executable for a tool, or a MissingToolError naming the packages to install. */
export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const named = tool.env ? env[tool.env] : undefined;
  if (named) {
    if (existsSync(named)) return named;
    throw new MissingToolError(
      `${tool.name}: $${tool.env} names ${named}, which does not exist: set it to the executable, or unset ` +
        `it and install ${tool.name} with \`apt-get install ${tool.packages.join(' ')}\` (Debian)`,
      tool,
    );
  }
  const dirs = [...(tool.prefer ?? []), ...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    for (const command of tool.commands) {
      const path = join(dir, command);
      if (existsSync(path)) return path;
    }
  }
  throw new MissingToolError(
    `${tool.name} was not found${tool.env ? ` (on PATH or in $${tool.env})` : ''}: ` +
      `install it with \`apt-get install ${tool.packages.join(' ')}\` (Debian)`,
    tool,
  );
}

/**
 * A toolchain that comes from npm (AssemblyScript, esbuild, TypeScript, componentize-js): in a
 * checkout it is in Keel's node_modules; beside an installed `keel` it is wherever Node resolves
 * it from Keel's own files (the project's node_modules, or the global folder for a global
 * install). The npm package does not depend on the ones only a build needs.
 */
export interface NpmTool {
  /** The package: `assemblyscript`. */
  name: string;
  /** What the build imports: `assemblyscript/asc`. */
  module: string;
}

export const ASSEMBLYSCRIPT: NpmTool = { name: 'assemblyscript', module: 'assemblyscript/asc' };
export const ESBUILD: NpmTool = { name: 'esbuild', module: 'esbuild' };
export const TYPESCRIPT: NpmTool = { name: 'typescript', module: 'typescript' };
export const COMPONENTIZE_JS: NpmTool = {
  name: '@bytecodealliance/componentize-js',
  module: '@bytecodealliance/componentize-js',
};

/** The version Keel is built and tested with: its package.json's (a dependency's dependency: none). */
function testedVersion(name: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name?: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    if (pkg.name !== 'keel') continue;
    return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  }
  return undefined;
}

/**
 * The installed version of an npm toolchain, or a MissingToolError telling the npm command that
 * installs it (beside Keel: in the project that depends on `keel`, or globally beside a global one).
 */
export function findNpmTool(tool: NpmTool): string {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(tool.module));
  } catch {
    const tested = testedVersion(tool.name);
    const spec = tested ? `${tool.name}@${tested}` : tool.name;
    throw new MissingToolError(
      `${tool.name} was not found beside Keel: install it with \`npm install --save-dev ${spec}\` in the ` +
        'project that depends on keel (or `npm install --global` beside a global keel)',
      { name: tool.name, commands: [], packages: [spec], manager: 'npm' },
    );
  }
  for (let dir = dirname(entry), i = 0; i < 8; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === tool.name && pkg.version) return pkg.version;
  }
  return 'unknown version';
}

/**
 * Run a tool; its output becomes the error on failure. `path` replaces PATH for the tool: clang
 * runs any `wasm-opt` it finds on PATH after linking (npm puts binaryen's on it), so a build
 * gives other bytes depending on how it was started unless PATH is fixed.
 */
export function run(command: string, args: readonly string[], cwd?: string, path?: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: path ?? process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/',
      LANG: 'C',
      SOURCE_DATE_EPOCH: '0',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new ToolchainError(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new ToolchainError(
      `${command} failed (${result.status}):\n${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result.stdout;
}

/** A tool's version line, for build records. */
export function version(command: string): string {
  return execFileSync(command, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** A tool's standard output, or undefined when it fails. */
function query(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', LANG: 'C' },
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * clang is there, but can it build for wasm32-wasi? Debian ships the C library and the compiler
 * runtime in packages of their own: a missing one is named, rather than left to a linker error.
 */
export function checkClangTarget(clang: string): void {
  const libc = query(clang, ['--target=wasm32-wasi', '-print-file-name=libc.a']);
  if (!libc || !isAbsolute(libc) || !existsSync(libc)) {
    throw new MissingToolError(
      `${clang} finds no C library for wasm32-wasi: install it with \`apt-get install wasi-libc\` (Debian)`,
      { ...CLANG, name: 'wasi-libc', packages: ['wasi-libc'] },
    );
  }
  const runtime = query(clang, ['--target=wasm32-wasi', '-print-libgcc-file-name']);
  if (!runtime || !existsSync(runtime)) {
    throw new MissingToolError(
      `${clang} finds no compiler runtime for wasm32 (${runtime ?? 'libclang_rt.builtins-wasm32.a'}): ` +
        `install it with \`apt-get install libclang-rt-dev-wasm32\` (Debian)`,
      { ...CLANG, name: 'libclang-rt-dev-wasm32', packages: ['libclang-rt-dev-wasm32'] },
    );
  }
}

/** rustc is there, but does it have the wasm32-wasi standard library (a rustup toolchain often lacks it)? */
export function checkRustTarget(rustc: string): void {
  const libdir = query(rustc, ['--print', 'target-libdir', '--target', 'wasm32-wasi']);
  if (!libdir || !existsSync(libdir)) {
    throw new MissingToolError(
      `${rustc} has no standard library for wasm32-wasi: install Debian's with ` +
        `\`apt-get install rustc libstd-rust-dev-wasm32\` (Keel prefers /usr/bin/rustc; $RUSTC names another)`,
      { ...RUSTC, name: 'libstd-rust-dev-wasm32', packages: ['rustc', 'libstd-rust-dev-wasm32'] },
    );
  }
}
