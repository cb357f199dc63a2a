/**
 * `keel:kernel/self`: a sandbox's own id and the fuel it has left. Confers no authority, so it
 * is linked without a grant; so is `keel:kernel/types`, which holds only types.
 */
import { schedPort } from './keel-ipc.js';
import type { CapabilityProvider } from './provider.js';
import { keelKernelTypes } from './wit-types.js';

export const keelSelf: CapabilityProvider = {
  name: 'keel-self',
  interfaces: ['keel:kernel/self', 'keel:kernel/types'],
  wit: keelKernelTypes,
  authorityFree: ['keel:kernel/self', 'keel:kernel/types'],
  link({ interface: iface, context }) {
    if (iface === 'keel:kernel/types') return {};
    const port = schedPort(context, iface);
    return {
      id: (): string => port.id(),
      fuelLeft: (): bigint => port.fuelLeft(),
    };
  },
};
