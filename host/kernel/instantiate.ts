/**
 * How a sandbox's instances are made: in the kernel's thread a core module or a component's
 * core modules with the meter linked in and the guest's own exit status kept, a reactor
 * initialized; a worker sandbox's exports described; the byte budget of what a guest hands the
 * host; and what a failed instantiation is.
 */
import { guardedHost, type HostMark } from '../abi/handles.js';
import { ComponentInstance, findExport } from '../abi/instance.js';
import type { SandboxContext } from '../caps/provider.js';
import type { Preview1Binding } from '../caps/wasi-preview1.js';
import type { WorkerSandbox } from '../isolate/worker-sandbox.js';
import type { FuncSignature } from '../loader/core-info.js';
import type { LoadedModule } from '../loader/loader.js';
import { adoptCounter } from '../meter/index.js';
import { KeelError } from './errors.js';
import { type MeterRuntime, withMeterImports } from './metering.js';
import { oncePer } from './once-per.js';
import { isNativePreview1 } from './preview1.js';
import { kebabName } from './sandbox/exports.js';
import type { RemoteExport } from './sandbox/types.js';
import type { Sandbox } from './sandbox.js';
import { classifyFailure, GuestExit } from './traps.js';

/**
 * How each core module of a component is instantiated: with the sandbox's meter linked in,
 * and, when exit is granted, with `proc_exit` wired to the sandbox's exit. The preview1 adapter
 * (jco's, and the ones toolchains embed) turns every non-zero `proc_exit(n)` into an error
 * result, i.e. status 1; inside a component a core module importing
 * `wasi_snapshot_preview1.proc_exit` gets it from an adapter, so the kernel keeps the guest's
 * own status by answering that import itself.
 */
export function instantiateCore(
  meter: MeterRuntime | undefined,
  exit: SandboxContext | undefined,
  gate: HostMark,
) {
  return (module: WebAssembly.Module, imports?: WebAssembly.Imports): WebAssembly.Instance => {
    const preview1 = imports?.wasi_snapshot_preview1;
    if (exit && preview1 && typeof preview1.proc_exit === 'function') {
      imports = {
        ...imports,
        // Thrown straight into the core module (no trampoline): kept on the mark as a trampoline's
        // failure is, so that a guest catching the exit cannot carry on.
        wasi_snapshot_preview1: {
          ...preview1,
          proc_exit: guardedHost((code: number) => exit.exit(code >>> 0), gate),
        },
      };
    }
    if (!meter) return new WebAssembly.Instance(module, imports);
    const instance = new WebAssembly.Instance(module, withMeterImports(imports, meter));
    // The plan's only core instance defines its counter (the loader's `soleCoreInstance`).
    adoptCounter(meter, instance);
    return instance;
  };
}

/** How the kernel describes a worker sandbox's exports, from its own copy of the module. */
export function remoteExports(
  module: LoadedModule,
  remote: WorkerSandbox,
): (exportName: string) => RemoteExport {
  const plan = module.plan;
  if (plan) {
    return (exportName) => {
      for (const name of [exportName, kebabName(exportName)]) {
        const found = findExport(plan.exports, name);
        if (found?.func.kind === 'lifted') return { call: name, type: found.func.type };
      }
      return undefined;
    };
  }
  const signatures = new Map<string, FuncSignature>();
  for (const e of module.coreInfo?.exports ?? []) if (e.signature) signatures.set(e.name, e.signature);
  return (exportName) => {
    if (!remote.exportNames().includes(exportName)) return undefined;
    const signature = signatures.get(exportName);
    return { call: exportName, ...(signature ? { signature } : {}) };
  };
}

/**
 * A WASI reactor's `_initialize` runs once, right after instantiation and before any other
 * export (the reactor ABI); a failure in it fails the spawn like a failing start function.
 */
