/**
 * A spawn's capability plan: each import the module needs decided (granted, authority-free or
 * denied), the embedder's approval hook asked, every grant's secrets registered with the
 * redactor, and denials explained, at the spawn or, with lazy denial, at the call.
 */
import type { CapabilityProvider } from '../caps/provider.js';
import { EVENTS } from '../events/names.js';
import type { Redactor } from '../events/redact.js';
import type { ApprovalHook } from '../policy/approval.js';
import { findGrant, type Grant, grantCovers } from '../policy/grants.js';
import { KeelError } from './errors.js';
import {
  isAuthorityFree,
  type PlannedLink,
  type ProviderRegistry,
  type Requirement,
  requirements,
} from './linker.js';
import type { loadedModule } from './module.js';
import type { Denial, ModuleNeed } from './options.js';
import { isNativePreview1, preview1Missing, preview1Needs, preview1Requirements } from './preview1.js';
import type { Sandbox } from './sandbox.js';

/** What the plan consults: the kernel's providers, the embedder's approval hook, the redactor. */
export interface PlanContext {
  readonly providers: ProviderRegistry;
  readonly approval: ApprovalHook | undefined;
  readonly redactor: Redactor;
}

/**
 * Why an import was denied, as `capability-denied` details say it (`details.reason`): nothing
 * granted it, no capability provider serves it (a grant cannot help: the embedder must add a
 * provider, or link it lazily), or the approval hook refused it.
 */
export type DenialReason = 'not-granted' | 'no-provider' | 'refused';

const DENIAL_TEXT: Record<Exclude<DenialReason, 'refused'>, string> = {
  'not-granted': 'which was not granted',
  'no-provider': 'which no capability provider serves',
};

export function denialOf(link: PlannedLink): { reason: DenialReason; text: string } {
  const decision = link.decision;
  if (decision.status !== 'denied') return { reason: 'not-granted', text: DENIAL_TEXT['not-granted'] };
  if (!decision.provider) return { reason: 'no-provider', text: DENIAL_TEXT['no-provider'] };
  if (decision.refused) return { reason: 'refused', text: `which was refused (${decision.reason})` };
  return { reason: 'not-granted', text: DENIAL_TEXT['not-granted'] };
}

/**
 * Decide every requirement: grant, authority-free, or denied; ask the approval hook. Without a
 * hook nothing waits: the plan is made at once (no promise, no turn of the event loop per spawn).
 */
export function planLinks(
  c: PlanContext,
  sandbox: Sandbox,
  module: ReturnType<typeof loadedModule>,
  grants: readonly Grant[],
): PlannedLink[] | Promise<PlannedLink[]> {
  const approval = c.approval;
  const needed = isNativePreview1(module) ? preview1Requirements(module) : requirements(module);
  if (approval) return planWithApproval(c, approval, sandbox, needed, grants);
  const plan: PlannedLink[] = [];
  // By index: for-of made an iterator and a result per requirement, every spawn.
  for (let i = 0; i < needed.length; i++) {
    const requirement = needed[i]!;
    const provider = c.providers.find(requirement.interface);
    const proposed = findGrant(grants, requirement.interface);
    if (settleUnasked(plan, requirement, provider, proposed)) continue;
    decide(plan, sandbox, requirement, provider, proposed !== undefined, proposed?.scope, 'grant', {
      reason: 'no grant covers it',
      refused: false,
      proposed: proposed !== undefined,
    });
  }
  return plan;
}

