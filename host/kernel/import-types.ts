/**
 * Import types against served types: a component's import of an interface must have the types
 * the interface's provider serves it at (`CapabilityProvider.wit`), or the component could make
 * the canonical ABI hand a provider values of types it never declared and lower its results
 * as types of the component's choosing. Checked at spawn, before any guest code runs, for every
 * import whose provider declares its types (used or not: the component model links every
 * import); a mismatch is
 * `capability-denied` naming the import, the function and both WIT types. Worked out once per
 * (loaded module, kernel's providers): a spawn reads the answer.
 */
import { type Bindings, importMismatch } from '../abi/conform.js';
import { planComponent } from '../abi/plan.js';
import type { ExternType } from '../abi/types.js';
import type { CapabilityProvider } from '../caps/provider.js';
import { EVENTS } from '../events/names.js';
import type { LoadedModule } from '../loader/loader.js';
import { stripVersion } from '../policy/grants.js';
import { isKeelError, KeelError } from './errors.js';
import type { ProviderRegistry } from './linker.js';
import type { Sandbox } from './sandbox.js';

/** By the declaration itself (bytes or function), so that providers sharing one parse it once. */
const served = new WeakMap<object, ReadonlyMap<string, ExternType>>();

/**
 * What a provider serves, by unversioned interface, read from its `wit` (a component that
 * imports each interface) by Keel's own parser, once per declaration (Keel's four keel:kernel
 * providers share one); undefined when it declares none.
 */
export function servedTypes(provider: CapabilityProvider): ReadonlyMap<string, ExternType> | undefined {
  const wit = provider.wit;
  return wit === undefined ? undefined : declaredTypes(wit, `provider ${provider.name}`);
}

/**
 * The interfaces a WIT declaration (a component importing each) gives types for, by unversioned
 * name, parsed once per declaration; `owner` names it in the `invalid-argument` of bytes Keel
 * cannot read.
 */
export function declaredTypes(
  wit: Uint8Array | (() => Uint8Array),
  owner: string,
): ReadonlyMap<string, ExternType> {
  const known = served.get(wit);
  if (known) return known;
  let types: Map<string, ExternType>;
  try {
    const plan = planComponent(typeof wit === 'function' ? wit() : wit);
    types = new Map(plan.imports.map((i) => [stripVersion(i.name), i.type]));
  } catch (error) {
    const why = isKeelError(error) ? error.message : String(error);
    throw new KeelError('invalid-argument', `${owner}: its wit is not a component Keel can read: ${why}`);
  }
  served.set(wit, types);
  return types;
}

interface Mismatch {
  readonly import: string;
  readonly iface: string;
  readonly why: string;
}

/** What a module's imports come to against a registry's providers. */
interface Verdict {
  /** The first import that does not fit, or null. */
  readonly mismatch: Mismatch | null;
  /** Used imports whose provider declares no types, by unversioned name, and its name; undefined when none. */
  readonly untyped: ReadonlyMap<string, string> | undefined;
}

/** Per loaded module, per provider registry. */
const verdicts = new WeakMap<LoadedModule, WeakMap<ProviderRegistry, Verdict>>();

function verdictOf(providers: ProviderRegistry, module: LoadedModule): Verdict {
  let byRegistry = verdicts.get(module);
  let verdict = byRegistry?.get(providers);
  if (verdict === undefined) {
    verdict = judge(providers, module);
    if (!byRegistry) {
      byRegistry = new WeakMap();
      verdicts.set(module, byRegistry);
    }
    byRegistry.set(providers, verdict);
  }
  return verdict;
}

/**
 * Throws `capability-denied` when an import of `module` does not have its provider's types, after
 * the sandbox's `capability:denied` event (as a denied grant has): a refused spawn leaves a trace.
 */
export function checkImportTypes(
  providers: ProviderRegistry,
  module: LoadedModule,
  name: string,
  sandbox: Pick<Sandbox, 'emit'>,
): void {
  if (!module.plan) return;
  const verdict = verdictOf(providers, module).mismatch;
  if (verdict) {
    sandbox.emit({
      event: EVENTS.capabilityDenied,
      level: 'warn',
      status: 'denied',
      data: { interface: verdict.iface, import: verdict.import, reason: 'type-mismatch' },
    });
    throw new KeelError(
      'capability-denied',
      `${name} imports ${verdict.import} with types its provider does not serve: ${verdict.why}`,
      { import: verdict.import, interface: verdict.iface, reason: 'type-mismatch' },
    );
  }
}

/**
 * The used imports of `module` whose provider declares no WIT types (`ComponentLink.untyped`):
 * a result of theirs that does not fit the component's declaration is `capability-denied`.
 */
export function untypedImports(
  providers: ProviderRegistry,
  module: LoadedModule,
): ReadonlyMap<string, string> | undefined {
  return module.plan ? verdictOf(providers, module).untyped : undefined;
}

function judge(providers: ProviderRegistry, module: LoadedModule): Verdict {
  let untyped: Map<string, string> | undefined;
  // One for all imports: a resource one import binds may be used by another's functions.
  const bound: Bindings = new Map();
  for (const imp of module.plan!.imports) {
    const iface = stripVersion(imp.name);
    const provider = providers.find(iface);
    if (!provider) continue;
    const types = servedTypes(provider);
    // An import nothing uses needs no provider; one whose provider declares its types must have
    // them all the same (the component model links every import: Wasmtime's resources.wast 166,
    // 173, 200 and import.wast 7 declare a resource or an instance the host does not serve).
    if (!imp.used && !types) continue;
    if (!types) {
      untyped ??= new Map();
      untyped.set(iface, provider.name);
      continue;
    }
    const type = types.get(iface);
    const why =
      type === undefined
        ? `provider ${provider.name} declares no WIT types for ${iface}`
        : importMismatch(imp.name, imp.type, type, bound);
    if (why !== undefined) return { mismatch: { import: imp.name, iface, why }, untyped: undefined };
  }
  return { mismatch: null, untyped };
}
