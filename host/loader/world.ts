/**
 * A module's world: what it imports and exports, named as a user would grant or invoke them.
 * For components it comes from the component's WIT; for core modules from its import and
 * export sections.
 */
import type { CoreModuleInfo, FuncSignature } from './core-info.js';

export interface WorldImport {
  /** The full name, version included when there is one: `wasi:cli/stdout@0.2.3`, `env.read_secret`. */
  name: string;
  /** What a grant must match: `wasi:cli/stdout`, `env.read_secret`. */
  interface: string;
  kind: 'interface' | 'function' | 'memory' | 'table' | 'global' | 'tag';
  signature?: string;
}

export interface WorldExport {
  /** `docs:adder/add@0.1.0`, `greet`, or a core export name. */
  name: string;
  kind: 'interface' | 'function' | 'memory' | 'table' | 'global' | 'tag';
  /** For interfaces: their functions with signatures. For functions: the signature. */
  functions?: { name: string; signature: string }[];
  signature?: string;
}

export interface World {
  imports: WorldImport[];
  exports: WorldExport[];
  /** The WIT text (components only). */
  wit?: string;
}

/** `wasi:cli/stdout@0.2.3` → `wasi:cli/stdout`. */
export function unversioned(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

const ITEM = /^\s*(import|export)\s+([^\s:;]+(?::[^\s;]+)?)\s*;\s*$/;
const FUNC = /^\s*(import|export)\s+([a-z0-9-]+)\s*:\s*(func\b.*?);\s*$/i;

export function componentWorld(
  wit: string,
  declarations: Record<string, string>,
  glueExports: [string, 'function' | 'instance'][],
): World {
  const imports: WorldImport[] = [];
  const exports: WorldExport[] = [];
  const functionsByInterface = interfaceFunctions(declarations);
  let depth = 0;
  let inWorld = false;
  for (const line of wit.split('\n')) {
    if (/^\s*world\s+[\w-]+\s*\{/.test(line) && depth === 0) inWorld = true;
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    if (!inWorld || depth !== 1) {
      if (depth === 0) inWorld = false;
      continue;
    }
    const func = FUNC.exec(line);
    if (func) {
      const [, direction, name, signature] = func as unknown as [string, string, string, string];
      if (direction === 'import') imports.push({ name, interface: name, kind: 'function', signature });
      else exports.push({ name, kind: 'function', signature });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const [, direction, name] = item as unknown as [string, string, string];
      if (direction === 'import') imports.push({ name, interface: unversioned(name), kind: 'interface' });
      else exports.push({ name, kind: 'interface', functions: functionsByInterface.get(name) ?? [] });
    }
  }
  // Exports the WIT printer may not show (defensive): take them from the glue.
  for (const [name, kind] of glueExports) {
    if (name.includes(':') && !exports.some((e) => e.name === name)) {
      exports.push({ name, kind: kind === 'instance' ? 'interface' : 'function' });
    }
  }
  return { imports, exports, wit };
}

/** Function signatures per exported interface, read from jco's TypeScript declarations. */
function interfaceFunctions(
  declarations: Record<string, string>,
): Map<string, { name: string; signature: string }[]> {
  const byInterface = new Map<string, { name: string; signature: string }[]>();
  const root = Object.entries(declarations).find(([file]) => !file.includes('/'))?.[1] ?? '';
  for (const match of root.matchAll(/from '\.\/(interfaces\/[^']+)\.js'; \/\/ (\S+)/g)) {
    const [, file, iface] = match as unknown as [string, string, string];
    const text = declarations[`${file}.d.ts`] ?? '';
    const functions = [...text.matchAll(/^export function ([\w$]+)(\(.*\)(?::\s*[^;]+)?);/gm)].map((m) => ({
      name: m[1]!,
      signature: m[2]!,
    }));
    byInterface.set(iface, functions);
  }
  return byInterface;
}

function describe(signature: FuncSignature | undefined): string | undefined {
  if (!signature) return undefined;
  const results = signature.results.length === 0 ? '' : ` -> ${signature.results.join(', ')}`;
  return `(${signature.params.join(', ')})${results}`;
}

export function coreWorld(info: CoreModuleInfo): World {
  return {
    imports: info.imports.map((i) => {
      const name = `${i.module}.${i.name}`;
      const signature = describe(i.signature);
      return { name, interface: name, kind: i.kind, ...(signature ? { signature } : {}) };
    }),
    exports: info.exports.map((e) => {
      const signature = describe(e.signature);
      return { name: e.name, kind: e.kind, ...(signature ? { signature } : {}) };
    }),
  };
}
