/**
 * What a module exports, as `keel inspect` shows it and `keel run` reads it: every function with
 * its WIT signature (from Keel's component planner, `host/abi`, for world-level and interface
 * exports alike) and the exact name `--invoke` takes; resources with their constructor,
 * methods and static functions; the named types an interface exports. Core modules show their
 * core signatures.
 */

import { kebabCase } from '../abi/js-names.js';
import type { ExportDef } from '../abi/plan.js';
import { planComponent } from '../abi/plan.js';
import type { ResourceType, ValType } from '../abi/types.js';
import { funcText, typeText } from '../abi/wit.js';
import type { ModuleHandle } from '../kernel/module.js';
import { readCoreModuleInfo } from '../loader/core-info.js';
import { preview1Flavor, wrapPreview1 } from '../loader/preview1.js';
import { unversioned } from '../loader/world.js';

export interface ExportedFunction {
  /** As the component names it: `add`, `[method]counter.add`. */
  name: string;
  /** WIT (components) or core (core modules) signature. */
  signature: string;
  /** The name to give `keel run --invoke`; absent for resource functions, which need a handle. */
  invoke?: string;
}

export interface ExportedResource {
  name: string;
  /** `constructor(...)`, `name: func(...)` (methods), `name: static func(...)`, in WIT. */
  functions: string[];
}

export interface ExportedItem {
  /** `greet`, `docs:adder/add@0.1.0`, a core export's name. */
  name: string;
  kind: 'function' | 'interface' | 'memory' | 'table' | 'global' | 'tag';
  /** World-level and core functions. */
  function?: ExportedFunction;
  /** Interfaces: their plain functions, resources and named types. */
  functions?: ExportedFunction[];
  resources?: ExportedResource[];
  /** WIT definitions: `enum level { trace, debug }`, `type bytes = list<u8>`. */
  types?: string[];
}

/**
 * The module's exports from its bytes (the file's; a preview1 module is wrapped as the loader
 * wraps it). Falls back to the world the loader read when the planner cannot read the component.
 */
export async function describeExports(bytes: Uint8Array, module: ModuleHandle): Promise<ExportedItem[]> {
  // A core module, or a preview1 module on Keel's own imports: its core exports as they are.
  if (module.kind === 'core' || (module.kind === 'preview1' && module.preview1Abi !== 'adapter')) {
    return module.world.exports.map((e) =>
      e.kind === 'function'
        ? {
            name: e.name,
            kind: e.kind,
            function: { name: e.name, signature: e.signature ?? '', invoke: e.name },
          }
        : { name: e.name, kind: e.kind },
    );
  }
  let component = bytes;
  if (module.kind === 'preview1')
    component = await wrapPreview1(bytes, preview1Flavor(readCoreModuleInfo(bytes)));
  let exports: ReadonlyMap<string, ExportDef>;
  try {
    exports = planComponent(component).exports;
  } catch {
    return fromWorld(module);
  }
  const items: ExportedItem[] = [];
  for (const [name, def] of exports) {
    if (def.sort === 'func') {
      items.push({
        name,
        kind: 'function',
        function: { name, signature: funcText(def.func.type), invoke: name },
      });
    } else if (def.sort === 'instance') {
      items.push(describeInterface(name, def.exports));
    }
  }
  return items;
}

function describeInterface(name: string, exports: ReadonlyMap<string, ExportDef>): ExportedItem {
  const functions: ExportedFunction[] = [];
  const resources = new Map<string, ExportedResource>();
  const types: string[] = [];
  const resource = (r: string) => {
    let entry = resources.get(r);
    if (!entry) {
      entry = { name: r, functions: [] };
      resources.set(r, entry);
    }
    return entry;
  };
  // A resource's type may carry the name it had where it was defined (a shim's
  // `import-type-counter`); signatures name it as this interface exports it.
  const renames: [RegExp, string][] = [];
  for (const [member, def] of exports) {
    if (def.sort !== 'type') continue;
    if (def.type.kind === 'resource') {
      resource(member);
      const own = (def.type as ResourceType).name;
      if (own !== member)
        renames.push([new RegExp(`(?<![\\w-])${escapeRegExp(own)}(?![\\w-])`, 'g'), member]);
    } else {
      types.push(definition(member, def.type as ValType));
    }
  }
  const text = (t: string) => renames.reduce((acc, [from, to]) => acc.replace(from, to), t);
  for (const [member, def] of exports) {
    if (def.sort !== 'func') continue;
    const signature = text(funcText(def.func.type));
    const special = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(member);
    if (!special) {
      functions.push({ name: member, signature, invoke: `${unversioned(name)}#${member}` });
      continue;
    }
    const [, what, owner, fn] = special as unknown as [string, string, string, string | undefined];
    if (what === 'constructor') {
      // A constructor's result is the resource itself.
      resource(owner).functions.push(`constructor${signature.replace(/^func/, '').replace(/ -> .*$/, '')}`);
    } else if (what === 'method') {
      // A method's first parameter is `self`, implied in WIT.
      resource(owner).functions.push(`${fn}: ${signature.replace(/^func\(self: [^,)]*(?:, )?/, 'func(')}`);
    } else {
      resource(owner).functions.push(`${fn}: static ${signature}`);
    }
  }
  return {
    name,
    kind: 'interface',
    functions,
    ...(resources.size > 0 ? { resources: [...resources.values()] } : {}),
    ...(types.length > 0 ? { types } : {}),
  };
}

function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A named type's WIT definition: `enum level { trace, debug }`, `type bytes = list<u8>`. */
function definition(name: string, type: ValType): string {
  const body = typeText({ ...type, name: undefined } as ValType);
  const composite = /^(record|variant|enum|flags) \{/.exec(body);
  return composite
    ? `${composite[1]} ${name} ${body.slice(composite[1]!.length + 1)}`
    : `type ${name} = ${body}`;
}

/** What the loader's world says, WIT signatures only (a JavaScript one is not shown). */
function fromWorld(module: ModuleHandle): ExportedItem[] {
  const wit = (signature: string | undefined) => (signature?.startsWith('func') ? signature : '');
  return module.world.exports.map((e) => {
    if (e.kind === 'interface') {
      return {
        name: e.name,
        kind: e.kind,
        functions: (e.functions ?? []).map((f) => ({
          name: f.name,
          signature: wit(f.signature),
          invoke: `${unversioned(e.name)}#${f.name}`,
        })),
      };
    }
    return e.kind === 'function'
      ? {
          name: e.name,
          kind: e.kind,
          function: { name: e.name, signature: wit(e.signature), invoke: e.name },
        }
      : { name: e.name, kind: e.kind };
  });
}

/** The export `--invoke` names, if this list has it (version optional, camelCase or kebab-case). */
export function findExport(items: readonly ExportedItem[], invoke: string): ExportedFunction | undefined {
  const hash = invoke.lastIndexOf('#');
  if (hash < 0) {
    return items.find((i) => i.function && (i.name === invoke || i.name === kebabCase(invoke)))?.function;
  }
  const iface = unversioned(invoke.slice(0, hash));
  const fn = invoke.slice(hash + 1);
  return items
    .find((i) => i.kind === 'interface' && unversioned(i.name) === iface)
    ?.functions?.find((f) => f.name === fn || f.name === kebabCase(fn));
}
