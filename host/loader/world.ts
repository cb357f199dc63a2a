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

/** A function of an export, named as WIT spells it (`count-true`). */
export interface WorldFunction {
  name: string;
  /** WIT signature when the component's WIT shows it, else the JavaScript one. */
  signature: string;
  /** The JavaScript signature jco gives it (`(values: Int32Array): bigint`), used to convert arguments. */
  js?: string;
}

export interface WorldExport {
  /** `docs:adder/add@0.1.0`, `greet`, an inline interface name, or a core export name. */
  name: string;
  kind: 'interface' | 'function' | 'memory' | 'table' | 'global' | 'tag';
  /** For interfaces: their functions. */
  functions?: WorldFunction[];
  /** For functions: the WIT (components) or core signature. */
  signature?: string;
  /** For component functions: the JavaScript signature. */
  js?: string;
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
const INLINE = /^\s*(import|export)\s+([a-z0-9-]+)\s*:\s*interface\s*\{\s*$/i;
const MEMBER = /^\s*([a-z0-9-]+)\s*:\s*(func\b.*?);\s*$/i;

/** `countTrue` → `count-true`, `addU8` → `add-u8` (jco's names back to WIT's). */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function componentWorld(
  wit: string,
  declarations: Record<string, string>,
  glueExports: [string, 'function' | 'instance'][],
): World {
  const imports: WorldImport[] = [];
  const exports: WorldExport[] = [];
  const js = jsSignatures(declarations);
  let depth = 0;
  let inWorld = false;
  let inline: WorldExport | undefined;
  for (const line of wit.split('\n')) {
    if (/^\s*world\s+[\w-]+\s*\{/.test(line) && depth === 0) inWorld = true;
    const before = depth;
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    if (!inWorld) continue;
    if (depth === 0) {
      inWorld = false;
      continue;
    }
    if (before === 2 && inline) {
      const member = MEMBER.exec(line);
      if (member)
        inline.functions!.push(withJs({ name: member[1]!, signature: member[2]! }, js.get(inline.name)));
      if (depth === 1) inline = undefined;
      continue;
    }
    if (before !== 1) continue;
    const block = INLINE.exec(line);
    if (block) {
      const [, direction, name] = block as unknown as [string, string, string];
      if (direction === 'import') imports.push({ name, interface: name, kind: 'interface' });
      else {
        inline = { name, kind: 'interface', functions: [] };
        exports.push(inline);
      }
      continue;
    }
    const func = FUNC.exec(line);
    if (func) {
      const [, direction, name, signature] = func as unknown as [string, string, string, string];
      if (direction === 'import') imports.push({ name, interface: name, kind: 'function', signature });
      else {
        const jsSignature = js.get('')?.get(name);
        exports.push({ name, kind: 'function', signature, ...(jsSignature ? { js: jsSignature } : {}) });
      }
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const [, direction, name] = item as unknown as [string, string, string];
      if (direction === 'import') imports.push({ name, interface: unversioned(name), kind: 'interface' });
      else {
        // The WIT printer does not show foreign interfaces' bodies: their functions come from jco's declarations.
        const functions = [...(js.get(name) ?? [])].map(([fn, signature]) => ({
          name: fn,
          signature,
          js: signature,
        }));
        exports.push({ name, kind: 'interface', functions });
      }
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

function withJs(fn: WorldFunction, signatures: Map<string, string> | undefined): WorldFunction {
  const jsSignature = signatures?.get(fn.name);
  return jsSignature ? { ...fn, js: jsSignature } : fn;
}

/**
 * JavaScript signatures from jco's declarations: per interface (by its export name, `''` for
 * world-level functions), function name in WIT spelling → `(params): result`.
 */
function jsSignatures(declarations: Record<string, string>): Map<string, Map<string, string>> {
  const byInterface = new Map<string, Map<string, string>>();
  const root = Object.entries(declarations).find(([file]) => !file.includes('/'))?.[1] ?? '';
  const world = new Map<string, string>();
  const body = /export interface Root \{([\s\S]*?)\n\}/.exec(root)?.[1] ?? '';
  for (const m of body.matchAll(/^ {2}([\w$]+)(\(.*\):\s*[^\n]+?),?$/gm)) world.set(kebabCase(m[1]!), m[2]!);
  byInterface.set('', world);
  for (const match of root.matchAll(/from '\.\/(interfaces\/[^']+)\.js'; \/\/ (\S+)/g)) {
    const [, file, iface] = match as unknown as [string, string, string];
    const text = declarations[`${file}.d.ts`] ?? '';
    const functions = new Map<string, string>();
    for (const m of text.matchAll(/^export function ([\w$]+)(\(.*\)(?::\s*[^;]+)?);/gm)) {
      functions.set(kebabCase(m[1]!), m[2]!);
    }
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
