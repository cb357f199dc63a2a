/**
 * One sandbox's instance of a planned component: its core instances created in plan order,
 * Keel's trampolines for what they import (host functions, resource builtins, adapters between
 * components), the options of every canonical function bound to real memories and functions,
 * the handle tables of each component instance, and its exports as host functions.
 */
import { KeelError } from '../kernel/errors.js';
import { LEAF_PREFIX, leafCosts } from '../meter/leaves.js';
import { stripVersion } from '../policy/grants.js';
import {
  argumentError,
  arityError,
  type CoreFunction,
  hostFailure,
  liftedFunction,
  loweredFunction,
} from './calls.js';
import type { ResourceHost } from './codec.js';
import {
  AdapterStrings,
  type ByteBudget,
  Cx,
  MemoryView,
  OptionSlot,
  type Realloc,
  trap,
  ValueError,
} from './context.js';
import { isScalarShape, type ScalarExport } from './fast.js';
import {
  GuestResource,
  HANDLE_BUILTIN_BYTES,
  HANDLE_REP_BYTES,
  type HandleCounter,
  type HostMark,
  hostThrew,
  InstanceState,
  markHost,
  NO_MARK,
} from './handles.js';
import { camelCase, className } from './js-names.js';
import { linkedRecord, methodMember, notServed, recordMember, staticMember } from './members.js';
import type { ComponentPlan, CoreDef, ExportDef, FuncDef } from './plan.js';
import { holdsString } from './strings.js';
import { type ExternType, type FuncType, ResourceType } from './types.js';
import { typeText } from './wit.js';

export interface ComponentLink {
  /** What each used import is linked to, by unversioned name (`wasi:cli/stdout`): functions and classes. */
  readonly imports: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Instantiate one core module with its imports (the kernel adds the meter and exit here). The
   * imports are a record made for this call, without a prototype (its names are the guest's):
   * the callee may add to it.
   */
  readonly instantiateCore: (
    module: WebAssembly.Module,
    imports: WebAssembly.Imports,
  ) => WebAssembly.Instance;
  /** Bounds and charges the bytes of strings and lists lifted from the guest. */
  readonly bytes: ByteBudget;
  /** Counts resource handles against the sandbox's limit (`limits.handles`). */
  readonly handles: HandleCounter;
  /**
   * The used imports whose provider declares no WIT types, by unversioned name, and the
   * provider's name: the component's declaration is the only type such an import has, so a
   * result of the provider's that does not fit it is the component's choice of type
   * (`capability-denied`, `type-mismatch`), not the host's bug (`internal`).
   */
  readonly untyped?: ReadonlyMap<string, string> | undefined;
  /**
   * Runs a destructor the host asks for (the embedder dropped a resource the guest defines): it
   * is guest code, so the kernel runs it as a call (its gate, deadline, fuel, and a failure that
   * ends the sandbox). Without one it runs directly (tests, direct use of the ABI).
   */
  readonly destructors?: DestructorRunner | undefined;
  /**
   * The sandbox's fast-path word (`HostMark`): every lowered import and resource built-in of this
   * instance marks it before it runs (`markHost`). Without one nothing is marked (tests, direct
   * use of the ABI, where no fast path reads it).
   */
  readonly gate?: HostMark | undefined;
}

/** How the host's drop of a guest resource runs its destructor (the kernel's sandbox). */
export interface DestructorRunner {
  runDestructor(destroy: () => void, resource: string): void;
}

/** What an export name leads to. */
export type ExportTarget = { readonly func: FuncDef; readonly name: string };

export class ComponentInstance implements ResourceHost {
  readonly #plan: ComponentPlan;
  // What the instance keeps of its link (not `instantiateCore`, used only while it is made; the
  // imports only when a later call needs them: `keepsImports`).
  #imports: ComponentLink['imports'];
  readonly #bytes: ByteBudget;
  readonly #handles: HandleCounter;
  readonly #destructors: DestructorRunner | undefined;
  /** The sandbox ended (`end`): its guest runs no more, not even a destructor the host asks for. */
  #ended = false;
  /** What the plan's shape says of where things are in `#parts`. */
  readonly #shape: PlanShape;
  /**
   * The instance's parts in one array made at its final length: the component instances' states,
   * the option slots (one per distinct set of options), the trampolines, then the core
   * instances (offsets in `PlanShape`; one array rather than four: idle memory, issue 12).
   */
  readonly #parts: unknown[];
  /** The host function of the first lifted function used (most sandboxes use one or none), made on first use. */
  #firstFunc: FuncDef | undefined;
  #first: ((...args: unknown[]) => unknown) | undefined;
  /** Host functions of the lifted functions used after the first. */
  #functions: Map<FuncDef, (...args: unknown[]) => unknown> | undefined;
  /** Guest resources the host holds, by handle; made on the first. */
  #held: Map<number, GuestResource> | undefined;
  #nextHandle = 1;

