/**
 * `wasi:cli`: environment (granted variables and arguments only), exit (ends the sandbox,
 * never the process), stdin/stdout/stderr over Keel's streams, and the terminal interfaces
 * (a sandbox never sees a terminal).
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import {
  type CapabilityProvider,
  chargeBytes,
  DEFAULT_HOST_COSTS,
  type InvocationInput,
  type SandboxContext,
} from './provider.js';
import { type ByteSink, type ByteSource, bytesSource, InputStream, OutputStream } from './wasi-io.js';
import { wasiCliTypes } from './wit-types.js';

export interface EnvironmentScope {
  /** Variables the guest sees. Nothing of the host's environment leaks unless listed here. */
  env: Record<string, string>;
  args: string[];
  cwd?: string | undefined;
}

/**
 * `{ env?, args?, cwd? }`, checked by hand: every `keel run` grants it, and loading zod for it
 * would cost more than the rest of the run's start-up. Returns fresh copies.
 */
export function parseEnvironmentScope(iface: string, scope: unknown): EnvironmentScope {
  const fail = (why: string): never => {
    throw new KeelError('invalid-argument', `invalid scope for ${iface}: ${why}`, { interface: iface });
  };
  const input = scope ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) return fail('expected an object');
  for (const key of Object.keys(input)) {
    if (key !== 'env' && key !== 'args' && key !== 'cwd') fail(`unrecognized key "${key}"`);
  }
  const { env = {}, args = [], cwd } = input as { env?: unknown; args?: unknown; cwd?: unknown };
  if (typeof env !== 'object' || env === null || Array.isArray(env))
    return fail('env must be an object of strings');
  const entries = Object.entries(env);
  for (const [name, value] of entries) if (typeof value !== 'string') fail(`env.${name} must be a string`);
  // fromEntries defines each name as an own property: `__proto__` stays a variable.
  const vars = Object.fromEntries(entries) as Record<string, string>;
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))
    fail('args must be an array of strings');
  if (cwd !== undefined && typeof cwd !== 'string') fail('cwd must be a string');
  return { env: vars, args: [...(args as string[])], ...(cwd !== undefined ? { cwd: cwd as string } : {}) };
}

const ENV_NAME = /^[^=\0]+$/;

/**
 * The CLI's `--env` flags as a `wasi:cli/environment` grant: `NAME=VALUE` sets a variable,
 * `NAME` passes the host's value through (and nothing when the host has none). Nothing else of
 * `hostEnv` is read, so the host's environment never leaks unless named.
 *
 * ```ts
 * parseEnvFlags(['MODE=fast', 'HOME'], process.env) // { interface: 'wasi:cli/environment', scope: { env: { MODE: 'fast', HOME: '/root' } } }
 * ```
 */
export function parseEnvFlags(
  flags: readonly string[],
  hostEnv: Readonly<Record<string, string | undefined>> = {},
  extra: { args?: readonly string[]; cwd?: string } = {},
): { interface: 'wasi:cli/environment'; scope: EnvironmentScope } {
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const eq = typeof flag === 'string' ? flag.indexOf('=') : -1;
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (typeof name !== 'string' || !ENV_NAME.test(name) || (eq >= 0 && flag.includes('\0', eq))) {
      throw new KeelError('invalid-argument', `invalid --env "${String(flag)}": use NAME=VALUE or NAME`, {
        value: String(flag),
      });
    }
    if (eq >= 0) env[name] = flag.slice(eq + 1);
    else if (Object.hasOwn(hostEnv, name) && hostEnv[name] !== undefined) env[name] = hostEnv[name];
  }
  const scope: EnvironmentScope = { env, args: [...(extra.args ?? [])] };
  if (extra.cwd !== undefined) scope.cwd = extra.cwd;
  return { interface: 'wasi:cli/environment', scope };
}

class TerminalInput {}
class TerminalOutput {}

/** Per-sandbox output accounting: bytes kept up to the cap, the rest dropped and counted. */
export interface OutputCounters {
  kept: number;
  dropped: number;
}

