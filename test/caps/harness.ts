/**
 * Shared pieces of the capability and hostile tests: the C guests (built by scripts/build-c-guests.ts),
 * a kernel with a private transpile cache, a scratch world with a grant and a canary directory,
 * and snapshots that prove nothing outside a grant was touched.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GrantInput,
  type KeelEvent,
  Kernel,
  type KernelOptions,
  type Limits,
  parseDirFlag,
} from '../../host/index.js';

export type Guest = 'stdio' | 'env' | 'files' | 'fsprobe' | 'p1probe';

/**
 * The two ABIs a C guest can reach Keel's capabilities through: WASI 0.2 (the program wrapped
 * into a `wasi:cli/run` component with jco's preview1 adapter) and Keel's own preview1 (the same
 * program as a preview1 core module). The same attacks run through both.
 */
export const ABIS = ['wasi-0.2', 'preview1'] as const;
export type Abi = (typeof ABIS)[number];

export function guestBytes(name: Guest, abi: Abi = 'wasi-0.2'): Uint8Array {
  const file = abi === 'preview1' ? `${name}.p1.wasm` : `${name}.wasm`;
  return new Uint8Array(readFileSync(new URL(`../../guests/c/${name}/${file}`, import.meta.url)));
}

/** Which ABI a world's kernel runs its C guests through. */
const abiOf = new WeakMap<Kernel, Abi>();

/** A scratch directory removed by `cleanup`. */
export function scratch(prefix = 'keel-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A world for filesystem tests: `grant/` (what the guest is given, with `input.txt`) and
 * `canary/` beside it (never granted, holding `secret` and `sub/deep`), plus a kernel whose
 * events are recorded.
 */
export interface World {
  root: string;
  grant: string;
  canary: string;
  kernel: Kernel;
  events: KeelEvent[];
  close(): Promise<void>;
}

/**
 * One transpile cache for every capability and hostile test file: the C guests are transpiled
 * once per machine rather than once per file (entries are content-addressed and written
 * atomically, so parallel test files share it safely).
 */
export const SHARED_CACHE = join(tmpdir(), 'keel-test-cache-caps');

export async function world(options: KernelOptions & { abi?: Abi } = {}): Promise<World> {
  const { abi = 'wasi-0.2', ...kernelOptions } = options;
  const { dir: root, cleanup } = scratch();
  const grant = join(root, 'grant');
  const canary = join(root, 'canary');
  mkdirSync(grant);
  mkdirSync(join(canary, 'sub'), { recursive: true });
  writeFileSync(join(grant, 'input.txt'), 'hello input\n');
  writeFileSync(join(canary, 'secret'), 'top secret\n');
  writeFileSync(join(canary, 'sub', 'deep'), 'deep secret\n');
  const kernel = new Kernel({ cacheDir: SHARED_CACHE, ...kernelOptions });
  abiOf.set(kernel, abi);
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => {
    events.push(event);
  });
  return {
    root,
    grant,
    canary,
    kernel,
    events,
    async close() {
      await kernel.close();
      cleanup();
    },
  };
}

/** Grants a C command needs besides its filesystem: stdio, exit, environment (with args), clocks, random. */
export function commandGrants(args: readonly string[], env: Record<string, string> = {}): GrantInput[] {
  return [
    'wasi:cli/stdin',
    'wasi:cli/stdout',
    'wasi:cli/stderr',
    'wasi:cli/exit',
    { interface: 'wasi:cli/environment', scope: { env, args: ['guest', ...args] } },
    'wasi:clocks/*',
    'wasi:random/*',
  ];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  lines: string[];
  exit: number | undefined;
}

export interface RunOptions {
  grants?: GrantInput[];
  env?: Record<string, string>;
  limits?: Partial<Limits>;
  /** Called with each chunk the guest writes to stdout, while the guest waits (a synchronization point). */
  onStdout?: (text: string) => void;
  stdin?: Uint8Array;
}

/**
 * Run a C command in a new sandbox of `kernel` with `args` as its argv (after argv[0]), through
 * the kernel's ABI (see `world`); `wasi:cli/run#run` runs it either way.
 */
export async function runGuest(
  kernel: Kernel,
  guest: Guest,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const module = await kernel.load(guestBytes(guest, abiOf.get(kernel)), { name: guest });
  let stdout = '';
  let stderr = '';
  const decoder = new TextDecoder();
  const sandbox = await kernel.spawn(module, {
    grants: [...commandGrants(args, options.env), ...(options.grants ?? [])],
    ...(options.limits ? { limits: options.limits } : {}),
    io: {
      ...(options.stdin ? { stdin: options.stdin } : {}),
      stdout: (chunk) => {
        const text = decoder.decode(chunk);
        stdout += text;
        options.onStdout?.(text);
      },
      stderr: (chunk) => {
        stderr += decoder.decode(chunk);
      },
    },
  });
  const outcome = await sandbox.invoke('wasi:cli/run#run');
  sandbox.terminate('test done');
  return { stdout, stderr, lines: stdout.split('\n').filter((l) => l.length > 0), exit: outcome.exit };
}

/** The probe's (last) answer to one operation (`read /data/x: err EPERM` → `err EPERM`). */
export function answer(result: RunResult, prefix: string): string | undefined {
  const line = result.lines.findLast((l) => l.startsWith(`${prefix}: `));
  return line?.slice(prefix.length + 2);
}

/** A filesystem grant of host directories and in-memory ones. */
export function fsGrant(scope: Record<string, unknown>): GrantInput {
  return { interface: 'wasi:filesystem/preopens', scope };
}

/** Every entry under `dir` with its type, mode, size, times, link count and content hash. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    const st = lstatSync(path, { bigint: true });
    let what = `${st.mode}:${st.nlink}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (st.isSymbolicLink()) what += `:->${readlinkSync(path)}`;
    else if (st.isFile()) what += `:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    out[rel || '.'] = what;
    if (st.isDirectory())
      for (const name of readdirSync(path).sort()) walk(join(path, name), `${rel}/${name}`);
  };
  walk(dir, '');
  return out;
}

/** `capability:denied` events about the filesystem, with their data. */
export function fsDenials(events: readonly KeelEvent[]): Record<string, unknown>[] {
  return events
    .filter(
      (e) =>
        e.event === 'capability:denied' &&
        (e.data as { interface?: string })?.interface === 'wasi:filesystem/types',
    )
    .map((e) => e.data as Record<string, unknown>);
}

export function hex(text: string | Uint8Array): string {
  return Buffer.from(typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('hex');
}

/** Open descriptors of this process (to prove a sandbox leaks none). */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * After an attack: nothing outside the grant changed, and the kernel still runs a fresh sandbox
 * normally (the host and other sandboxes are unaffected).
 */
export async function expectUnharmed(w: World, canaryBefore: Record<string, string>): Promise<void> {
  const { expect } = await import('vitest');
  expect(snapshot(w.canary)).toEqual(canaryBefore);
  const result = await runGuest(w.kernel, 'stdio', []);
  expect(result.stdout).toBe('hello from C\n');
}

/** One `--dir HOST::GUEST[:ro]` flag as a grant, as the CLI makes it. */
export function parseDir(spec: string): GrantInput {
  return parseDirFlag(spec);
}