/** The plan when an approval hook decides: it is asked for each import (and may wait). */
async function planWithApproval(
  c: PlanContext,
  approval: ApprovalHook,
  sandbox: Sandbox,
  needed: readonly Requirement[],
  grants: readonly Grant[],
): Promise<PlannedLink[]> {
  const plan: PlannedLink[] = [];
  for (const requirement of needed) {
    const provider = c.providers.find(requirement.interface);
    const proposed = findGrant(grants, requirement.interface);
    // Authority-free interfaces link without asking (as without a hook).
    if (provider && isAuthorityFree(provider, requirement.interface) && !proposed) {
      plan.push({ requirement, decision: { status: 'authority-free', provider } });
      continue;
    }
    // The event names the proposed grant and its scope's fields, never their values: the
    // hook gets the grant itself; the log only needs to know what was asked.
    sandbox.emit({
      event: EVENTS.approvalRequired,
      data: {
        interface: requirement.interface,
        import: requirement.import,
        proposed: proposed ? describeGrant(proposed) : null,
      },
    });
    const decision = await approval(
      { interface: requirement.interface, import: requirement.import, ...(proposed ? { proposed } : {}) },
      { sandbox: sandbox.id, module: sandbox.module.name },
    );
    const granted = decision.decision === 'grant';
    let scope: unknown;
    let reason = 'no grant covers it';
    if (granted) {
      const given = decision as { scope?: unknown; secret?: boolean };
      scope = given.scope ?? proposed?.scope;
      // A scope the hook chose is registered before the event that follows.
      registerSecrets(c, {
        interface: requirement.interface,
        scope,
        ...(given.secret || proposed?.secret ? { secret: true } : {}),
      });
    } else {
      reason = (decision as { reason?: string }).reason ?? 'refused by the approval hook';
    }
    sandbox.emit({
      event: granted ? EVENTS.approvalGranted : EVENTS.approvalDenied,
      status: granted ? 'granted' : 'denied',
      data: {
        interface: requirement.interface,
        import: requirement.import,
        ...(granted ? {} : { reason }),
      },
    });
    decide(plan, sandbox, requirement, provider, granted, scope, 'approval', {
      reason,
      refused: !granted,
      proposed: proposed !== undefined,
    });
  }
  return plan;
}

/**
 * Without a hook: an authority-free interface links without a grant (a grant, when given, scopes
 * it), and an optional interface nobody granted is simply not linked (no event). Whether the
 * requirement was settled so.
 */
function settleUnasked(
  plan: PlannedLink[],
  requirement: Requirement,
  provider: CapabilityProvider | undefined,
  proposed: Grant | undefined,
): boolean {
  if (proposed) return false;
  if (provider && isAuthorityFree(provider, requirement.interface)) {
    plan.push({ requirement, decision: { status: 'authority-free', provider } });
    return true;
  }
  if (requirement.optional) {
    plan.push({
      requirement,
      decision: { status: 'denied', reason: 'no grant covers it', ...(provider ? { provider } : {}) },
    });
    return true;
  }
  return false;
}

/** The decision for one requirement once granted or not: the plan's entry and its event. */
function decide(
  plan: PlannedLink[],
  sandbox: Sandbox,
  requirement: Requirement,
  provider: CapabilityProvider | undefined,
  granted: boolean,
  scope: unknown,
  via: 'grant' | 'approval',
  why: { reason: string; refused: boolean; proposed: boolean },
): void {
  if (granted && provider) {
    const parsed = provider.parseScope ? provider.parseScope(requirement.interface, scope) : scope;
    plan.push({ requirement, decision: { status: 'granted', scope: parsed, provider, via } });
    // Built only for someone who listens (every spawn grants most of its imports).
    if (sandbox.wants(EVENTS.capabilityGranted)) {
      sandbox.emit({
        event: EVENTS.capabilityGranted,
        status: 'granted',
        data: { interface: requirement.interface, import: requirement.import, via },
      });
    }
    return;
  }
  let reason = why.reason;
  if (granted) reason = 'granted, but no capability provider serves it';
  if (!provider && !why.refused && !why.proposed) reason = 'no capability provider serves it';
  plan.push({
    requirement,
    decision: {
      status: 'denied',
      reason,
      ...(provider ? { provider } : {}),
      ...(why.refused ? { refused: why.refused } : {}),
    },
  });
  sandbox.emit({
    event: EVENTS.capabilityDenied,
    level: 'warn',
    status: 'denied',
    data: { interface: requirement.interface, import: requirement.import, reason },
  });
}

/**
 * Register a grant's secrets with the redactor: what its providers declare secret (env values,
 * host paths), and every string of its scope when the grant says `secret: true`.
 */
export function registerSecrets(c: PlanContext, grant: Grant): void {
  const redactor = c.redactor;
  if (grant.secret) for (const value of strings(grant.scope)) redactor.addValue(value);
  // By index: a for-of over the frozen list made an iterator result per provider, every spawn.
  const servers = c.providers.secretServers(grant.interface);
  for (let i = 0; i < servers.length; i++) {
    const { provider, iface, name } = servers[i]!;
    if (!grantCovers(grant, name)) continue;
    let values: readonly string[] = [];
    try {
      values = provider.secrets!(iface, grant.scope);
    } catch {
      // A scope of the wrong shape has no secrets; parseScope reports it.
    }
    for (const value of values) redactor.addValue(value);
  }
}

/**
 * Spawn-time denial: the first denied import that fails the spawn, as `capability-denied` (each
 * denied interface with its reason in `details.denials`, for embedders that advise their users,
 * as the CLI does). Every required import fails it with `denial: 'spawn'`; with `'call'`, only
 * a denied core import that is not a function (nothing can stand in for a memory or a global).
 */
