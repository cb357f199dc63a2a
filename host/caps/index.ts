/**
 * The built-in capability providers. Adding a capability area is a new file here and one line
 * in this list; the kernel itself does not change.
 */
import { keelLog } from './keel-log.js';
import type { CapabilityProvider } from './provider.js';
import { wasiCli } from './wasi-cli.js';
import { wasiClocks } from './wasi-clocks.js';
import { wasiFilesystem } from './wasi-filesystem.js';
import { wasiIo } from './wasi-io.js';
import { wasiRandom } from './wasi-random.js';
import { wasiSockets } from './wasi-sockets.js';

export const BUILTIN_PROVIDERS: readonly CapabilityProvider[] = [
  wasiIo,
  wasiCli,
  wasiClocks,
  wasiRandom,
  wasiFilesystem,
  wasiSockets,
  keelLog,
];

export type { CapabilityProvider, LinkRequest, SandboxContext, SandboxIo } from './provider.js';
