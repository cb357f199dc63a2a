/**
 * Export types against Keel's WIT: the kernel calls some of a component's exports by a fixed
 * name (`keel:kernel/handler#on-message`, `on-reply`, `on-event`, `on-signal`, and `handle` for
 * the embedder; `wasi:cli/run#run` for `keel run`), with arguments of Keel's WIT types. A
 * component that exported one of them at a type of its own choosing (`on-message: func(sender:
 * u32, ...)`) would load and spawn, and its first delivery would fail as the kernel's own call
 * with the wrong arguments. So at load an export named after an interface Keel defines must have
 * that interface's types (component-model subtyping in the export direction: more functions and
 * types are allowed; each one Keel's WIT names must be of Keel's type); a mismatch is
 * `invalid-module` naming the export, the function and both WIT types. Worked out once per plan
 * (a load that hits the loader's memory cache reads the answer); Keel's types are parsed only
 * when a component exports such an interface.
 */
import { exportMismatch } from '../abi/conform.js';
import type { ComponentPlan } from '../abi/plan.js';
import { keelKernelTypes, wasiCliTypes } from '../caps/wit-types.js';
import type { LoadedModule } from '../loader/loader.js';
import { stripVersion } from '../policy/grants.js';
import { KeelError } from './errors.js';
import { declaredTypes } from './import-types.js';

/**
 * The packages whose interfaces Keel defines and calls by name, and the WIT types it calls them
 * at (a component importing each interface: `wit-types/`, built by scripts/build-wit-types.ts).
 */
const KEEL_DEFINED: readonly { readonly prefix: string; readonly wit: () => Uint8Array }[] = [
  { prefix: 'keel:kernel/', wit: keelKernelTypes },
  // `keel run` calls a command's `run`; Keel does not call wasi:cli's other interfaces.
  { prefix: 'wasi:cli/run', wit: wasiCliTypes },
];

interface Mismatch {
  readonly export: string;
  readonly iface: string;
  readonly why: string;
}

const verdicts = new WeakMap<ComponentPlan, Mismatch | null>();

/** Throws `invalid-module` when an export of `module` (named `name`) is not of Keel's types. */
export function checkExportTypes(module: LoadedModule, name: string): void {
  const plan = module.plan;
  if (!plan) return;
  let verdict = verdicts.get(plan);
  if (verdict === undefined) {
    verdict = judge(plan);
    verdicts.set(plan, verdict);
  }
  if (verdict) {
    throw new KeelError(
      'invalid-module',
      `${name} exports ${verdict.export} with types Keel does not call it at: ${verdict.why}`,
      { export: verdict.export, interface: verdict.iface, reason: 'type-mismatch' },
    );
  }
}

function judge(plan: ComponentPlan): Mismatch | null {
  for (const [exportName, def] of plan.exports) {
    const iface = stripVersion(exportName);
    const defined = KEEL_DEFINED.find((d) => iface.startsWith(d.prefix));
    if (!defined) continue;
    const expected = declaredTypes(defined.wit, "Keel's WIT types").get(iface);
    // An interface Keel does not define in its package: Keel never calls it.
    if (!expected) continue;
    const why = exportMismatch(exportName, def, expected);
    if (why !== undefined) return { export: exportName, iface, why };
  }
  return null;
}
