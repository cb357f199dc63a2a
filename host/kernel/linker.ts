/**
 * Linking: each sandbox's imports are built from its grants alone. Every import the module
 * needs is resolved to a provider and a decision (granted, authority-free, denied) before any
 * guest code runs; a denial fails the spawn naming the import, or, with lazy denial, links a
 * stub whose every call fails with `capability-denied`.
 */
import { type CapabilityProvider, DEFAULT_HOST_COSTS, type SandboxContext } from '../caps/provider.js';
import type { CoreImport } from '../loader/core-info.js';
import type { LoadedModule } from '../loader/loader.js';
import { stripVersion } from '../policy/grants.js';
import { KeelError } from './errors.js';
import { oncePer } from './once-per.js';

export interface Requirement {
  /** What grants match: `wasi:cli/stdout`, `env.read_secret`. */
  interface: string;
  /** As the module names it: `wasi:cli/stdout@0.2.3`. */
  import: string;
  /** For core imports. */
  coreModule?: string;
  coreName?: string;
  coreKind?: string;
  /**
   * Linked when granted, never required on its own (a WASI 0.2 interface a preview1 module may
   * use: whether the module can run without it is decided per preview1 function).
   */
  optional?: boolean;
  /** For an optional requirement: the first import that draws on it (for messages). */
  via?: string;
}

export type LinkDecision =
  | { status: 'granted'; scope: unknown; provider: CapabilityProvider; via: 'grant' | 'approval' }
  | { status: 'authority-free'; provider: CapabilityProvider }
  | { status: 'denied'; reason: string; provider?: CapabilityProvider; refused?: boolean };

export interface PlannedLink {
  requirement: Requirement;
  decision: LinkDecision;
}

/** What a module needs linked, in import order; computed once per loaded module (a spawn only reads it). */
export const requirements: (module: LoadedModule) => readonly Requirement[] = oncePer(
  (module: LoadedModule) => Object.freeze(computeRequirements(module)),
);

function computeRequirements(module: LoadedModule): Requirement[] {
  if (module.kind === 'core') return coreRequirements(module.coreInfo?.imports ?? []);
  // What running the component needs: imports whose functions it calls or whose resources it
  // uses (an instance imported only for its types, such as a record, needs nothing linked).
  // In name order, so that which denial is reported first does not depend on the toolchain.
  return (module.plan?.imports ?? [])
    .filter((i) => i.used)
    .map((i) => ({ interface: stripVersion(i.name), import: i.name }))
    .sort((a, b) => (a.interface < b.interface ? -1 : a.interface > b.interface ? 1 : 0));
}

/** Core imports, each matched by grants as `module.name`. */
export function coreRequirements(imports: readonly CoreImport[]): Requirement[] {
  return imports.map((i) => ({
    interface: `${i.module}.${i.name}`,
    import: `${i.module}.${i.name}`,
    coreModule: i.module,
    coreName: i.name,
    coreKind: i.kind,
  }));
}

/** The provider registry: interface (or core import) → provider. */
/** An interface whose provider declares secrets (`ProviderRegistry.withSecrets`). */
export interface SecretServer {
  readonly provider: CapabilityProvider;
  readonly iface: string;
  /** `iface` without its version, as grants are matched. */
  readonly name: string;
}

const NO_SERVERS: readonly SecretServer[] = Object.freeze([]);

export class ProviderRegistry {
  readonly #byInterface = new Map<string, CapabilityProvider>();
  readonly #providers: CapabilityProvider[] = [];

  constructor(providers: readonly CapabilityProvider[]) {
    for (const provider of providers) this.add(provider);
  }

  add(provider: CapabilityProvider): void {
    this.#withSecrets = undefined;
    for (const name of [...provider.interfaces, ...(provider.coreImports ?? [])]) {
      if (this.#byInterface.has(name)) {
        throw new KeelError(
          'invalid-argument',
          `two providers serve ${name}: ${this.#byInterface.get(name)!.name} and ${provider.name}`,
        );
      }
      this.#byInterface.set(name, provider);
    }
    this.#providers.push(provider);
  }

