/**
 * The built-in capability providers. Adding a capability area is a new file here and one line
 * in this list; the kernel itself does not change.
 */
import { keelEvents } from './keel-events.js';
import { keelIpc } from './keel-ipc.js';
import { keelLog } from './keel-log.js';
import { keelSelf } from './keel-self.js';
import type { CapabilityProvider } from './provider.js';
import { wasiCli } from './wasi-cli.js';
import { wasiClocks } from './wasi-clocks.js';
import { wasiFilesystem } from './wasi-filesystem.js';
import { wasiHttp } from './wasi-http.js';
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
  wasiHttp,
  keelLog,
  keelIpc,
  keelEvents,
  keelSelf,
];

export type { CapabilityProvider, LinkRequest, SandboxContext, SandboxIo } from './provider.js';
