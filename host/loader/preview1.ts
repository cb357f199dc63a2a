/**
 * WASI preview1 core modules: recognized by their imports (`wasi_snapshot_preview1`, or the
 * older `wasi_unstable`). By default they run as core modules against Keel's own preview1
 * imports (host/caps/wasi-preview1.ts); their imports are checked here at load. With the
 * `adapter` option they are instead wrapped into components with the preview1 adapter that
 * `@bytecodealliance/jco` ships (command adapter for modules with `_start`, reactor otherwise),
 * kept for comparison in `bench/`.
 */
import { hasFunction, PREVIEW1_MODULES, SIGNATURES as PREVIEW1_SIGNATURES } from '../caps/preview1/abi.js';
import { KeelError } from '../kernel/errors.js';
import type { CoreModuleInfo } from './core-info.js';
import { readPreview1Adapter } from './files.js';

export const PREVIEW1_MODULE = 'wasi_snapshot_preview1';

export type Preview1Flavor = 'command' | 'reactor';

/** How preview1 modules run: Keel's own imports (default) or jco's adapter into a component. */
export type Preview1Abi = 'keel' | 'adapter';

export function isPreview1(info: CoreModuleInfo): boolean {
  return info.imports.some((i) => (PREVIEW1_MODULES as readonly string[]).includes(i.module));
}

/**
 * Refuse, at load, preview1 imports Keel could not link faithfully: a known function imported
 * with another signature, or something other than a function. An unknown name is left to the
 * linker (no provider serves it: `capability-denied` at spawn, as for any unserved import).
 */
export function checkPreview1Imports(info: CoreModuleInfo): void {
  for (const i of info.imports) {
    if (!(PREVIEW1_MODULES as readonly string[]).includes(i.module)) continue;
    const where = `${i.module}.${i.name}`;
    if (i.kind !== 'function') {
      throw new KeelError(
        'invalid-module',
        `${where} is imported as a ${i.kind}; WASI preview1 has only functions`,
        {
          import: where,
        },
      );
    }
    if (!hasFunction(i.module, i.name) || !i.signature) continue;
    const want = PREVIEW1_SIGNATURES[i.name]!;
    const got = i.signature;
    const same =
      got.params.length === want.params.length &&
      got.results.length === want.results.length &&
      got.params.every((t, k) => t === want.params[k]) &&
      got.results.every((t, k) => t === want.results[k]);
    if (!same) {
      const show = (s: { params: readonly string[]; results: readonly string[] }) =>
        `(${s.params.join(', ')}) -> (${s.results.join(', ')})`;
      throw new KeelError(
        'invalid-module',
        `${where} is imported with type ${show(got)}; WASI preview1 defines ${show(want)}`,
        { import: where },
      );
    }
  }
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

/** First meaningful line of a tool's error, without stack or Rust backtrace noise. */
export function oneLine(error: unknown): string {
  const payload = (error as { payload?: unknown })?.payload;
  const text =
    typeof payload === 'string'
      ? payload
      : error instanceof Error
        ? error.message
        : String(error ?? 'unknown error');
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !/^(Caused by|Stack backtrace):?$/i.test(l));
  return (line ?? 'unknown error').replace(/^Error:\s*/, '');
}
