/**
 * Linking a WASI preview1 module against Keel's own preview1 imports. Its preview1 imports are
 * planned as the WASI 0.2 interfaces they draw on (caps/preview1/grants.ts), so the grants, the
 * approval hook and the events are the same as for a component; each is optional on its own.
 * Then each preview1 function is checked against what was granted: one whose needed grant is
 * missing fails the spawn (`capability-denied`, naming the preview1 import) or, with lazy
 * denial, answers ENOTCAPABLE when called. Imports outside preview1 link as for any core module.
 */

import { hasFunction, PREVIEW1_MODULES } from '../caps/preview1/abi.js';
import type { SandboxContext } from '../caps/provider.js';
import {
  linkPreview1,
  type Preview1Binding,
  type Preview1Links,
  preview1Grant,
} from '../caps/wasi-preview1.js';
import type { CoreImport } from '../loader/core-info.js';
import type { LoadedModule } from '../loader/loader.js';
import { coreRequirements, type PlannedLink, type Requirement } from './linker.js';
import { oncePer } from './once-per.js';

const MODULES: readonly string[] = PREVIEW1_MODULES;
const NO_DENIALS: ReadonlyMap<string, string> = new Map();

/** Whether a loaded module runs against Keel's own preview1 imports (not jco's adapter). */
export function isNativePreview1(module: LoadedModule): boolean {
  return module.kind === 'preview1' && module.preview1Abi === 'keel';
}

/** The preview1 functions Keel serves that a module imports (once per module: every spawn reads it). */
const served = oncePer((module: LoadedModule): readonly CoreImport[] =>
  Object.freeze(
    (module.coreInfo?.imports ?? []).filter(
      (i) => MODULES.includes(i.module) && i.kind === 'function' && hasFunction(i.module, i.name),
    ),
  ),
);

/**
 * What a native preview1 module needs planned: each WASI 0.2 interface its preview1 imports
 * draw on (optional, `via` the first import that does), then every other import as a core
 * import (an unknown preview1 name among them: nothing serves it).
 */
export const preview1Requirements: (module: LoadedModule) => readonly Requirement[] = oncePer(
  (module: LoadedModule) => Object.freeze(computePreview1Requirements(module)),
);

function computePreview1Requirements(module: LoadedModule): Requirement[] {
  const via = new Map<string, string>();
  const mine = served(module);
  for (const i of mine) {
    const grant = preview1Grant(i.name);
    for (const iface of [...grant.needs, ...grant.uses])
      if (!via.has(iface)) via.set(iface, `${i.module}.${i.name}`);
  }
  const others = (module.coreInfo?.imports ?? []).filter((i) => !mine.includes(i));
  return [
    ...[...via].map(([iface, first]) => ({ interface: iface, import: iface, optional: true, via: first })),
    ...coreRequirements(others),
  ];
}

export interface MissingGrant {
  /** `wasi_snapshot_preview1.environ_get` */
  import: string;
  name: string;
  /** Any one of these would do. */
  needs: readonly string[];
}

const NONE_MISSING: readonly MissingGrant[] = Object.freeze([]);

/**
 * The preview1 imports whose needed grant the plan does not hold (at every spawn: no set, no
 * array unless one is missing).
 */
export function preview1Missing(module: LoadedModule, plan: readonly PlannedLink[]): readonly MissingGrant[] {
  let missing: MissingGrant[] | undefined;
  for (const i of served(module)) {
    const { needs } = preview1Grant(i.name);
    if (needs.length === 0 || needs.some((n) => isGranted(plan, n))) continue;
    missing ??= [];
    missing.push({ import: `${i.module}.${i.name}`, name: i.name, needs });
  }
  return missing ?? NONE_MISSING;
}

function isGranted(plan: readonly PlannedLink[], iface: string): boolean {
  for (const p of plan) if (p.decision.status === 'granted' && p.requirement.interface === iface) return true;
  return false;
}

/**
 * Link the preview1 imports: the WASI 0.2 interfaces granted in the plan are linked by their
 * providers on first use (a granted filesystem at once, so that a bad preopen fails the spawn).
 */
export function linkPreview1Imports(
  module: LoadedModule,
  plan: readonly PlannedLink[],
  context: SandboxContext,
  onDeniedCall: (requirement: Requirement) => never,
  metered: boolean,
  lazyDenial = true,
): Preview1Binding {
  const links = new PlannedLinks(plan, context);
  links.get('wasi:filesystem/preopens');
  // Without lazy denial a missing grant failed the spawn: nothing is denied at the call.
  const denied: ReadonlyMap<string, string> = lazyDenial
    ? new Map(preview1Missing(module, plan).map((m) => [m.name, m.needs[0]!]))
    : NO_DENIALS;
  return linkPreview1({
    context,
    links,
    imports: served(module),
    denied,
    onDeniedExit: deniedExit(onDeniedCall),
    metered,
  });
}

/**
 * What a lazily denied `proc_exit` does, in a scope of its own: a closure shares its function's
 * scope with every other closure made there, and the imports of the guest's instance (which V8
 * keeps until its next full collection) must not reach the kernel's denial callback, and
 * through it the sandbox, unless that `proc_exit` is really linked.
 */
function deniedExit(onDeniedCall: (requirement: Requirement) => never): (name: string) => never {
  return (name) => onDeniedCall({ interface: 'wasi:cli/exit', import: name });
}

/**
 * The WASI 0.2 interfaces a preview1 module's functions reach, linked by their providers on
 * first use from the spawn's plan. An object, not a closure: what the guest's imports reach
 * through it is the plan's decisions and the context, nothing else of the spawn.
 */
class PlannedLinks implements Preview1Links {
  readonly #decisions: Map<string, PlannedLink['decision']>;
  readonly #linked = new Map<string, Record<string, any> | undefined>();
  readonly #context: SandboxContext;

  constructor(plan: readonly PlannedLink[], context: SandboxContext) {
    this.#decisions = new Map(plan.map((p) => [p.requirement.interface, p.decision]));
    this.#context = context;
  }

  get(iface: string): Record<string, any> | undefined {
    if (this.#linked.has(iface)) return this.#linked.get(iface);
    const decision = this.#decisions.get(iface);
    const record =
      decision?.status === 'granted'
        ? decision.provider.link({ interface: iface, scope: decision.scope, context: this.#context })
        : undefined;
    this.#linked.set(iface, record);
    return record;
  }
}

/** What `keel inspect` shows for each preview1 import: free, or which grant it needs. */
export function preview1Needs(
  module: LoadedModule,
): { import: string; interface: string; status: 'authority-free' | 'needs-grant' }[] {
  return served(module).map((i) => {
    const { needs } = preview1Grant(i.name);
    return {
      import: `${i.module}.${i.name}`,
      interface: needs[0] ?? `${i.module}.${i.name}`,
      status: needs.length === 0 ? 'authority-free' : 'needs-grant',
    };
  });
}
