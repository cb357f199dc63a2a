/**
 * The CLI's grant policy: what `keel run` gives every guest, which `--grant` names it accepts,
 * and the advice it adds to the kernel's errors (the library names what is missing; only the
 * CLI knows which flag supplies it).
 */
import type { CapabilityProvider } from '../caps/provider.js';
import { ERROR_CATALOG, KeelError } from '../kernel/errors.js';
import { normalizeGrant, stripVersion } from '../policy/grants.js';

/** What the CLI grants every guest: the terminal's stdio, and exit. */
export const CLI_DEFAULT_GRANTS: readonly string[] = [
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/exit',
];

/** How `keel run` grants an interface it always grants (stdio, exit, the environment), if it does. */
export function grantedByCli(iface: string): string | undefined {
  const name = stripVersion(iface);
  if (CLI_DEFAULT_GRANTS.includes(name)) return 'granted by keel run';
  if (name === 'wasi:cli/environment')
    return 'granted by keel run: its arguments, and variables given with --env';
  return undefined;
}

/**
 * Check each `--grant` name against the interfaces the kernel's providers serve: a typo or an
 * interface nothing serves is refused (the grant could never take effect), naming the closest
 * known interface.
 */
export function checkGrantNames(names: readonly string[], providers: readonly CapabilityProvider[]): void {
  const known = providers.flatMap((p) => [...p.interfaces, ...(p.coreImports ?? [])]);
  for (const name of names) {
    const { interface: iface } = normalizeGrant(name);
    const matches = iface.endsWith('/*')
      ? known.some((k) => k.startsWith(iface.slice(0, -1)))
      : known.includes(iface);
    if (matches) continue;
    const closest = closestName(iface, known);
    throw new KeelError(
      'invalid-argument',
      `--grant ${name}: no capability provider serves ${iface.endsWith('/*') ? 'any interface of ' : ''}${iface.replace(/\/\*$/, '')}${closest ? ` (did you mean ${closest}?)` : ''}; \`keel inspect <file.wasm>\` lists what a module imports`,
    );
  }
}

function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Only a plausible typo: at most a third of the name differs.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

interface Denial {
  interface: string;
  reason: 'not-granted' | 'no-provider' | 'refused' | 'type-mismatch';
}

/**
 * The hint the CLI prints under an error: the catalog's advice in terms of this command's flags
 * (`run`) or of the plan file (`up`).
 */
export function cliHint(
  error: KeelError,
  command: 'run' | 'up' | 'inspect',
  options: { lazy?: boolean } = {},
): string {
  const details = error.details as { denials?: Denial[]; interface?: string; reason?: Denial['reason'] };
  switch (error.code) {
    case 'capability-denied': {
      const denials: Denial[] =
        details.denials ??
        (details.interface && details.reason
          ? [{ interface: details.interface, reason: details.reason }]
          : []);
      const missing = [...new Set(denials.filter((d) => d.reason === 'not-granted').map((d) => d.interface))];
      const unserved = [
        ...new Set(denials.filter((d) => d.reason === 'no-provider').map((d) => d.interface)),
      ];
      const hints: string[] = [];
      if (details.reason === 'type-mismatch' && details.interface) {
        // No grant helps: the module declares the interface with types its provider does not serve.
        return `build the module against the WIT its host serves for ${details.interface}: no grant can change an import's types`;
      }
      if (missing.length > 0) {
        hints.push(
          command === 'up'
            ? `add ${missing.join(', ')} to the sandbox's grants in the plan`
            : `grant it if the module should have it: ${missing.map((m) => `--grant ${m}`).join(' ')}`,
        );
      }
      if (unserved.length > 0) {
        hints.push(
          `no capability provider serves ${unserved.join(', ')}, so no grant can supply it: ${
            command === 'up' || options.lazy
              ? ''
              : 'run with --lazy-deny to link it anyway (a call to it then fails), or '
          }embed Keel and serve it with a provider of your own (KernelOptions.providers)`,
        );
      }
      return hints.join('; ') || ERROR_CATALOG[error.code].fix;
    }
    case 'fuel-exhausted':
      return command === 'up'
        ? "raise the sandbox's limits.fuel in the plan, or find the loop that does not end"
        : 'raise --fuel if the work is legitimate, or find the loop that does not end';
    case 'memory-limit':
      // The host's capacity for linear memories, not this sandbox's limit: no flag raises it.
      if ((error.details as { limit?: unknown }).limit === 'host') return ERROR_CATALOG[error.code].fix;
      if ((error.details as { limit?: unknown }).limit === 'memories') {
        return command === 'up'
          ? "raise the sandbox's limits.memories in the plan if the module needs that many memories"
          : 'raise --memories if the module needs that many memories';
      }
      return command === 'up'
        ? "raise the sandbox's limits.memory in the plan if the module needs it"
        : 'raise --memory (e.g. --memory 256MiB) if the module needs it';
    case 'table-limit': {
      // No flag sets limits.tables or limits.tableElements: a plan does, or an embedder.
      const which = (error.details as { limit?: unknown }).limit === 'tables' ? 'tables' : 'tableElements';
      return command === 'up'
        ? `raise the sandbox's limits.${which} in the plan if the module needs it`
        : `no flag raises limits.${which}: run the module from a plan (keel up, limits.${which}) or embed Keel (KernelOptions.limits) if it needs more`;
    }
    case 'invalid-argument':
      return `\`keel ${command} --help\` shows the accepted forms`;
    default:
      return ERROR_CATALOG[error.code].fix;
  }
}
