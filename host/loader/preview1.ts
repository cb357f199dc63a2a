/**
 * WASI preview1 core modules become components by wrapping them with the preview1 adapter
 * that `@bytecodealliance/jco` ships: the command adapter for modules with `_start`, the
 * reactor adapter otherwise.
 */
import { KeelError } from '../kernel/errors.js';
import type { CoreModuleInfo } from './core-info.js';
import { readPreview1Adapter } from './files.js';
import { oneLine } from './transpile.js';

export const PREVIEW1_MODULE = 'wasi_snapshot_preview1';

export type Preview1Flavor = 'command' | 'reactor';

export function isPreview1(info: CoreModuleInfo): boolean {
  return info.imports.some((i) => i.module === PREVIEW1_MODULE);
}

export function preview1Flavor(info: CoreModuleInfo): Preview1Flavor {
  return info.exports.some((e) => e.name === '_start' && e.kind === 'function') ? 'command' : 'reactor';
}

const adapters = new Map<Preview1Flavor, Promise<Uint8Array>>();

export async function wrapPreview1(bytes: Uint8Array, flavor: Preview1Flavor): Promise<Uint8Array> {
  let adapter = adapters.get(flavor);
  if (!adapter) {
    adapter = readPreview1Adapter(flavor);
    adapters.set(flavor, adapter);
  }
  const { componentNew } = await import('@bytecodealliance/jco-transpile/wasm-tools');
  try {
    return await componentNew(bytes, [['wasi_snapshot_preview1', await adapter]]);
  } catch (error) {
    throw new KeelError('invalid-module', `cannot adapt this WASI preview1 module: ${oneLine(error)}`);
  }
}