export function initializeReactor(instance: WebAssembly.Instance): void {
  const init = instance.exports._initialize;
  if (typeof init !== 'function') return;
  try {
    (init as () => void)();
  } catch (error) {
    if (error instanceof GuestExit) {
      throw new KeelError('trap', `the reactor exited with status ${error.code} in _initialize`, {
        exit: error.code,
      });
    }
    throw error;
  }
}

/** The imports a spawn built for its guest, and a preview1 module's binding to its instance. */
export interface InlineLinks {
  imports: Record<string, Record<string, unknown>>;
  preview1?: Preview1Binding;
}

/** A core module's export signatures by name, worked out once per module (read-only, shared by its sandboxes). */
const exportSignatures = oncePer((module: LoadedModule): ReadonlyMap<string, FuncSignature> => {
  const signatures = new Map<string, FuncSignature>();
  for (const e of module.coreInfo?.exports ?? []) if (e.signature) signatures.set(e.name, e.signature);
  return signatures;
});

/** Inline placement: the guest is instantiated in the kernel's thread (its start functions run here). */
export function instantiateInline(
  sandbox: Sandbox,
  module: LoadedModule,
  links: InlineLinks,
  untyped: ReadonlyMap<string, string> | undefined,
  meter: MeterRuntime | undefined,
  context: SandboxContext,
  exitGranted: boolean,
): void {
  if (module.kind === 'core' || isNativePreview1(module)) {
    const compiled = module.coreModules.values().next().value as WebAssembly.Module;
    const imports = guardedImports(links.imports, sandbox.parts.deadline);
    const instance = new WebAssembly.Instance(compiled, meter ? withMeterImports(imports, meter) : imports);
    links.preview1?.bind(instance);
    if (isNativePreview1(module) && module.preview1 === 'reactor') initializeReactor(instance);
    sandbox.attach(instance.exports as Record<string, unknown>, exportSignatures(module));
    return;
  }
  const component = new ComponentInstance(module.plan!, module.modules!, {
    imports: links.imports,
    instantiateCore: instantiateCore(meter, exitGranted ? context : undefined, sandbox.parts.deadline),
    bytes: sandbox.parts,
    handles: sandbox.handles,
    untyped,
    destructors: sandbox,
    gate: sandbox.parts.deadline,
  });
  sandbox.attachComponent(component);
}

/**
 * A core module's imports as its guest calls them: each function behind `guardedHost` (host/abi/handles.ts) (a
 * component's are behind its trampolines, host/abi/calls.ts). Records without a prototype, as
 * the linker makes them (their names are the guest's).
 */
function guardedImports(
  imports: Record<string, Record<string, unknown>>,
  gate: HostMark,
): WebAssembly.Imports {
  const out: WebAssembly.Imports = Object.create(null);
  for (const module of Object.keys(imports)) {
    const record = imports[module]!;
    const guarded: Record<string, unknown> = Object.create(null);
    for (const name of Object.keys(record)) {
      const value = record[name];
      guarded[name] = typeof value === 'function' ? guardedHost(value as Callee, gate) : value;
    }
    out[module] = guarded as WebAssembly.ModuleImports;
  }
  return out;
}

type Callee = (...args: never[]) => unknown;

/** What a failed instantiation is: a link error, the deadline or the fuel of a start function, or its trap. */
export function spawnFailure(
  error: unknown,
  module: LoadedModule,
  name: string,
  sandbox: Sandbox,
  meter: MeterRuntime | undefined,
): KeelError {
  if (error instanceof WebAssembly.LinkError) {
    return !module.plan
      ? new KeelError('capability-denied', `cannot link ${name}: ${error.message}`)
      : new KeelError('invalid-module', `cannot link the core modules of ${name}: ${error.message}`);
  }
  // A start function runs guest code: it can trap, overflow its stack or run out of fuel.
  if (sandbox.timedOut) return sandbox.deadlineExceeded('instantiation');
  if (meter?.exhausted()) return sandbox.fuelExhausted('instantiation');
  // Host code threw into a start function: its first error, whatever the guest did since.
  const thrown = sandbox.hostThrown;
  return classifyFailure(thrown ? thrown.error : error, 'instantiation');
}