  /** The provider for an interface or a core import (`env.read_secret`, else `env.*`). */
  find(iface: string): CapabilityProvider | undefined {
    const exact = this.#byInterface.get(iface);
    if (exact) return exact;
    const dot = iface.indexOf('.');
    return dot > 0 ? this.#byInterface.get(`${iface.slice(0, dot)}.*`) : undefined;
  }

  /**
   * Each interface whose provider declares secrets (`CapabilityProvider.secrets`), with its
   * unversioned name: what every spawn's grants are checked against (worked out once, again after
   * `add`).
   */
  withSecrets(): readonly SecretServer[] {
    if (this.#withSecrets) return this.#withSecrets;
    const servers: SecretServer[] = [];
    const byName = new Map<string, SecretServer[]>();
    for (const provider of this.#providers) {
      if (!provider.secrets) continue;
      for (const iface of provider.interfaces) {
        const server = { provider, iface, name: stripVersion(iface) };
        servers.push(server);
        const named = byName.get(server.name);
        if (named) named.push(server);
        else byName.set(server.name, [server]);
      }
    }
    this.#secretsByName = byName;
    this.#withSecrets = Object.freeze(servers);
    return this.#withSecrets;
  }

  /**
   * The servers of `withSecrets` a grant of `pattern` may cover (`grantCovers` decides): those
   * of that name for an exact grant, found in a map (not every server's name compared with
   * every grant of every spawn: spawn time, issue 12); all of them for a family (`wasi:cli/*`).
   */
  secretServers(pattern: string): readonly SecretServer[] {
    const all = this.withSecrets();
    if (pattern.endsWith('*')) return all;
    return this.#secretsByName!.get(pattern) ?? NO_SERVERS;
  }

  #withSecrets: readonly SecretServer[] | undefined;
  #secretsByName: ReadonlyMap<string, readonly SecretServer[]> | undefined;

  get all(): readonly CapabilityProvider[] {
    return this.#providers;
  }
}

export function isAuthorityFree(provider: CapabilityProvider | undefined, iface: string): boolean {
  return provider?.authorityFree?.includes(iface) ?? false;
}

function deniedStub(
  requirement: Requirement,
  onCall: (requirement: Requirement) => never,
): Record<string, unknown> {
  // A function (not an arrow) so that `new` of a resource's constructor fails the same way.
  const fail = function denied() {
    return onCall(requirement);
  };
  // Every name is a refused function, also to a lookup by own property (host/abi/members.ts).
  return new Proxy(
    {},
    {
      get: (_, key) => (key === 'then' ? undefined : fail),
      getOwnPropertyDescriptor: (_, key) =>
        key === 'then' ? undefined : { value: fail, writable: false, enumerable: true, configurable: true },
    },
  );
}

/** Whether a function is a class (a resource type), which the gate must hand over unwrapped. */
function isClass(value: Function): boolean {
  // A class's `prototype` is never writable: a function without one (an arrow, a method, a bound
  // function) or with a writable one is not a class, known without printing its source (every
  // spawn gates every function its providers link).
  // An arrow or a method has none: answered without a descriptor object (a spawn's garbage).
  if (!Object.hasOwn(value, 'prototype')) return false;
  const prototype = Object.getOwnPropertyDescriptor(value, 'prototype');
  if (prototype === undefined || prototype.writable) return false;
  return /^class\b/.test(Function.prototype.toString.call(value));
}

/**
 * The capability gate around a provider's functions (granted, or its stand-ins for a lazily
 * denied interface): each call charges its fuel before the provider runs. A resource's
 * constructor, methods and static functions are reached through its class, not the record:
 * the canonical ABI charges their call (host/abi/instance.ts), their providers their work.
 */
function gate(
  linked: Record<string, unknown>,
  provider: CapabilityProvider,
  meter: FuelCharger,
): Record<string, unknown> {
  const cost = provider.callCost ?? DEFAULT_HOST_COSTS.call;
  if (cost === 0) return linked;
  const gated: Record<string, unknown> = {};
  const names = Object.keys(linked);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = linked[name];
    if (typeof value !== 'function' || isClass(value)) {
      gated[name] = value;
      continue;
    }
    gated[name] = charged(value as (...args: unknown[]) => unknown, cost, meter);
  }
  return gated;
}