  constructor(plan: ComponentPlan, modules: readonly WebAssembly.Module[], link: ComponentLink) {
    this.#plan = plan;
    this.#imports = link.imports;
    this.#bytes = link.bytes;
    this.#handles = link.handles;
    this.#destructors = link.destructors;
    const shape = planShape(plan);
    this.#shape = shape;
    const parts: unknown[] = new Array(shape.size);
    this.#parts = parts;
    const gate = link.gate ?? NO_MARK;
    for (let i = 0; i < plan.componentInstances; i++)
      parts[i] = new InstanceState(i, link.handles, this, gate);
    // One view per memory, one slot per distinct set of options (the same memory, realloc,
    // post-return and encoding: binding a shared slot twice binds it to the same things).
    // Options without a memory, realloc or post-return (a scalar import's) bind nothing: their
    // slot is shared by every sandbox (`bareSlot`); the others get a view and a slot each.
    const memories: MemoryView[] = new Array(shape.memoryGroups);
    for (let i = 0; i < plan.options.length; i++) {
      const at = shape.slotsAt + shape.slotGroup[i]!;
      if (parts[at]) continue;
      const options = plan.options[i]!;
      if (!options.memory && !options.realloc && !options.postReturn) parts[at] = bareSlot(options.encoding);
      else {
        const m = shape.memoryGroup[i]!;
        memories[m] ??= new MemoryView();
        parts[at] = new OptionSlot(memories[m]!, options.encoding);
      }
    }
    for (let i = 0; i < plan.trampolines.length; i++)
      parts[shape.trampolinesAt + i] = this.#trampoline(plan.trampolines[i]!, link.untyped);
    // Options are bound as soon as the instance they name exists (a start function may call out).
    // Indexed loops: for-of over the plan's tuples made an iterator and a result per step at
    // every spawn (0.7 KB of a bench spawn's 11 KB), forEach a closure.
    const steps = plan.instantiations;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      // No prototype: a core module's names are the guest's (`__proto__` is a name like any other).
      const imports: WebAssembly.Imports = Object.create(null);
      for (let a = 0; a < step.args.length; a++) {
        const [name, arg] = step.args[a]!;
        if (arg.kind === 'instance')
          imports[name] = this.#core(arg.index)!.exports as WebAssembly.ModuleImports;
        else {
          const bag: WebAssembly.ModuleImports = {};
          for (let e = 0; e < arg.exports.length; e++) {
            const [n, def] = arg.exports[e]!;
            bag[n] = this.#resolve(def) as WebAssembly.ImportValue;
          }
          imports[name] = bag;
        }
      }
      parts[shape.coreAt + index] = link.instantiateCore(modules[step.module]!, imports);
      const bind = shape.bindAfter[index];
      if (bind) for (let b = 0; b < bind.length; b++) this.#bind(bind[b]!);
    }
    if (!shape.keepsImports) this.#imports = NO_IMPORTS;
  }

