/**
 * The WIT types Keel's own providers serve (`CapabilityProvider.wit`): components built from the
 * WIT in `wit/` by scripts/build-wit-types.ts and committed under `wit-types/` (with the sha256
 * of their sources), read once per process, when a spawn first needs them, and parsed by Keel's
 * own parser: no code is made from them. Found from this file's place in the source tree, in
 * dist/ and in the CLI's bundle (dist/host/cli/).
 */
import { readFileSync } from 'node:fs';

const files = new Map<string, Uint8Array>();

function read(file: string): Uint8Array {
  let bytes = files.get(file);
  if (bytes) return bytes;
  const tried: string[] = [];
  for (const up of ['../../', '../../../']) {
    const url = new URL(`${up}wit-types/${file}`, import.meta.url);
    try {
      bytes = new Uint8Array(readFileSync(url));
      break;
    } catch {
      tried.push(url.pathname);
    }
  }
  if (!bytes) throw new Error(`Keel's WIT types ${file} are missing (looked in ${tried.join(', ')})`);
  files.set(file, bytes);
  return bytes;
}

/** keel:kernel's interfaces (log, events, ipc, self, types) as Keel serves them. */
export const keelKernelTypes = (): Uint8Array => read('keel-kernel.wasm');

/**
 * WASI 0.2's packages as Keel serves them (vendor/wasi-0.2: the interfaces' types at 0.2.3, which
 * every 0.2.x shares: minors only add functions), one component per package.
 */
export const wasiIoTypes = (): Uint8Array => read('wasi-io.wasm');
export const wasiClocksTypes = (): Uint8Array => read('wasi-clocks.wasm');
export const wasiRandomTypes = (): Uint8Array => read('wasi-random.wasm');
export const wasiCliTypes = (): Uint8Array => read('wasi-cli.wasm');
export const wasiFilesystemTypes = (): Uint8Array => read('wasi-filesystem.wasm');
export const wasiSocketsTypes = (): Uint8Array => read('wasi-sockets.wasm');
export const wasiHttpTypes = (): Uint8Array => read('wasi-http.wasm');
