/**
 * `wasi:sockets/*` and name lookup: not available in this version of Keel. The provider exists
 * so that the denial is precise. With spawn-time denial (the default) a module importing any of
 * these fails its spawn with `capability-denied`, naming the import. With lazy denial the
 * interfaces link to functions that answer WASI's own `access-denied` (a value, not a trap), so
 * a guest that can live without the network carries on. Granting them is refused.
 */
import { EVENTS } from '../events/names.js';
import { KeelError } from '../kernel/errors.js';
import type { CapabilityProvider, SandboxContext } from './provider.js';
import { wasiSocketsTypes } from './wit-types.js';

export const SOCKET_INTERFACES = [
  'wasi:sockets/network',
  'wasi:sockets/instance-network',
  'wasi:sockets/ip-name-lookup',
  'wasi:sockets/tcp',
  'wasi:sockets/tcp-create-socket',
  'wasi:sockets/udp',
  'wasi:sockets/udp-create-socket',
] as const;

/** A network handle that reaches nothing: every operation needing one is denied. */
class Network {}

/** Never constructed: no function hands out a socket or a lookup stream. */
class TcpSocket {}
class UdpSocket {}
class IncomingDatagramStream {}
class OutgoingDatagramStream {}
class ResolveAddressStream {}

/** Denials reported as events per sandbox (a guest retrying in a loop must not flood the log). */
const MAX_DENIAL_EVENTS = 64;

function denier(context: SandboxContext, iface: string, operation: string): () => never {
  const count = context.state('wasi-sockets:denials', () => ({ n: 0 }));
  return () => {
    if (count.n++ < MAX_DENIAL_EVENTS)
      context.emit({
        event: EVENTS.capabilityDenied,
        level: 'warn',
        status: 'denied',
        data: { interface: iface, at: 'call', op: operation, reason: 'not-granted' },
      });
    // WASI `error-code.access-denied`, returned to the guest as the function's error.
    throw 'access-denied';
  };
}

export const wasiSockets: CapabilityProvider = {
  name: 'wasi-sockets',
  interfaces: SOCKET_INTERFACES,
  wit: wasiSocketsTypes,
  parseScope(iface) {
    throw new KeelError(
      'capability-denied',
      `${iface} cannot be granted: Keel does not provide network access to sandboxes yet`,
      { interface: iface },
    );
  },
  link({ interface: iface }) {
    throw new KeelError('capability-denied', `${iface} cannot be granted`, { interface: iface });
  },
  linkDenied({ interface: iface, context }) {
    switch (iface) {
      case 'wasi:sockets/network':
        return { Network, networkErrorCode: () => undefined };
      case 'wasi:sockets/instance-network':
        return { instanceNetwork: () => new Network() };
      case 'wasi:sockets/ip-name-lookup':
        return { ResolveAddressStream, resolveAddresses: denier(context, iface, 'resolve-addresses') };
      case 'wasi:sockets/tcp-create-socket':
        return { createTcpSocket: denier(context, iface, 'create-tcp-socket') };
      case 'wasi:sockets/udp-create-socket':
        return { createUdpSocket: denier(context, iface, 'create-udp-socket') };
      case 'wasi:sockets/tcp':
        return { TcpSocket };
      default:
        return { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream };
    }
  },
};
