/**
 * Keel's own calls for the simplest export shapes. For an export whose parameters and result
 * are 32-bit integers, jco 1.12's glue is one JavaScript function around the core export:
 *
 *     function add(arg0, arg1) {
 *       const ret = exports0Add(toUint32(arg0), toUint32(arg1));
 *       return ret >>> 0;
 *     }
 *
 * That layer is about half of a fast-path call (`bench/results/latest.md`). Where the glue's own
 * source shows exactly this shape, and nothing else, the fast path calls the core export
 * itself. It is the same call: `toUint32` and `toInt32` (checked to be `val >>> 0` and
 * `val >> 0`) give the bits WebAssembly's own ToInt32 gives, calling `valueOf` once per
 * argument in the same order, and the result is lifted as the glue lifts it. Any other shape
 * (strings, lists, records, 64-bit and float values, post-return functions) keeps the glue.
 */

export type DirectResult = 'u32' | 's32' | 'void';

export interface DirectShape {
  /** Which core instance, in the order the glue instantiates them. */
  readonly instance: number;
  /** The core export the glue calls. */
  readonly coreExport: string;
  readonly arity: number;
  readonly result: DirectResult;
}

/** The helpers the shape may use, with the only bodies accepted for them. */
const HELPERS: Record<string, RegExp> = {
  toUint32: /\bfunction toUint32\(val\) \{\s*return val >>> 0;\s*\}/g,
  toInt32: /\bfunction toInt32\(val\) \{\s*return val >> 0;\s*\}/g,
};

const IDENT = '[A-Za-z_$][\\w$]*';
const VALUE_FN = new RegExp(
  `^function ${IDENT}\\(([^)]*)\\) \\{\\s*const ret = (${IDENT})\\(([^;]*)\\);\\s*return (ret >>> 0|ret);\\s*\\}$`,
);
const VOID_FN = new RegExp(`^function ${IDENT}\\(([^)]*)\\) \\{\\s*(${IDENT})\\(([^;]*)\\);\\s*\\}$`);
const CORE_INSTANCE = /\(\{ exports: (exports\d+) \} = instantiateCore\(/g;

/**
 * Shapes already worked out, per glue source and function text: every sandbox of a module asks
 * the same questions, and reading the glue's source costs tens of microseconds a function
 * (the bench's spawn resolves four). Keyed by the source's owner so that it goes with it.
 */
const known = new WeakMap<object, Map<string, DirectShape | null>>();

/** `directShape`, remembered per `owner` (the loaded module the glue belongs to). */
export function directShapeOf(
  owner: object,
  glueSource: string,
  glueFunction: Function,
): DirectShape | undefined {
  let shapes = known.get(owner);
  if (!shapes) {
    shapes = new Map();
    known.set(owner, shapes);
  }
  const text = Function.prototype.toString.call(glueFunction);
  let shape = shapes.get(text);
  if (shape === undefined) {
    shape = directShape(glueSource, glueFunction) ?? null;
    shapes.set(text, shape);
  }
  return shape ?? undefined;
}

/**
 * The direct shape of `glueFunction` (an export of the glue whose source is `glueSource`), or
 * undefined when it is anything but the plain shape above.
 */
export function directShape(glueSource: string, glueFunction: Function): DirectShape | undefined {
  const text = Function.prototype.toString.call(glueFunction);
  const valued = VALUE_FN.exec(text);
  const plain = valued ? undefined : VOID_FN.exec(text);
  const match = valued ?? plain;
  if (!match) return undefined;
  const [, paramList, callee, argList] = match as unknown as [string, string, string, string];
  const params = paramList.trim() === '' ? [] : paramList.split(',').map((p) => p.trim());
  const args = argList.trim() === '' ? [] : argList.split(',').map((a) => a.trim());
  if (params.length !== args.length || params.length !== glueFunction.length) return undefined;
  for (let i = 0; i < params.length; i++) {
    if (params[i] !== `arg${i}`) return undefined;
    const helper = /^(toUint32|toInt32)\(arg(\d+)\)$/.exec(args[i]!);
    if (!helper || Number(helper[2]) !== i) return undefined;
    if (!definedOnce(glueSource, HELPERS[helper[1]!]!)) return undefined;
  }
  const target = coreExportOf(glueSource, callee);
  if (!target) return undefined;
  return {
    ...target,
    arity: params.length,
    result: valued ? (valued[4] === 'ret' ? 's32' : 'u32') : 'void',
  };
}

/** Where the glue took `callee` from: `callee = exportsK.name` or `exportsK['name']`, once. */
function coreExportOf(
  glueSource: string,
  callee: string,
): { instance: number; coreExport: string } | undefined {
  const escaped = callee.replace(/\$/g, '\\$');
  const assignments = [
    ...glueSource.matchAll(
      new RegExp(`(?:^|[\\s;])${escaped} = (exports\\d+)(?:\\.(${IDENT})|\\['([^'\\\\]+)'\\]);`, 'g'),
    ),
  ];
  if (assignments.length !== 1) return undefined;
  const [, instanceVar, dotted, quoted] = assignments[0]!;
  // Every other write to the variable would make the assignment above not the one that counts.
  const writes = glueSource.match(new RegExp(`(?:^|[^\\w$.])${escaped}\\s*=[^=]`, 'gm')) ?? [];
  if (writes.length !== 1) return undefined;
  const order = [...glueSource.matchAll(CORE_INSTANCE)].map((m) => m[1]);
  const instance = order.indexOf(instanceVar!);
  if (instance < 0 || order.lastIndexOf(instanceVar!) !== instance) return undefined;
  // Each instantiateCore call of the glue must be one of those, so that the hook's order matches.
  if ((glueSource.match(/instantiateCore\(/g) ?? []).length !== order.length) return undefined;
  return { instance, coreExport: (dotted ?? quoted)! };
}

function definedOnce(source: string, definition: RegExp): boolean {
  return (source.match(definition) ?? []).length === 1;
}

/** A function that calls `core` as the glue function of `shape` would, without the glue. */
export function directCall(shape: DirectShape, core: Function): Function {
  // Arguments go in as given: WebAssembly converts each with ToInt32, as toUint32/toInt32
  // would have, and ignores extra ones as the glue does. An s32 result is the i32 itself and a
  // void export returns undefined, so for those the core export is the call; a u32 result is
  // lifted as the glue lifts it.
  if (shape.result !== 'u32') return core;
  const f = core as (...args: unknown[]) => number;
  // Per arity: a rest parameter and a spread here cost about 4 ns of a 6 ns call.
  switch (shape.arity) {
    case 0:
      return () => f() >>> 0;
    case 1:
      return (a: unknown) => f(a) >>> 0;
    case 2:
      return (a: unknown, b: unknown) => f(a, b) >>> 0;
    case 3:
      return (a: unknown, b: unknown, c: unknown) => f(a, b, c) >>> 0;
    default:
      return (...args: unknown[]) => f(...args) >>> 0;
  }
}
