/**
 * Export bindings for AssemblyScript guests: from a resolved world's exports, an entry module
 * whose functions speak the canonical ABI (flat core values, `(ptr, len)` strings and lists, a
 * return area, `cabi_post_*`) and call the guest's plain AssemblyScript functions.
 *
 * Core export names such as `get-value` or `keel:hello/greeter@0.1.0#greet` are not
 * AssemblyScript identifiers, so the entry exports `__keel_export_<n>` and the build renames
 * each export to its component-model name after compilation (`renames`).
 */
import { SCALARS, type WitExport, type WitFunction, type WitType } from './wit.js';

/** The canonical ABI's limit on flat parameters before they spill to memory. */
const MAX_FLAT_PARAMS = 16;

export interface Bindings {
  /** The AssemblyScript entry module. */
  source: string;
  /** Compiled export name → component-model core export name. */
  renames: Map<string, string>;
}

/** `get-value` → `getValue`: how a WIT name is spelled in AssemblyScript. */
export function asName(witName: string): string {
  return witName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The AssemblyScript type a guest function uses for a WIT type. */
export function asType(type: WitType): string {
  switch (type.kind) {
    case 'scalar':
      return SCALARS[type.name].as;
    case 'string':
      return 'string';
    case 'enum':
      // An enum is its case index; guests may declare the parameter as an AssemblyScript enum.
      return 'i32';
    case 'list':
      if (type.element.kind === 'scalar' && type.element.name === 'u8') return 'Uint8Array';
      return `Array<${asType(type.element)}>`;
  }
}

/** How many core values a type flattens to. */
function flatCount(type: WitType): number {
  return type.kind === 'scalar' || type.kind === 'enum' ? 1 : 2;
}

/** The lifting expression for parameter `p` given its core parameter names. */
function liftParam(type: WitType, names: string[]): string {
  switch (type.kind) {
    case 'scalar':
      if (type.name === 'bool') return `${names[0]} != 0`;
      return `<${SCALARS[type.name].as}>${names[0]}`;
    case 'enum':
      return names[0]!;
    case 'string':
      return `__abi.takeString(${names[0]}, ${names[1]})`;
    case 'list': {
      const element = type.element;
      if (element.kind === 'string') return `__abi.takeStrings(${names[0]}, ${names[1]})`;
      if (element.kind === 'scalar' && element.name === 'u8')
        return `__abi.takeBytes(${names[0]}, ${names[1]})`;
      return `__abi.takeList<${asType(element)}>(${names[0]}, ${names[1]})`;
    }
  }
}

function coreParamTypes(type: WitType): string[] {
  if (type.kind === 'enum') return ['i32'];
  if (type.kind === 'scalar') {
    const core = SCALARS[type.name].core;
    return [core === 'i32' ? 'i32' : core];
  }
  return ['usize', 'usize'];
}

interface ResultCode {
  coreType: string;
  /** Wraps the guest's result expression. */
  ret: (value: string) => string;
  /** The post-return body, or undefined when nothing needs freeing. */
  post?: string;
}

function resultCode(type: WitType | undefined): ResultCode {
  if (!type) return { coreType: 'void', ret: (v) => v };
  switch (type.kind) {
    case 'scalar': {
      const { core } = SCALARS[type.name];
      if (type.name === 'bool') return { coreType: 'i32', ret: (v) => `${v} ? 1 : 0` };
      if (core === 'i32') return { coreType: 'i32', ret: (v) => `<i32>${v}` };
      return { coreType: SCALARS[type.name].as, ret: (v) => v };
    }
    case 'enum':
      return { coreType: 'i32', ret: (v) => `<i32>${v}` };
    case 'string':
      return {
        coreType: 'usize',
        ret: (v) => `__abi.returnString(${v})`,
        post: '__abi.freeStringResult(area);',
      };
    case 'list': {
      const element = type.element;
      if (element.kind === 'string') {
        return {
          coreType: 'usize',
          ret: (v) => `__abi.returnStrings(${v})`,
          post: '__abi.freeStringsResult(area);',
        };
      }
      if (element.kind === 'scalar' && element.name === 'u8') {
        return {
          coreType: 'usize',
          ret: (v) => `__abi.returnBytes(${v})`,
          post: '__abi.freeListResult(area);',
        };
      }
      return {
        coreType: 'usize',
        ret: (v) => `__abi.returnList<${asType(element)}>(${v})`,
        post: '__abi.freeListResult(area);',
      };
    }
  }
}

function describe(type: WitType): string {
  switch (type.kind) {
    case 'scalar':
      return type.name;
    case 'string':
      return 'string';
    case 'enum':
      return type.name;
    case 'list':
      return `list<${describe(type.element)}>`;
  }
}

/** `greet: func(name: string) -> string` */
export function witSignature(fn: WitFunction): string {
  const params = fn.params.map((p) => `${p.name}: ${describe(p.type)}`).join(', ');
  return `${fn.name}: func(${params})${fn.result ? ` -> ${describe(fn.result)}` : ''}`;
}

/**
 * The entry module for `exports`, importing the guest's functions from `userModule` (a path
 * relative to the entry, without extension). World-level functions are imported by their
 * camelCase name; functions of an exported interface from a namespace named after the
 * interface (`greeter.greet` for `keel:hello/greeter`).
 */
export function generateBindings(exports: readonly WitExport[], userModule: string): Bindings {
  const renames = new Map<string, string>([['cabi_realloc', 'cabi_realloc']]);
  const userImports = new Set<string>();
  const lines: string[] = [
    '// Generated by Keel’s AssemblyScript SDK from the guest’s WIT. Do not edit.',
    'import * as __abi from "keel/abi";',
    'export { cabi_realloc } from "keel/abi";',
  ];
  const body: string[] = [];
  exports.forEach((exp, index) => {
    const { fn } = exp;
    const flat = fn.params.reduce((n, p) => n + flatCount(p.type), 0);
    if (flat > MAX_FLAT_PARAMS) {
      throw new Error(
        `${exp.coreName}: ${flat} flat parameters exceed the canonical ABI's ${MAX_FLAT_PARAMS}; the AssemblyScript SDK does not spill parameters to memory yet`,
      );
    }
    let target: string;
    if (exp.interface === undefined) {
      target = `__user_${asName(fn.name)}`;
      userImports.add(`${asName(fn.name)} as ${target}`);
    } else {
      const short = exp.interface.replace(/@.*$/, '').replace(/^.*\//, '');
      const ns = asName(short);
      userImports.add(`${ns} as __user_${ns}`);
      target = `__user_${ns}.${asName(fn.name)}`;
    }
    const coreParams: string[] = [];
    const args: string[] = [];
    fn.params.forEach((param, i) => {
      const types = coreParamTypes(param.type);
      const names = types.map((_, j) => `p${i}_${j}`);
      types.forEach((t, j) => {
        coreParams.push(`${names[j]}: ${t}`);
      });
      args.push(liftParam(param.type, names));
    });
    const result = resultCode(fn.result);
    const exportName = `__keel_export_${index}`;
    renames.set(exportName, exp.coreName);
    body.push('', `/** ${exp.interface ? `${exp.interface}#` : ''}${witSignature(fn)} */`);
    body.push(`export function ${exportName}(${coreParams.join(', ')}): ${result.coreType} {`);
    const call = `${target}(${args.join(', ')})`;
    if (fn.result) body.push(`  return ${result.ret(call)};`);
    else body.push(`  ${call};`);
    body.push('}');
    if (result.post) {
      const postName = `__keel_post_${index}`;
      renames.set(postName, `cabi_post_${exp.coreName}`);
      body.push(`export function ${postName}(area: usize): void {`, `  ${result.post}`, '}');
    }
  });
  if (userImports.size > 0) lines.push(`import { ${[...userImports].join(', ')} } from "${userModule}";`);
  return { source: `${[...lines, ...body].join('\n')}\n`, renames };
}
