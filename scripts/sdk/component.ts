/**
 * A compiled core module to a component, for the languages that link against WASI preview1
 * (C with wasi-libc, Rust with std): the world is embedded (`componentEmbed`), then
 * `componentNew` adapts the module's preview1 imports with the reactor adapter.
 */
import { readFileSync } from 'node:fs';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { errorText, type LoadedWorld } from './wit/load.js';

/** The preview1 adapter for components that export functions (no `wasi:cli/run`). */
export function reactorAdapter(): Uint8Array {
  return new Uint8Array(
    readFileSync(
      new URL('../lib/wasi_snapshot_preview1.reactor.wasm', import.meta.resolve('@bytecodealliance/jco')),
    ),
  );
}

export async function preview1Component(core: Uint8Array, world: LoadedWorld): Promise<Uint8Array> {
  try {
    const embedded = await componentEmbed({
      binary: core,
      witSource: world.source,
      world: world.world.name,
      stringEncoding: 'utf8',
    });
    return await componentNew(embedded, [['wasi_snapshot_preview1', reactorAdapter()]]);
  } catch (error) {
    throw new Error(`componentNew failed: ${errorText(error)}`);
  }
}