/**
 * What asking a source whether it has input costs beyond the guest's call, in bytes' worth of
 * `byte`: an idle terminal or pipe (`fdSource`) reads the clock at each ask and, once a
 * millisecond, tries a read that fails (an exception in Node); priced as the call alone, a guest
 * spinning on `pollable.ready` of an idle stdin cost the host 11-12x compute per unit of fuel
 * (test: hostile/caps/stdin-ready-spin), over the 10x bound.
 */
export const READY_ASK_BYTES = 4096;

/**
 * The sandbox's stdin (given at spawn), except while an invocation that brought its own runs:
 * then that invocation's bytes, from their start.
 */
function stdinSource(context: SandboxContext): ByteSource {
  const given = context.io.stdin;
  const spawned =
    given instanceof Uint8Array || given === undefined ? bytesSource(given ?? new Uint8Array()) : given;
  if (spawned.close) context.onEnd(() => spawned.close?.());
  let current: { input: InvocationInput; source: ByteSource } | undefined;
  const source = (): ByteSource => {
    const input = context.invocationInput();
    if (!input) return spawned;
    if (current?.input !== input) current = { input, source: bytesSource(input.stdin) };
    return current.source;
  };
  return {
    read: (max) => bounded(context, (left) => source().read(max, left)),
    ready: () => {
      const asked = source();
      // Bytes given in memory are there or not: nothing to ask, nothing beyond the call to pay.
      if (asked.ready === undefined) return true;
      chargeBytes(context, READY_ASK_BYTES);
      return asked.ready();
    },
    wait: () => bounded(context, (left) => source().wait?.(left)),
  };
}

/**
 * A wait for input on the kernel's thread, never past the call's deadline: the source is told
 * the time left, and a source that gave up because the deadline came fails the call with
 * `timeout` (the guest stopped, the sandbox poisoned), as every other wait does (wait.ts).
 */
function bounded<T>(context: SandboxContext, wait: (maxWaitMs: number) => T): T {
  const left = context.timeLeftMs();
  if (left <= 0) return context.timedOut();
  try {
    return wait(left);
  } catch (error) {
    if (error instanceof KeelError && error.code === 'timeout' && context.timeLeftMs() <= 0)
      return context.timedOut();
    throw error;
  }
}

/**
 * A source that charges the sandbox's fuel per byte read (what the host hands the guest). The
 * call itself (`input-stream.read`, `pollable.ready`, preview1's `fd_read`) is charged once,
 * where the guest's call enters the host (docs/fuel.md, "Host calls"); an ask whether input is
 * there, in `stdinSource` (READY_ASK_BYTES).
 */
function meteredSource(context: SandboxContext, source: ByteSource): ByteSource {
  return {
    read(max) {
      const bytes = source.read(max);
      if (bytes) chargeBytes(context, bytes.length);
      return bytes;
    },
    ready() {
      return source.ready?.() ?? true;
    },
    wait() {
      source.wait?.();
    },
  };
}

function outputSink(context: SandboxContext, which: 'stdout' | 'stderr'): ByteSink {
  const counters = context.state<OutputCounters>(`wasi-cli:${which}`, () => ({ kept: 0, dropped: 0 }));
  const forward = context.io[which];
  const event = which === 'stdout' ? EVENTS.guestStdout : EVENTS.guestStderr;
  const decoder = new TextDecoder();
  context.onEnd(() => {
    if (counters.dropped === 0) return;
    context.emit({
      event,
      level: 'warn',
      status: 'dropped',
      data: { dropped: counters.dropped, kept: counters.kept, limit: context.limits.outputBytes },
    });
  });
  return {
    capacity: () => 1n << 20n,
    write(bytes) {
      // The call and the bytes were charged where the guest's call entered the host (the
      // canonical ABI's resource method, or preview1's fd_write): never again here. What the
      // sink does beyond them (the embedder's callback, the streaming decode, redaction and the
      // event) is priced per write and per byte, before it is done.
      context.charge(DEFAULT_HOST_COSTS.output + bytes.length * DEFAULT_HOST_COSTS.outputByte);
      const room = context.limits.outputBytes - counters.kept;
      const kept = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
      counters.kept += kept.length;
      if (kept.length < bytes.length) {
        const first = counters.dropped === 0;
        counters.dropped += bytes.length - kept.length;
        if (first) {
          context.emit({
            event,
            level: 'warn',
            status: 'dropped',
            data: { dropped: true, limit: context.limits.outputBytes },
          });
        }
      }
      if (kept.length === 0) return;
      forward?.(kept);
      // Streaming decode: a character split across two writes is not mangled; redaction over
      // the stream: a secret split across writes is not leaked either.
      const size = kept.length;
      context.emitText(event, decoder.decode(kept, { stream: true }), (text) => ({
        event,
        data: { bytes: size, text },
      }));
    },
  };
}