/**
 * One provider function behind the gate. Made here rather than in `gate`'s loop so that the
 * closure's context holds only what it uses (one context per function, not one per function
 * plus one shared: idle memory per sandbox, issue 12). It holds the sandbox's meter, not its
 * `SandboxContext` (whose `charge` is the same meter's): the guest's instance keeps its imports
 * until V8's next full collection, and through the context it kept the ended sandbox's events,
 * deadline and export table, 1.7 KB a spawn that young collections copied and promoted
 * (bench/results/perf-spawn-2026-12-07-14.md). The meter it reaches anyway (its `keel` imports).
 */
function charged(
  fn: (...args: unknown[]) => unknown,
  cost: number,
  meter: FuelCharger,
): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    meter.charge(cost);
    return fn(...args);
  };
}

/** What the gate charges a call to: the sandbox's meter. */
export interface FuelCharger {
  charge(fuel: number): void;
}

/** Build the import object for a component (by interface) or a core module (by module namespace). */
export function buildImports(
  plan: readonly PlannedLink[],
  context: SandboxContext,
  onDeniedCall: (requirement: Requirement) => never,
  meter: FuelCharger | undefined,
): Record<string, Record<string, unknown>> {
  // A module's names are data: they key objects without a prototype, so that a core import
  // from a module named `__proto__`, `constructor` or `hasOwnProperty` finds nothing of the
  // host's (assigning into one wrote the guest's import onto Object.prototype, Object or a
  // built-in function, for every object of the host process).
  const imports: Record<string, Record<string, unknown>> = Object.create(null);
  // Each interface's linked record, shared by the core imports of one provider: the first in a
  // pair of variables, the others in a map made at the second (a component's spawn links each
  // interface once: no map per spawn).
  let firstKey: string | undefined;
  let firstLinked: Record<string, unknown> | undefined;
  let linkedMore: Map<string, Record<string, unknown>> | undefined;
  for (const { requirement, decision } of plan) {
    let linked: Record<string, unknown>;
    /** The kernel's own stub: every name is the refusal, whatever the name. */
    let stub = false;
    if (decision.status === 'denied') {
      // A provider's stand-in answers refusals the guest carries on after (WASI access-denied):
      // each is charged as a granted call is, or a guest could loop on them for free.
      const stand = decision.provider?.linkDenied?.({ interface: requirement.interface, context });
      linked = stand
        ? meter
          ? gate(stand, decision.provider!, meter)
          : stand
        : deniedStub(requirement, onDeniedCall);
      stub = stand === undefined;
    } else {
      const scope = decision.status === 'granted' ? decision.scope : undefined;
      const key = requirement.interface;
      // Core imports of one provider share one linked record per interface.
      let shared = key === firstKey ? firstLinked : linkedMore?.get(key);
      if (!shared) {
        shared = decision.provider.link({ interface: requirement.interface, scope, context });
        // Unmetered, a charge would do nothing: the provider's functions are linked as they are.
        if (meter) shared = gate(shared, decision.provider, meter);
        if (firstKey === undefined) {
          firstKey = key;
          firstLinked = shared;
        } else {
          linkedMore ??= new Map();
          linkedMore.set(key, shared);
        }
      }
      linked = shared;
    }
    if (requirement.coreModule !== undefined) {
      const module = requirement.coreModule;
      const name = requirement.coreName!;
      let namespace = Object.hasOwn(imports, module) ? imports[module] : undefined;
      if (!namespace) {
        namespace = Object.create(null) as Record<string, unknown>;
        imports[module] = namespace;
      }
      // Only what the provider linked under that name, never a member every object inherits.
      const value = stub || Object.hasOwn(linked, name) ? linked[name] : undefined;
      if (value === undefined && decision.status !== 'denied') {
        // A name the provider declared is its bug; one a wildcard (`env.*`) let through is the
        // guest's import of something nobody serves.
        if (decision.provider.coreImports?.includes(requirement.interface)) {
          throw new KeelError(
            'internal',
            `provider ${decision.provider.name} linked nothing for ${requirement.import}`,
          );
        }
        throw new KeelError(
          'capability-denied',
          `the module imports ${requirement.import}, which no capability provider serves`,
          { import: requirement.import, interface: requirement.interface, reason: 'no-provider' },
        );
      }
      namespace[name] = value;
    } else {
      imports[requirement.interface] = linked;
    }
  }
  return imports;
}
