/**
 * The external toolchains guest builds use, found on PATH (or named by an environment
 * variable), each with the Debian package that provides it, so a missing one is named with how
 * to install it. Builds run them with fixed arguments (no shell) and a deterministic
 * environment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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
  /** Debian packages that provide it (and what it needs to target wasm32). */
  packages: string[];
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