export const wasiCli: CapabilityProvider = {
  name: 'wasi-cli',
  interfaces: [
    'wasi:cli/environment',
    'wasi:cli/exit',
    'wasi:cli/stdin',
    'wasi:cli/stdout',
    'wasi:cli/stderr',
    'wasi:cli/terminal-input',
    'wasi:cli/terminal-output',
    'wasi:cli/terminal-stdin',
    'wasi:cli/terminal-stdout',
    'wasi:cli/terminal-stderr',
  ],
  wit: wasiCliTypes,
  // The terminal interfaces only ever answer "not a terminal".
  authorityFree: [
    'wasi:cli/terminal-input',
    'wasi:cli/terminal-output',
    'wasi:cli/terminal-stdin',
    'wasi:cli/terminal-stdout',
    'wasi:cli/terminal-stderr',
  ],
  secrets(iface, scope) {
    if (iface !== 'wasi:cli/environment') return [];
    const env = (scope as { env?: unknown } | undefined)?.env;
    if (env === null || typeof env !== 'object') return [];
    return Object.values(env).filter((value): value is string => typeof value === 'string');
  },
  parseScope(iface, scope) {
    return iface === 'wasi:cli/environment' ? parseEnvironmentScope(iface, scope) : undefined;
  },
  link({ interface: iface, scope, context }) {
    switch (iface) {
      case 'wasi:cli/environment': {
        const { env, args, cwd } = scope as EnvironmentScope;
        const pairs = Object.entries(env);
        // What each call hands back is priced by the canonical ABI as it lowers it into the
        // guest (LOWERED_ALLOC_BYTES a string, host/abi/context.ts); preview1's environ_get and
        // args_get price their own copies (LISTED_ITEM_BYTES) and pay nothing here.
        return {
          getEnvironment: () => pairs.map(([k, v]) => [k, v]),
          getArguments: () => [...args],
          initialCwd: () => cwd,
        };
      }
      case 'wasi:cli/exit':
        return {
          exit: (status: { tag: 'ok' | 'err' }) => context.exit(status?.tag === 'ok' ? 0 : 1),
          exitWithCode: (code: number) => context.exit(code & 0xff),
        };
      case 'wasi:cli/stdin': {
        // One source per sandbox; each `get-stdin` hands out a fresh handle onto it.
        const source = context.state('wasi-cli:stdin', () => meteredSource(context, stdinSource(context)));
        return { getStdin: () => new InputStream(source) };
      }
      case 'wasi:cli/stdout': {
        const sink = context.state('wasi-cli:stdout-sink', () => outputSink(context, 'stdout'));
        return { getStdout: () => new OutputStream(sink, context) };
      }
      case 'wasi:cli/stderr': {
        const sink = context.state('wasi-cli:stderr-sink', () => outputSink(context, 'stderr'));
        return { getStderr: () => new OutputStream(sink, context) };
      }
      case 'wasi:cli/terminal-input':
        return { TerminalInput };
      case 'wasi:cli/terminal-output':
        return { TerminalOutput };
      case 'wasi:cli/terminal-stdin':
        return { getTerminalStdin: () => undefined };
      case 'wasi:cli/terminal-stdout':
        return { getTerminalStdout: () => undefined };
      default:
        return { getTerminalStderr: () => undefined };
    }
  },
};
