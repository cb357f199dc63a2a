/**
 * Finding an export's WIT signature by the name `--invoke` was given (version optional,
 * kebab-case or camelCase function names), and reading what it returns.
 */

import { kebabCase } from '../abi/js-names.js';
import type { ModuleHandle } from '../kernel/module.js';
import type { World } from '../loader/world.js';
import { unversioned } from '../loader/world.js';

/** The export's WIT signature (`func(x: u32) -> u32`), when the module's world shows one. */
export function exportSignature(world: World, name: string): string | undefined {
  const hash = name.lastIndexOf('#');
  const signature =
    hash < 0
      ? world.exports.find((e) => e.kind === 'function' && e.name === kebabCase(name))?.signature
      : world.exports
          .find((e) => e.kind === 'interface' && unversioned(e.name) === unversioned(name.slice(0, hash)))
          ?.functions?.find((f) => f.name === kebabCase(name.slice(hash + 1)))?.signature;
  return signature?.startsWith('func') ? signature : undefined;
}

/** Whether a WIT function signature returns a `result`. */
export function returnsResult(signature: string): boolean {
  return /->\s*result\b/.test(signature);
}

/**
 * The WIT signature of the export a run calls: from the module's world when it shows one, the
 * known one of `wasi:cli/run#run`, else from the component itself (Keel's planner, loaded only
 * then: a world-level function or a command never needs it).
 */
export async function invokedSignature(
  module: ModuleHandle,
  bytes: Uint8Array,
  exportName: string,
): Promise<string | undefined> {
  const fromWorld = exportSignature(module.world, exportName);
  if (fromWorld) return fromWorld;
  if (/^wasi:cli\/run(@[^#]*)?#run$/.test(exportName)) return 'func() -> result';
  const component = module.kind === 'component' || module.preview1Abi === 'adapter';
  if (!component || !exportName.includes('#')) return undefined;
  const { describeExports, findExport } = await import('./exports.js');
  try {
    return findExport(await describeExports(bytes, module), exportName)?.signature || undefined;
  } catch {
    return undefined;
  }
}
