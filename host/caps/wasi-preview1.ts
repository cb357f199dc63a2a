/**
 * Keel's WASI preview1: `wasi_snapshot_preview1` (and the older `wasi_unstable`) as core imports,
 * implemented in the host over the same per-sandbox providers and grants as WASI 0.2. It is an
 * ABI, not a capability: every function reaches stdio, environment, clocks, randomness, exit and
 * the filesystem only through the WASI 0.2 interfaces the sandbox was granted (see
 * `preview1/grants.ts`), so one grant serves both ABIs. Its state (the descriptor table, file
 * positions) lives in the host; nothing is kept in guest memory and nothing is process-global.
 *
 * The kernel links it (host/kernel/preview1.ts) and binds it to the instance's memory.
 */

import { E, snapshotOf } from './preview1/abi.js';
import { errnoOf } from './preview1/errno.js';
import { FdFunctions } from './preview1/fd.js';
import { PathFunctions } from './preview1/path.js';
import { PollFunctions } from './preview1/poll.js';
import { ProcessFunctions } from './preview1/process.js';
import { type Preview1Links, Preview1State } from './preview1/state.js';
import { DEFAULT_HOST_COSTS, type SandboxContext } from './provider.js';

export { hasFunction, PREVIEW1_MODULES, SIGNATURES as PREVIEW1_SIGNATURES } from './preview1/abi.js';
export { DESCRIPTOR_SOURCES, PREVIEW1_GRANTS, preview1Grant } from './preview1/grants.js';
export type { Preview1Links } from './preview1/state.js';

export interface Preview1Options {
  context: SandboxContext;
  links: Preview1Links;
  /** The preview1 functions the module imports. */
  imports: readonly { module: string; name: string }[];
  /** Lazily denied functions (their needed grant is missing) → the interface they need. */
  denied: ReadonlyMap<string, string>;
  /** What a lazily denied `proc_exit` does (it cannot return an errno). */
  onDeniedExit: (name: string) => never;
  /** Charge each call's fuel (false when the kernel runs unmetered). */
  metered: boolean;
}

export interface Preview1Binding {
  readonly imports: Record<string, Record<string, Function>>;
  /** Give the functions the instance's exported memory (before any guest code runs). */
  bind(instance: WebAssembly.Instance): void;
}

type Impl = (this: object, ...args: any[]) => number;

/** The four areas of functions; one object of an area is made per sandbox and snapshot when imported. */
const AREAS = [ProcessFunctions, FdFunctions, PathFunctions, PollFunctions] as const;

function areaOf(name: string): (typeof AREAS)[number] | undefined {
  return AREAS.find((area) => Object.hasOwn(area.prototype, name) && name !== 'constructor');
}

export function linkPreview1(options: Preview1Options): Preview1Binding {
  const state = new Preview1State(options.context, options.links);
  const cost = options.metered ? DEFAULT_HOST_COSTS.call : 0;
  const imports: Record<string, Record<string, Function>> = {};
  const made = new Map<string, object>();
  for (const { module, name } of options.imports) {
    const snap = snapshotOf(module);
    const area = snap && areaOf(name);
    if (!snap || !area) continue;
    const impl = (area.prototype as unknown as Record<string, Impl>)[name]!;
    const denied = options.denied.get(name);
    let target: object;
    let served: Impl;
    if (denied === undefined) {
      const key = `${area.name} ${module}`;
      let functions = made.get(key);
      if (!functions) {
        functions = new area(state, snap);
        made.set(key, functions);
      }
      target = functions;
      served = impl;
    } else {
      target = state;
      served =
        name === 'proc_exit'
          ? () => options.onDeniedExit(`${module}.${name}`)
          : () => state.notCapable(denied, name);
    }
    imports[module] ??= {};
    imports[module][name] = serve(state, `${module}.${name}`, target, served, cost);
  }
  return {
    imports,
    bind(instance) {
      const memory = instance.exports.memory;
      state.mem.bind(memory instanceof WebAssembly.Memory ? memory : undefined);
    },
  };
}

/**
 * One import: charge the call, run it, and hand an errno back to the guest. Anything that is not
 * an errno (a trap, `fuel-exhausted`, an exit) propagates and ends the call.
 */
function serve(state: Preview1State, name: string, target: object, impl: Impl, cost: number): Function {
  const { mem, context } = state;
  return (
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
    e: unknown,
    f: unknown,
    g: unknown,
    h: unknown,
    i: unknown,
  ) => {
    if (cost > 0) context.charge(cost);
    mem.current = name;
    try {
      return impl.call(target, a, b, c, d, e, f, g, h, i);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== undefined) return code;
      throw error;
    }
  };
}

export { E as PREVIEW1_ERRNO };
