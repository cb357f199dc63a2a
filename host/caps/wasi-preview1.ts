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

import { KeelError } from '../kernel/errors.js';
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
  const cell = new Served(state);
  const imports: Record<string, Record<string, Function>> = {};
  const made = new Map<string, object>();
  for (const { module, name } of options.imports) {
    const snap = snapshotOf(module);
    const area = snap && areaOf(name);
    if (!snap || !area) continue;
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
      served = (area.prototype as unknown as Record<string, Impl>)[name]!;
    } else if (name === 'proc_exit') {
      target = new DeniedExit(options.onDeniedExit, `${module}.${name}`);
      served = deniedExit as Impl;
    } else {
      target = new DeniedCall(state, denied, name);
      served = deniedCall as Impl;
    }
    imports[module] ??= {};
    imports[module][name] = serve(cell, cell.targets.push(target) - 1, `${module}.${name}`, served, cost);
  }
  // Once the sandbox has ended its imports reach nothing of it (see `Served`).
  options.context.onEnd(() => cell.end());
  return {
    imports,
    bind(instance) {
      const memory = instance.exports.memory;
      state.mem.bind(memory instanceof WebAssembly.Memory ? memory : undefined);
    },
  };
}

/**
 * What a sandbox's preview1 functions reach: its state and the objects they are called on, until
 * the sandbox ends. V8 keeps a WebAssembly instance, and everything its imports reference,
 * until its next full collection (the instance lives in the old generation), long after the
 * sandbox ended; through this cell that is the cell alone, not the descriptor table, the links
 * and the context behind them. A call after the end (a guest killed from inside a host call
 * runs on to its next fuel check) is refused with `killed`.
 */
class Served {
  state: Preview1State | undefined;
  targets: object[] = [];

  constructor(state: Preview1State) {
    this.state = state;
  }

  end(): void {
    this.state = undefined;
    this.targets = [];
  }
}

/** A function whose needed grant is missing, with lazy denial: ENOTCAPABLE, reported. */
class DeniedCall {
  constructor(
    readonly state: Preview1State,
    readonly iface: string,
    readonly name: string,
  ) {}
}

function deniedCall(this: DeniedCall): number {
  return this.state.notCapable(this.iface, this.name);
}

/** A lazily denied `proc_exit`: it cannot return an errno (the kernel's denial). */
class DeniedExit {
  constructor(
    readonly exit: (name: string) => never,
    readonly name: string,
  ) {}
}

function deniedExit(this: DeniedExit): never {
  return this.exit(this.name);
}

/**
 * One import: charge the call, run it, and hand an errno back to the guest. Anything that is not
 * an errno (a trap, `fuel-exhausted`, an exit) propagates and ends the call.
 */
function serve(cell: Served, slot: number, name: string, impl: Impl, cost: number): Function {
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
    const state = cell.state;
    if (state === undefined) {
      throw new KeelError('killed', `WASI preview1 ${name}: the sandbox has ended`);
    }
    if (cost > 0) state.context.charge(cost);
    state.mem.current = name;
    try {
      return impl.call(cell.targets[slot]!, a, b, c, d, e, f, g, h, i);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== undefined) return code;
      throw error;
    }
  };
}

export { E as PREVIEW1_ERRNO };
