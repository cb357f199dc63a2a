/**
 * Approval hooks: the embedder's say over each capability a module requests at spawn. The hook
 * may grant (optionally narrowing the scope), or refuse; the kernel only enforces the answer.
 */
import type { Grant } from './grants.js';

export interface CapabilityRequest {
  /** The interface requested, version-less: `wasi:cli/environment`, `env.read_secret`. */
  interface: string;
  /** The import as the module names it: `wasi:cli/environment@0.2.3`. */
  import: string;
  /** The grant the spawn options carry for it, if any (what would happen without a hook). */
  proposed?: Grant;
}

export interface ApprovalContext {
  sandbox: string;
  module: string;
}

/** A grant may narrow the scope; `secret: true` marks every string of it as a secret (see `Grant.secret`). */
export type ApprovalDecision =
  | { decision: 'grant'; scope?: unknown; secret?: boolean }
  | { decision: 'deny'; reason?: string };

/** Called once per requested capability, in import order. May be async. */
export type ApprovalHook = (
  request: CapabilityRequest,
  context: ApprovalContext,
) => ApprovalDecision | Promise<ApprovalDecision>;