  #state(i: number): InstanceState {
    return this.#parts[i] as InstanceState;
  }

  /** The slot of the plan's options `i`. */
  #slot(i: number): OptionSlot {
    const shape = this.#shape;
    return this.#parts[shape.slotsAt + shape.slotGroup[i]!] as OptionSlot;
  }

  #core(i: number): WebAssembly.Instance | undefined {
    return i < this.#shape.instantiations
      ? (this.#parts[this.#shape.coreAt + i] as WebAssembly.Instance | undefined)
      : undefined;
  }

  #bind(i: number): void {
    const options = this.#plan.options[i]!;
    const slot = this.#slot(i);
    if (options.memory) {
      const memory = this.#resolve(options.memory);
      if (!(memory instanceof WebAssembly.Memory))
        throw new KeelError('invalid-module', 'a memory option is not a memory');
      slot.mem.memory = memory;
    }
    if (options.realloc) slot.realloc = this.#resolve(options.realloc) as Realloc;
    if (options.postReturn)
      slot.postReturn = this.#resolve(options.postReturn) as (...flat: unknown[]) => void;
  }

  #resolve(def: CoreDef): unknown {
    if (def.kind === 'trampoline') return this.#parts[this.#shape.trampolinesAt + def.index];
    const instance = this.#core(def.instance);
    if (!instance) throw new KeelError('internal', `core instance ${def.instance} is used before it exists`);
    const value = instance.exports[def.name];
    if (value === undefined)
      throw new KeelError('invalid-module', `core export ${JSON.stringify(def.name)} is missing`);
    return value;
  }

  /**
   * The sandbox ended: its instance states let go of it (`InstanceState.end`), and this of its
   * imports and lifted functions. What the guest's core instances reach (their trampolines, the
   * states they hold) is then a few small objects until V8 collects the instances.
   */
  end(): void {
    this.#ended = true;
    for (let i = 0; i < this.#plan.componentInstances; i++) this.#state(i).end();
    this.#imports = NO_IMPORTS;
    this.#firstFunc = undefined;
    this.#first = undefined;
    this.#functions = undefined;
  }

  /** The core instances, in plan order (for tests and direct calls). */
  get coreInstances(): readonly WebAssembly.Instance[] {
    const { coreAt, instantiations } = this.#shape;
    return this.#parts.slice(coreAt, coreAt + instantiations) as WebAssembly.Instance[];
  }

  #trampoline(
    t: ComponentPlan['trampolines'][number],
    untyped: ReadonlyMap<string, string> | undefined,
  ): CoreFunction {
    const state = this.#state(t.instance);
    switch (t.kind) {
      case 'lower': {
        const func = t.func;
        const name = this.#funcName(func);
        // A host function's arguments are bounded by limits.hostArgBytes (an adapter's, by the cap
        // of a call); an adapter's results are lowered at a price (Cx.alloc).
        const cx = () =>
          new Cx(
            this.#slot(t.options),
            state,
            this.#bytes,
            func.kind === 'import' ? name : undefined,
            func.kind === 'lifted',
          );
        const { callee, direct, carry } = this.#callee(func);
        const provider =
          untyped && func.kind === 'import' ? untyped.get(importShape(func, this.#plan).iface) : undefined;
        return loweredFunction({
          name,
          type: func.type,
          callee,
          direct,
          carry,
          inst: state,
          cx,
          badResult: provider === undefined ? badResult : untypedResult(provider),
          failure: provider === undefined ? undefined : untypedFailure(provider),
        });
      }
      case 'resource.new': {
        const resource = t.resource;
        const budget = this.#bytes;
        const gate = state.gate;
        return (rep: number) => {
          // Marked first (`markHost`): the charge and the handle limit's refusal (its event) are host code.
          markHost(gate);
          try {
            // As definitions.py: not from realloc or post-return (the host is mid-way through a value).
            if (!state.mayLeave) trap('the guest called resource.new while realloc or post-return ran');
            budget.charge(HANDLE_BUILTIN_BYTES);
            return state.table(resource).add({ rep, own: true, lendCount: 0, scope: undefined });
          } catch (error) {
            // Thrown into the guest, which may catch it: the call is over all the same.
            throw hostThrew(gate, error);
          }
        };
      }
      case 'resource.rep': {
        const resource = t.resource;
        const budget = this.#bytes;
        const gate = state.gate;
        return (handle: number) => {
          // Marked first: the charge may end a slice of fuel (the deadline's reading, exhaustion).
          markHost(gate);
          try {
            budget.charge(HANDLE_REP_BYTES);
            return state.table(resource).get(handle >>> 0).rep;
          } catch (error) {
            throw hostThrew(gate, error);
          }
        };
      }
      case 'resource.drop': {
        const resource = t.resource;
        const budget = this.#bytes;
        const gate = state.gate;
        return (handle: number) => {
          // Marked first: a host resource's destructor is the embedder's code.
          markHost(gate);
          try {
            if (!state.mayLeave) trap('the guest called resource.drop while realloc or post-return ran');
            budget.charge(HANDLE_BUILTIN_BYTES);
            const table = state.table(resource);
            const i = handle >>> 0;
            const entry = table.get(i);
            if (entry.own && entry.lendCount !== 0) trap(`the ${resource.name} handle ${i} is lent out`);
            table.remove(i);
            if (!entry.own) {
              if (entry.scope) entry.scope.borrowCount--;
              return;
            }
            // The destructor (the embedder's, or the guest's own, lifted): what it throws is a trap too.
            this.#destroy(resource, entry.rep);
          } catch (error) {
            throw hostThrew(gate, error);
          }
        };
      }
    }
  }

  /** An owned resource is gone: the host's object is disposed, or the guest's destructor runs. */
  #destroy(resource: ResourceType, rep: unknown): void {
    if (resource.origin.kind === 'imported') {
      const dispose = (rep as { [Symbol.dispose]?: () => void })[Symbol.dispose];
      if (typeof dispose === 'function') dispose.call(rep);
      return;
    }
    const dtor = this.#plan.destructors.get(resource);
    if (!dtor) return;
    const owner = resource.origin.kind === 'defined' ? this.#state(resource.origin.instance) : undefined;
    if (owner && !owner.mayEnter) trap(`the ${resource.name} destructor would re-enter its component`);
    (this.#resolve(dtor) as (rep: unknown) => void)(rep);
  }

  #funcName(func: FuncDef): string {
    return func.kind === 'import' ? importShape(func, this.#plan).name : 'a function of a nested component';
  }

  /** What a lowered function calls: a provider's function or class, or another component's export. */
  #callee(func: FuncDef): {
    callee: ((args: unknown[]) => unknown) | undefined;
    direct: ((...args: unknown[]) => unknown) | undefined;
    carry?: AdapterStrings | undefined;
  } {
    if (func.kind === 'lifted') {
      // Resolved on first call: the callee's core instance may come later in the plan. The
      // callee's lifted function is this adapter's own, not the one `#lifted` keeps for the
      // embedder's calls of the same export: its context prices the allocations it asks of the
      // callee's realloc (Cx.alloc; an embedder's call is unpriced), holds the adapter's strings
      // while it runs (`source`, `carry`), and its errors name an adapted export.
      let f: ((...args: unknown[]) => unknown) | undefined;
      const adapted = () => {
        const cx = new Cx(this.#slot(func.options), this.#state(func.instance), this.#bytes, undefined, true);
        return { cx, lifted: this.#lift(func, 'an adapted export', cx) };
      };
      if (!holdsString(func.type)) {
        return {
          callee: (args) => {
            f ??= adapted().lifted;
            return f(...args);
          },
          direct: undefined,
        };
      }
      // Strings keep their source's encoding and code units across the adapter (strings.ts,
      // `lowerCarried`).
      const carry = new AdapterStrings();
      let fcx: Cx | undefined;
      return {
        callee: (args) => {
          if (!f) {
            const made = adapted();
            fcx = made.cx;
            f = made.lifted;
          }
          const cx = fcx!;
          cx.source = carry.args.rewind();
          cx.carry = carry.results.begin(cx.opts.encoding);
          try {
            return f(...args);
          } finally {
            cx.source = undefined;
            cx.carry = undefined;
          }
        },
        direct: undefined,
        carry,
      };
    }
    const shape = importShape(func, this.#plan);
    const name = shape.name;
    const record = linkedRecord(this.#imports, shape.iface);
    const last = shape.last;
    // Names reach only what the provider defines (host/abi/members.ts). A function it does not
    // define is refused when called, as a capability Keel does not serve (a component may import
    // functions it never calls).
    const refuse = (what: string) => () => {
      throw notServed(what, name);
    };
    // A resource's constructor, methods and static functions are not behind the linker's gate
    // (it wraps a record's functions): their call is charged here, before the provider runs.
    const budget = this.#bytes;
    const ctor = shape.ctor;
    if (ctor) {
      const cls = recordMember(record, shape.ctorClass!);
      if (!cls) return { callee: refuse(`a constructor of ${ctor[1]}`), direct: undefined };
      return {
        callee: (args) => {
          budget.chargeCall();
          return Reflect.construct(cls, args);
        },
        direct: undefined,
      };
    }
    const method = shape.method;
    if (method) {
      const key = shape.methodKey!;
      return {
        callee: (args) => {
          budget.chargeCall();
          const self = args[0];
          const f = methodMember(self, key);
          if (!f) throw notServed(`the method ${method[2]} of ${method[1]}`, name);
          return Reflect.apply(f!, self, args.slice(1));
        },
        direct: undefined,
      };
    }
    const statik = shape.statik;
    if (statik) {
      const cls = recordMember(record, shape.staticClass!);
      const f = staticMember(cls, shape.staticKey!);
      if (!f)
        return { callee: refuse(`the static function ${statik[2]} of ${statik[1]}`), direct: undefined };
      return {
        callee: (args) => {
          budget.chargeCall();
          return Reflect.apply(f, cls, args);
        },
        direct: undefined,
      };
    }
    const fn =
      func.path.length === 1
        ? (recordMember(record, shape.key) ?? recordMember(record, 'default'))
        : recordMember(record, shape.key);
    if (!fn) return { callee: refuse(`the function ${last}`), direct: undefined };
    // The array form is made from `direct` only when a call needs it (loweredFunction).
    return { callee: undefined, direct: fn as (...args: unknown[]) => unknown };
  }

  /** The host function of a lifted function (built once per sandbox). */
  #lifted(func: FuncDef & { kind: 'lifted' }, name: string): (...args: unknown[]) => unknown {
    if (func === this.#firstFunc) return this.#first!;
    let f = this.#functions?.get(func);
    if (!f) {
      f = this.#lift(func, name, new Cx(this.#slot(func.options), this.#state(func.instance), this.#bytes));
      if (!this.#firstFunc) {
        this.#firstFunc = func;
        this.#first = f;
      } else {
        this.#functions ??= new Map();
        this.#functions.set(func, f);
      }
    }
    return f;
  }

  /** `func` lifted as a host function named `name`, through `cx` (a context of its own). */
  #lift(func: FuncDef & { kind: 'lifted' }, name: string, cx: Cx): (...args: unknown[]) => unknown {
    return liftedFunction({
      name,
      type: func.type,
      core: this.#resolve(func.core) as CoreFunction,
      cx,
      slot: cx.opts,
    });
  }

  /**
   * A lifted export whose parameters and result are all scalars, for the fast path's own
   * function (`scalarCall`); undefined for any other export. `modules`: the compiled core
   * modules, in plan order, when the sandbox is metered (a leaf's twin and cost are looked up).
   */
  scalarExport(exportName: string, modules?: readonly WebAssembly.Module[]): ScalarExport | undefined {
    const facts = this.#scalarFacts(exportName, modules);
    if (facts === undefined) return undefined;
    const func = facts.func;
    let leaf: ScalarExport['leaf'];
    if (facts.twin !== undefined) {
      const core = this.#core(facts.twin.instance)?.exports[facts.twin.name];
      if (typeof core === 'function') leaf = { core: core as CoreFunction, cost: facts.twin.cost };
    }
    return {
      type: func.type,
      core: this.#resolve(func.core) as CoreFunction,
      inst: this.#state(func.instance),
      slot: this.#slot(func.options),
      leaf,
    };
  }

  /**
   * What `scalarExport` finds under a name, the same for every sandbox of the plan (and of its
   * compiled modules, for a twin): found once per name, not at every `fn` (the export's lookup,
   * its shape's check, the twin's cost and name: spawn time, issue 12). Kept only for names the
   * plan exports, so the cache is bounded by the plan.
   */
  #scalarFacts(
    exportName: string,
    modules: readonly WebAssembly.Module[] | undefined,
  ): ScalarFacts | undefined {
    const key: object = modules ?? this.#plan;
    let byName = scalarFactsOf.get(key);
    const known = byName?.get(exportName);
    if (known !== undefined) return known ?? undefined;
    const func = findExport(this.#plan.exports, exportName)?.func;
    if (func === undefined) return undefined;
    let facts: ScalarFacts | null = null;
    if (func.kind === 'lifted' && isScalarShape(func.type))
      facts = { func, twin: modules === undefined ? undefined : this.#twin(func.core, modules) };
    if (byName === undefined) {
      byName = new Map();
      scalarFactsOf.set(key, byName);
    }
    byName.set(exportName, facts);
    return facts ?? undefined;
  }

  /**
   * The metering pass's uncharged twin of a constant-cost leaf export: its instance, export name
   * and cost (host/meter/leaves.ts), when its module has one: the fast path charges the cost,
   * read once per compiled module (`leafCosts`), not from the instance.
   */
  #twin(def: CoreDef, modules: readonly WebAssembly.Module[]): ScalarFacts['twin'] {
    if (def.kind !== 'export') return undefined;
    const step = this.#plan.instantiations[def.instance];
    const module = step === undefined ? undefined : modules[step.module];
    if (module === undefined) return undefined;
    const cost = leafCosts(module).get(def.name);
    if (cost === undefined) return undefined;
    // One that costs nothing is its own twin: the pass writes it as it is (no charge).
    return { instance: def.instance, name: cost === 0 ? def.name : LEAF_PREFIX + def.name, cost };
  }

  /**
   * The host function behind an export name: a world-level function (`greet`), or a function
   * of an exported interface (`pkg:ns/iface@1.0.0#fn`, the version optional), including a
   * resource's `[constructor]r`, `[method]r.m` and `[static]r.f`. Undefined when there is none.
   */
  exportFunction(exportName: string): { fn: (...args: unknown[]) => unknown; type: FuncType } | undefined {
    const target = findExport(this.#plan.exports, exportName);
    if (!target) return this.#dropFunction(exportName);
    const func = target.func;
    if (func.kind === 'lifted') return { fn: this.#lifted(func, exportName), type: func.type };
    // A re-exported import: the host calls its own provider.
    const { callee, direct } = this.#callee(func);
    return { fn: callee ? (...args: unknown[]) => callee(args) : direct!, type: func.type };
  }

  /** Whether `exportFunction` finds a function under this name, without making it. */
  hasExport(exportName: string): boolean {
    return (
      findExport(this.#plan.exports, exportName) !== undefined || this.#dropFunction(exportName) !== undefined
    );
  }

  /**
   * `pkg:ns/iface#[resource-drop]r`: drops a resource `r` the interface exports and the host
   * holds (how a JSON caller, who holds only `{ resource, handle }`, drops one).
   */
  #dropFunction(exportName: string): { fn: (...args: unknown[]) => unknown; type: FuncType } | undefined {
    const match = /^(.*)#\[resource-drop\]([^#]+)$/.exec(exportName);
    if (!match) return undefined;
    const instance = findInstance(this.#plan.exports, match[1]!);
    const def = instance?.exports.get(match[2]!);
    if (def?.sort !== 'type' || !(def.type instanceof ResourceType) || def.type.origin.kind !== 'defined') {
      return undefined;
    }
    const resource = def.type;
    const type: FuncType = {
      kind: 'func',
      params: [{ name: 'self', type: { kind: 'own', resource } }],
      results: [],
    };
    const fn = (...args: unknown[]) => {
      if (args.length !== 1) arityError(exportName, type, args.length);
      const state = GuestResource.state(args[0]);
      if (!state || state.type !== resource || state.owner !== this) {
        argumentError(exportName, type, 0, new ValueError(`expected a ${resource.name} resource`));
      }
      (args[0] as GuestResource)[Symbol.dispose]();
    };
    return { fn, type };
  }

  // ResourceHost

  hostClass(resource: ResourceType): Function | undefined {
    if (resource.origin.kind !== 'imported') return undefined;
    const path = resource.origin.path;
    const record = this.#imports[stripVersion(path[0]!)];
    const cls = record?.[className(path[path.length - 1]!)];
    return typeof cls === 'function' ? cls : undefined;
  }

  hold(resource: ResourceType, rep: number, borrowed: boolean): GuestResource {
    if (borrowed) {
      return new GuestResource({ type: resource, owner: this, rep, state: 'borrowed', drop: undefined }, 0);
    }
    this.#handles.acquire(resource.name);
    const handle = this.#nextHandle++;
    const r = new GuestResource(
      {
        type: resource,
        owner: this,
        rep,
        state: 'owned',
        drop: (self) => {
          this.release(self);
          // Its sandbox ended: the guest (and what the resource was to it) is gone with it.
          if (this.#ended) return;
          const runner = this.#destructors;
          if (runner) runner.runDestructor(() => this.#destroy(resource, rep), resource.name);
          else this.#destroy(resource, rep);
        },
      },
      handle,
    );
    this.#held ??= new Map();
    this.#held.set(handle, r);
    return r;
  }

  release(r: GuestResource): void {
    if (this.#held?.delete(r.handle)) this.#handles.release();
  }

  /** A guest resource the host holds, by its handle (how JSON values name one). */
  heldResource(handle: number): GuestResource | undefined {
    return this.#held?.get(handle);
  }
}

/**
 * What a spawn needs of a plan that does not depend on the sandbox, worked out once per plan:
 * which options share a memory (one view per memory), and after which instantiation each
 * option's memory, realloc and post-return exist to be bound (the latest instance they name).
 */
interface PlanShape {
  /** Per option, the index of its memory's view. */
  readonly memoryGroup: readonly number[];
  readonly memoryGroups: number;
  /** Per option, the index of its slot (options alike in memory, realloc, post-return and encoding share one). */
  readonly slotGroup: readonly number[];
  readonly slotGroups: number;
  /** Where the parts of an instance are in its one array: states from 0, then slots, trampolines, core instances. */
  readonly slotsAt: number;
  readonly trampolinesAt: number;
  readonly coreAt: number;
  readonly instantiations: number;
  readonly size: number;
  /** Per instantiation, the options to bind once it exists (in the order they were always bound: last first). */
  readonly bindAfter: readonly (readonly number[] | undefined)[];
  /**
   * Whether an instance needs its imports once made: a resource type is imported (its host
   * class is looked up when a handle crosses) or an import is re-exported (its provider's
   * function is looked up when the export is first called). Otherwise every lowered import
   * was resolved while the instance was made, and the record is dropped (idle memory, issue 12).
   */
  readonly keepsImports: boolean;
}

const NO_IMPORTS: ComponentLink['imports'] = Object.freeze(Object.create(null));

/** A scalar export as every sandbox of a plan finds it (`#scalarFacts`). */
interface ScalarFacts {
  readonly func: FuncDef & { kind: 'lifted' };
  /** Its twin, when metered and its module has one (the instance checks the export exists). */
  readonly twin: { readonly instance: number; readonly name: string; readonly cost: number } | undefined;
}
/**
 * By plan (unmetered) or by the plan's compiled modules (metered: the twins are theirs), then by
 * name; null for an exported function that is not a scalar export.
 */
const scalarFactsOf = new WeakMap<object, Map<string, ScalarFacts | null>>();

function keepsImports(plan: ComponentPlan): boolean {
  const reexports = (exports: ReadonlyMap<string, ExportDef>): boolean => {
    for (const def of exports.values()) {
      if (def.sort === 'func' && def.func.kind !== 'lifted') return true;
      if (def.sort === 'instance' && reexports(def.exports)) return true;
    }
    return false;
  };
  const resources = (t: ExternType): boolean => {
    if (t.sort === 'type') return t.type instanceof ResourceType;
    if (t.sort === 'instance') for (const e of t.type.exports.values()) if (resources(e)) return true;
    return t.sort === 'component';
  };
  return reexports(plan.exports) || plan.imports.some((i) => resources(i.type));
}

const planShapes = new WeakMap<ComponentPlan, PlanShape>();

function planShape(plan: ComponentPlan): PlanShape {
  let shape = planShapes.get(plan);
  if (shape) return shape;
  const groups = new Map<string, number>();
  const memoryGroup: number[] = [];
  const slots = new Map<string, number>();
  const slotGroup: number[] = [];
  const bindAfter: number[][] = [];
  plan.options.forEach((options, i) => {
    const key = options.memory ? defKey(options.memory) : '';
    let group = groups.get(key);
    if (group === undefined) {
      group = groups.size;
      groups.set(key, group);
    }
    memoryGroup.push(group);
    const slotKey = [
      group,
      options.realloc ? defKey(options.realloc) : '',
      options.postReturn ? defKey(options.postReturn) : '',
      options.encoding,
    ].join(' ');
    let slot = slots.get(slotKey);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(slotKey, slot);
    }
    slotGroup.push(slot);
    let at = 0;
    for (const d of [options.memory, options.realloc, options.postReturn])
      if (d?.kind === 'export' && d.instance > at) at = d.instance;
    const list = bindAfter[at] ?? [];
    list.unshift(i);
    bindAfter[at] = list;
  });
  const slotsAt = plan.componentInstances;
  const trampolinesAt = slotsAt + slots.size;
  const coreAt = trampolinesAt + plan.trampolines.length;
  shape = Object.freeze({
    slotsAt,
    trampolinesAt,
    coreAt,
    instantiations: plan.instantiations.length,
    size: coreAt + plan.instantiations.length,
    keepsImports: keepsImports(plan),
    memoryGroup,
    memoryGroups: groups.size,
    slotGroup,
    slotGroups: slots.size,
    bindAfter,
  });
  planShapes.set(plan, shape);
  return shape;
}

function defKey(def: CoreDef): string {
  return def.kind === 'trampoline' ? `t${def.index}` : `${def.instance}:${def.name}`;
}

/**
 * The slot of options that name no memory, realloc or post-return, one per encoding and shared
 * by every sandbox: nothing is ever bound into it, and its view has no memory (a call that needs
 * one traps before it reads or writes anything).
 */
const bareSlots = new Map<string, OptionSlot>();

function bareSlot(encoding: OptionSlot['encoding']): OptionSlot {
  let slot = bareSlots.get(encoding);
  if (!slot) {
    slot = new OptionSlot(new MemoryView(), encoding);
    bareSlots.set(encoding, slot);
  }
  return slot;
}

/** A provider returned a value that does not fit the import's result type: its bug, `internal`. */
function badResult(name: string, type: FuncType, error: ValueError): never {
  throw new KeelError(
    'internal',
    `${name} returned a value that does not fit ${resultText(type)}: ${error.message}`,
    { import: name },
  );
}

const untypedResults = new Map<string, typeof badResult>();

/**
 * A provider that declares no WIT types returned a value that does not fit the type the
 * component declared for the import: the component chose that type (the provider serves
 * whatever it is declared at), so it is the component's import that does not fit what its
 * provider serves, `capability-denied` as a declared type's mismatch is at spawn; never the
 * host's `internal`, which a guest must not be able to raise at will. One function per provider.
 */
function untypedResult(provider: string): typeof badResult {
  let fn = untypedResults.get(provider);
  if (!fn) {
    fn = (name, type, error) => {
      throw new KeelError(
        'capability-denied',
        `${name} returned a value that does not fit ${resultText(type)}, the type the component declared (provider ${provider} declares no WIT types): ${error.message}`,
        { import: name, provider, reason: 'type-mismatch' },
      );
    };
    untypedResults.set(provider, fn);
  }
  return fn;
}

const untypedFailures = new Map<string, (error: unknown, name: string) => unknown>();

/**
 * A provider that declares no WIT types threw a non-Error value (an error payload) where the type
 * the component declared has no `result` to carry it: the provider answers with an error the
 * component did not declare, the component's choice of type, so, as a result that does not fit
 * (`untypedResult`), it is `capability-denied`, never `internal`. A `TypeError` stays the
 * provider's bug (`hostFailure`): an untyped provider must check the arguments it is given
 * (docs/abi.md, "Import types"); Keel's typed errors and other failures are what they are.
 */
function untypedFailure(provider: string): (error: unknown, name: string) => unknown {
  let fn = untypedFailures.get(provider);
  if (!fn) {
    fn = (error, name) => {
      if (error instanceof Error) return hostFailure(error, name);
      const what = `it failed with ${valueText(error)}`;
      return new KeelError(
        'capability-denied',
        `${name} failed at the types the component declared (provider ${provider} declares no WIT types): ${what}`,
        { import: name, provider, reason: 'type-mismatch' },
      );
    };
    untypedFailures.set(provider, fn);
  }
  return fn;
}

/** A thrown non-Error value, shown short (it is the provider's, so never the guest's text at length). */
function valueText(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function resultText(ft: FuncType): string {
  return ft.results.length === 0 ? 'no result' : ft.results.map((r) => typeText(r.type)).join(', ');
}

/** The exported function an API name designates. */
export function findExport(
  exports: ReadonlyMap<string, ExportDef>,
  exportName: string,
): ExportTarget | undefined {
  const direct = exports.get(exportName);
  if (direct?.sort === 'func') return { func: direct.func, name: exportName };
  const hash = exportName.lastIndexOf('#');
  if (hash < 0) return undefined;
  const f = findInstance(exports, exportName.slice(0, hash))?.exports.get(exportName.slice(hash + 1));
  return f?.sort === 'func' ? { func: f.func, name: exportName } : undefined;
}

/** An exported interface by its name, the version optional (`pkg:ns/iface`). */
function findInstance(
  exports: ReadonlyMap<string, ExportDef>,
  iface: string,
): (ExportDef & { sort: 'instance' }) | undefined {
  let instance = exports.get(iface);
  if (!instance && !iface.includes('@')) {
    for (const [name, def] of exports) {
      if (def.sort === 'instance' && stripVersion(name) === iface) {
        instance = def;
        break;
      }
    }
  }
  return instance?.sort === 'instance' ? instance : undefined;
}

/** What a host function's path says (its name, its kind of member): read by every spawn. */
interface ImportShape {
  /** `wasi:cli/stdout#get-stdout`, as messages name it. */
  readonly name: string;
  /** The path's last name. */
  readonly last: string;
  readonly ctor: RegExpExecArray | null;
  readonly method: RegExpExecArray | null;
  readonly statik: RegExpExecArray | null;
  /** `last` as a member's key (`get-stdout` → `getStdout`). */
  readonly key: string;
  /** The import's interface without its version (`wasi:cli/stdout`): its linked record's key. */
  readonly iface: string;
  /**
   * The member names of a constructor, method or static function (`OutputStream`,
   * `blockingWrite`): worked out here, not at every spawn (a string per trampoline each time:
   * 3 KB a spawn of the C SDK probe).
   */
  readonly ctorClass: string | undefined;
  readonly methodKey: string | undefined;
  readonly staticClass: string | undefined;
  readonly staticKey: string | undefined;
}

/** Worked out once per function of a plan (plans are shared by every sandbox of a module). */
const importShapes = new WeakMap<FuncDef, ImportShape>();

function importShape(func: FuncDef & { kind: 'import' }, plan: ComponentPlan): ImportShape {
  let shape = importShapes.get(func);
  if (shape) return shape;
  const [head, ...rest] = func.path;
  const last = func.path[func.path.length - 1]!;
  const ctor = /^\[constructor\](.+)$/.exec(last);
  const method = /^\[method\]([^.]+)\.(.+)$/.exec(last);
  const statik = /^\[static\]([^.]+)\.(.+)$/.exec(last);
  shape = Object.freeze({
    name: rest.length === 0 ? head! : `${head}#${rest.join('#')}`,
    last,
    ctor,
    method,
    statik,
    key: camelCase(last),
    iface: stripVersion(plan.imports[func.import]!.name),
    ctorClass: ctor ? className(ctor[1]!) : undefined,
    methodKey: method ? camelCase(method[2]!) : undefined,
    staticClass: statik ? className(statik[1]!) : undefined,
    staticKey: statik ? camelCase(statik[2]!) : undefined,
  });
  importShapes.set(func, shape);
  return shape;
}

/**
 * One object of each class a component instance is made of, kept for the life of the process
 * (a few hundred bytes: the instance of an empty plan, with no core instance and no memory). V8
 * holds a class's hidden classes (maps) only through the objects that have them: when every
 * sandbox had ended and full collections ran (a kernel that spawns one sandbox at a time, or
 * goes idle), the maps died with the last instance, and so did the optimized code of the spawn
 * and call paths that checks them (about 90 "weak objects" deoptimizations in 5,000 spawns with
 * a collection every 300); the next spawns ran unoptimized while that code was compiled again.
 * Made through the same constructors as every sandbox's parts, they have the same maps
 * (test/abi/exemplars.test.ts).
 */
export const EXEMPLARS = exemplars();

function exemplars(): {
  readonly instance: ComponentInstance;
  readonly state: InstanceState;
  readonly slot: OptionSlot;
  readonly cx: Cx;
} {
  const plan: ComponentPlan = {
    modules: [],
    instantiations: [],
    trampolines: [],
    options: [],
    imports: [],
    exports: new Map(),
    destructors: new Map(),
    componentInstances: 0,
  };
  const bytes: ByteBudget = {
    maxCallBytes: 1 << 16,
    maxHostArgBytes: 1 << 16,
    charge() {},
    chargeCall() {},
  };
  const handles: HandleCounter = { acquire() {}, release() {} };
  const instance = new ComponentInstance(plan, [], {
    imports: NO_IMPORTS,
    instantiateCore: () => {
      throw new KeelError('internal', 'an exemplar instantiates nothing');
    },
    bytes,
    handles,
  });
  const slot = new OptionSlot(new MemoryView(), 'utf8');
  const state = new InstanceState(0, handles, instance);
  return Object.freeze({ instance, state, slot, cx: new Cx(slot, state, bytes, 'exemplar') });
}
