/**
 * A module's world: what it imports and exports, named as a user would grant or invoke them.
 * For components it comes from the component's plan (its types, in WIT text); for core modules
 * from their import and export sections.
 */
import type { ComponentPlan } from '../abi/plan.js';
import { funcText } from '../abi/wit.js';
import type { CoreModuleInfo, FuncSignature } from './core-info.js';

export interface WorldImport {
  /** The full name, version included when there is one: `wasi:cli/stdout@0.2.3`, `env.read_secret`. */
  name: string;
  /** What a grant must match: `wasi:cli/stdout`, `env.read_secret`. */
  interface: string;
  kind: 'interface' | 'function' | 'memory' | 'table' | 'global' | 'tag';
  signature?: string;
}

/** A function of an export, named as WIT spells it (`count-true`, `[method]descriptor.stat`). */
export interface WorldFunction {
  name: string;
  /** Its WIT signature: `func(s: string) -> string`. */
  signature: string;
}

export interface WorldExport {
  /** `docs:adder/add@0.1.0`, `greet`, an inline interface name, or a core export name. */
  name: string;
  kind: 'interface' | 'function' | 'memory' | 'table' | 'global' | 'tag';
  /** For interfaces: their functions. */
  functions?: WorldFunction[];
  /** For functions: the WIT (components) or core signature. */
  signature?: string;
}

export interface World {
  imports: WorldImport[];
  exports: WorldExport[];
}

/** `wasi:cli/stdout@0.2.3` → `wasi:cli/stdout`. */
export function unversioned(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** A component's world, from its plan: every import and export, with WIT signatures. */
export function planWorld(plan: ComponentPlan): World {
  const imports: WorldImport[] = [];
  for (const i of plan.imports) {
    if (i.type.sort === 'func') {
      imports.push({ name: i.name, interface: i.name, kind: 'function', signature: funcText(i.type.type) });
    } else if (i.type.sort === 'instance') {
      imports.push({ name: i.name, interface: unversioned(i.name), kind: 'interface' });
    }
  }
  const exports: WorldExport[] = [];
  for (const [name, def] of plan.exports) {
    if (def.sort === 'func') exports.push({ name, kind: 'function', signature: funcText(def.func.type) });
    else if (def.sort === 'instance') {
      const functions: WorldFunction[] = [];
      for (const [fn, member] of def.exports) {
        if (member.sort === 'func') functions.push({ name: fn, signature: funcText(member.func.type) });
      }
      exports.push({ name, kind: 'interface', functions });
    }
  }
  return { imports, exports };
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
