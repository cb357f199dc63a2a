/**
 * `wasi:filesystem` without directories: what a sandbox sees when no directory is granted.
 * `get-directories` is empty, so no descriptor can ever exist. Components built with wasi-libc
 * import these interfaces even when they never touch a file, so they link without a grant.
 */
import type { CapabilityProvider } from './provider.js';

class Descriptor {}
class DirectoryEntryStream {}

export const wasiFilesystem: CapabilityProvider = {
  name: 'wasi-filesystem',
  interfaces: ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
  authorityFree: ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
  link({ interface: iface }) {
    if (iface === 'wasi:filesystem/preopens') return { getDirectories: () => [] };
    return { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined };
  },
};