export function refuseAtSpawn(name: string, plan: readonly PlannedLink[], denial: Denial): void {
  const eager = plan.filter(
    (p) =>
      p.decision.status === 'denied' &&
      !p.requirement.optional &&
      (denial === 'spawn' || (p.requirement.coreKind && p.requirement.coreKind !== 'function')),
  );
  if (eager.length === 0) return;
  const first = eager[0]!;
  const why = denialOf(first);
  throw new KeelError('capability-denied', `${name} imports ${first.requirement.import}, ${why.text}`, {
    import: first.requirement.import,
    interface: first.requirement.interface,
    reason: why.reason,
    denied: eager.map((p) => p.requirement.import),
    denials: eager.map((p) => ({ interface: p.requirement.interface, reason: denialOf(p).reason })),
  });
}

/** Spawn-time denial: a preview1 function whose needed grant is missing fails the spawn. */
export function refusePreview1(
  sandbox: Sandbox,
  name: string,
  module: ReturnType<typeof loadedModule>,
  plan: readonly PlannedLink[],
): void {
  const missing = preview1Missing(module, plan);
  if (missing.length === 0) return;
  for (const m of missing) {
    sandbox.emit({
      event: EVENTS.capabilityDenied,
      level: 'warn',
      status: 'denied',
      data: { interface: m.needs[0], import: m.import, reason: 'no grant covers it' },
    });
  }
  const first = missing[0]!;
  const either = first.needs.length > 1 ? ` (or ${first.needs.slice(1).join(', ')})` : '';
  throw new KeelError(
    'capability-denied',
    // No command-line advice here: an embedder (the CLI) turns `denials` into its own.
    `${name} imports ${first.import}, which needs ${first.needs[0]}${either}, not granted`,
    {
      import: first.import,
      interface: first.needs[0],
      reason: 'not-granted',
      denied: missing.map((m) => m.import),
      denials: [...new Set(missing.map((m) => m.needs[0]))].map((i) => ({
        interface: i,
        reason: 'not-granted',
      })),
    },
  );
}

export function deniedCall(c: PlanContext, sandbox: Sandbox, requirement: Requirement): never {
  sandbox.emit({
    event: EVENTS.capabilityDenied,
    level: 'warn',
    status: 'denied',
    data: { interface: requirement.interface, import: requirement.import, at: 'call' },
  });
  const reason: DenialReason = c.providers.find(requirement.interface) ? 'not-granted' : 'no-provider';
  throw new KeelError(
    'capability-denied',
    `${sandbox.module.name} called ${requirement.import}, ${DENIAL_TEXT[reason]}`,
    { import: requirement.import, interface: requirement.interface, reason },
  );
}

/** A grant as events show it: its interface and the names of its scope's fields, no values. */
function describeGrant(grant: Grant): Record<string, unknown> {
  const scope = grant.scope;
  return {
    interface: grant.interface,
    ...(scope === undefined
      ? {}
      : {
          scope:
            scope !== null && typeof scope === 'object' && !Array.isArray(scope)
              ? Object.keys(scope)
              : '[value]',
        }),
    ...(grant.secret ? { secret: true } : {}),
  };
}

/** Every string in a JSON-like value (bounded depth). */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object' || depth > 16) return [];
  return Object.values(value).flatMap((item) => strings(item, depth + 1));
}

/**
 * `Kernel.needs`: what a module needs linked, and how each need would be met: without a grant
 * (it confers no authority), by a grant (a provider serves it), or not at all (nothing serves it).
 */
export function moduleNeeds(
  providers: ProviderRegistry,
  module: ReturnType<typeof loadedModule>,
): ModuleNeed[] {
  const needsOf = (reqs: readonly Requirement[]): ModuleNeed[] =>
    reqs.map((requirement) => {
      const provider = providers.find(requirement.interface);
      const status: ModuleNeed['status'] = !provider
        ? 'unavailable'
        : isAuthorityFree(provider, requirement.interface)
          ? 'authority-free'
          : 'needs-grant';
      return {
        import: requirement.import,
        interface: requirement.interface,
        status,
        ...(provider ? { provider: provider.name } : {}),
      };
    });
  if (isNativePreview1(module)) {
    const others = preview1Requirements(module).filter((r) => !r.optional);
    return [
      ...preview1Needs(module).map((need) => ({ ...need, provider: 'wasi-preview1' })),
      ...needsOf(others),
    ];
  }
  return needsOf(requirements(module));
}
