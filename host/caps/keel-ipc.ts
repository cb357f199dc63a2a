/**
 * `keel:kernel/ipc`: messages between sandboxes (send, request, reply), through the kernel's
 * scheduler. The grant's scope names the peers: `{ "peers": ["/pipeline/*", "sbx_7"] }`; an
 * empty or absent scope lets the sandbox message nobody (replies need no grant).
 */
import type { z } from 'zod';
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import { isPeerPattern } from '../sched/glob.js';
import { type IpcScope, isGuestError, type SchedPort } from '../sched/port.js';
import { type CapabilityProvider, DEFAULT_HOST_COSTS, type SandboxContext, wasiError } from './provider.js';
import { lazySchema } from './schema.js';
import { keelKernelTypes } from './wit-types.js';

export const ipcScopeSchema = lazySchema((z) =>
  z
    .object({
      /** Sandbox ids or mount paths; `*` within a segment, a `**` segment for several. */
      peers: z
        .array(
          z.string().refine(isPeerPattern, {
            message: 'a peer is a sandbox id (sbx_3, sbx_*) or a mount path (/pipeline/*, /a/**)',
          }),
        )
        .default([]),
    })
    .strict(),
);

/** Parse a scope (also used by plans and the CLI); throws `invalid-argument` with the reason. */
export function parseScope<T>(schema: z.ZodType<T>, iface: string, scope: unknown): T {
  const parsed = schema.safeParse(scope ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new KeelError('invalid-argument', `invalid scope for ${iface}${where}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The sandbox's scheduler port, or an `internal` error outside a kernel. */
export function schedPort(context: SandboxContext, iface: string): SchedPort {
  if (!context.sched) throw new KeelError('internal', `${iface} needs a kernel scheduler`);
  return context.sched;
}

/** Run a port call; errors a guest may handle become WIT `error-code` values, the rest unwind. */
export function guestCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (isGuestError(error)) throw wasiError(error.code);
    throw error;
  }
}

/**
 * With lazy denial, an ungranted IPC or events call answers `capability-denied` as a WIT error
 * (the guest carries on without the capability) and emits `capability:denied`, at most 16 times
 * per sandbox.
 */
export function deniedCall(context: SandboxContext, iface: string, op: string): () => never {
  const seen = context.state(`${iface}:denied`, () => ({ count: 0 }));
  return () => {
    if (seen.count++ < 16) {
      context.emit({
        event: EVENTS.capabilityDenied,
        level: 'warn',
        status: 'denied',
        data: { interface: iface, op, at: 'call' },
      });
    }
    throw wasiError('capability-denied');
  };
}

/**
 * A message's bytes, beyond what the canonical ABI charged for lifting them: what the scheduler
 * does with them (queued, delivered, copied into the receiver). Charged before the send, so a
 * refused one pays too. The call itself costs `message` (the provider's `callCost`, charged by
 * the gate, a refused or denied call too).
 */
export function chargeMessage(context: SandboxContext, body: Uint8Array): void {
  if (body.length > 0) context.charge(body.length * DEFAULT_HOST_COSTS.messageByte);
}

export const keelIpc: CapabilityProvider = {
  name: 'keel-ipc',
  interfaces: ['keel:kernel/ipc'],
  wit: keelKernelTypes,
  callCost: DEFAULT_HOST_COSTS.message,
  parseScope: (iface, scope) => parseScope(ipcScopeSchema(), iface, scope),
  link({ interface: iface, scope, context }) {
    const port = schedPort(context, iface);
    const granted = scope as IpcScope;
    return {
      send(to: string, body: Uint8Array): void {
        chargeMessage(context, body);
        guestCall(() => port.send(to, body, granted));
      },
      request(to: string, body: Uint8Array, timeoutMs: number): bigint {
        chargeMessage(context, body);
        return guestCall(() => port.request(to, body, timeoutMs, granted));
      },
      reply(request: bigint, body: Uint8Array): void {
        chargeMessage(context, body);
        guestCall(() => port.reply(request, body));
      },
    };
  },
  linkDenied({ interface: iface, context }) {
    return {
      send: deniedCall(context, iface, 'send'),
      request: deniedCall(context, iface, 'request'),
      reply: deniedCall(context, iface, 'reply'),
    };
  },
};
