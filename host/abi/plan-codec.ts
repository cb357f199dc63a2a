/**
 * A component's instantiation plan as bytes, for the loader's disk cache: what `planComponent`
 * derived from the component, kept beside its metered modules so that a warm load need not
 * parse and plan it again.
 *
 * What is read back is data, never code: a flat list of numbers and a table of strings (JSON),
 * each node one of a fixed set of kinds (string, number, boolean, undefined, null, array, plain
 * object, map, resource type, primitive type, view of the component's bytes), each reference to
 * an earlier node (so the graph is acyclic), every property name one of the plan's own
 * (`KEYS`: a name from the component is a value, never a property), every primitive name one
 * of WIT's, every view inside the component. Anything else refuses the whole plan
 * (`decodePlan` returns undefined and the loader plans the component from its bytes).
 *
 * Trust: the loader keys an entry by the component's sha256, the hook's id and Keel's planner
 * fingerprint (`plan-fingerprint.ts`, a digest of the planner's, the loader's and the meter's
 * compiled code made at build time), and checks the entry's sha256 before this reads it; the
 * same component planned by the same code makes the same plan. The checks that do not belong to
 * the planner (export types at load, import types at spawn, the world's names) run on a decoded
 * plan as on a fresh one.
 */

import { PRIM_NAMES as PRIMITIVE_NAMES } from './ast.js';
import type { ComponentPlan } from './plan.js';
import { prim, ResourceType } from './types.js';

const STR = 0;
const NUM = 1;
const TRUE = 2;
const FALSE = 3;
const UNDEF = 4;
const NULL = 5;
const ARR = 6;
const OBJ = 7;
const MAP = 8;
const RES = 9;
const PRIM = 10;
const VIEW = 11;

/** The format of the encoding (a change of it changes the fingerprint too: this file is hashed). */
const FORMAT = 1;

/**
 * Every property name a plan's objects have. An object with another is not encoded (the plan is
 * not cached); a decoded object with another is refused. `test/abi/plan-codec` encodes the plan
 * of every committed component, so a property the planner adds fails there until it is listed.
 */
const KEYS: ReadonlySet<string> = new Set([
  // ComponentPlan
  'modules',
  'instantiations',
  'trampolines',
  'options',
  'imports',
  'exports',
  'destructors',
  'componentInstances',
  // CoreModulePlan, CoreModuleInfo, CoreImport, CoreExport, FuncSignature
  'bytes',
  'info',
  'file',
  'module',
  'name',
  'kind',
  'signature',
  'params',
  'results',
  // CoreInstantiation, CoreInstanceArg, CoreDef
  'args',
  'index',
  'instance',
  // Trampoline, FuncDef, CanonOptions
  'func',
  'resource',
  'import',
  'path',
  'type',
  'core',
  'encoding',
  'memory',
  'realloc',
  'postReturn',
  // PlanImport, ExportDef, ExternType
  'sort',
  'used',
  // types
  'element',
  'fields',
  'types',
  'cases',
  'names',
  'ok',
  'err',
  'origin',
  'dtor',
]);

const PRIM_NAMES: ReadonlySet<string> = new Set(PRIMITIVE_NAMES);

/** Thrown by the encoder at a value it does not know: the plan is then not cached. */
class Unencodable extends Error {}

/** Made once: a `TextEncoder` per plan was a fixed cost of every cold load's entry. */
const utf8Out = new TextEncoder();

/**
 * `plan` as bytes, or undefined when it holds something the codec does not encode (the load goes
 * on; the entry is written without a plan). Views of `component` (the core modules' bytes) are
 * stored as their offsets.
 */
export function encodePlan(plan: ComponentPlan, component: Uint8Array): Uint8Array | undefined {
  try {
    return utf8Out.encode(JSON.stringify(new Encoder(component).run(plan)));
  } catch (error) {
    if (error instanceof Unencodable || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** The id an object has in `Encoder.ids` while its children are written (a cycle finds it). */
const OPEN = -1;

/**
 * One walk of the plan, each node written once after the nodes it refers to. Its fixed cost is
 * what a cold load pays (the walk runs in V8's interpreter then): one map of the nodes written
 * (objects, strings and numbers: a map tells 1 from "1", and an object open on the walk is
 * `OPEN` there, which is how a cycle is found), one of the string table.
 */
class Encoder {
  readonly strings: string[] = [];
  readonly stringIds = new Map<string, number>();
  readonly nodes: number[] = [];
  /** Nodes of objects, strings and numbers already written; `OPEN` for an object being written. */
  readonly ids = new Map<unknown, number>();
  /** Nodes of true, false, undefined and null, once written. */
  readonly constants: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  count = 0;

  constructor(readonly component: Uint8Array) {}

  run(plan: ComponentPlan): { format: number; strings: string[]; nodes: number[] } {
    this.ref(plan);
    return { format: FORMAT, strings: this.strings, nodes: this.nodes };
  }

  string(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** The node of `value`, written after every node it refers to. */
  ref(value: unknown): number {
    const known = this.ids.get(value);
    if (known !== undefined) {
      if (known === OPEN) throw new Unencodable('a cycle');
      return known;
    }
    let id: number;
    switch (typeof value) {
      case 'object': {
        if (value === null) return this.constant(3, NULL);
        this.ids.set(value, OPEN);
        id = this.children(value);
        break;
      }
      case 'string':
        this.nodes.push(STR, this.string(value));
        id = this.count++;
        break;
      case 'number':
        if (!Number.isFinite(value)) throw new Unencodable('a number that is not finite');
        this.nodes.push(NUM, value);
        id = this.count++;
        break;
      case 'boolean':
        return value ? this.constant(0, TRUE) : this.constant(1, FALSE);
      case 'undefined':
        return this.constant(2, UNDEF);
      default:
        throw new Unencodable(`a ${typeof value}`);
    }
    this.ids.set(value, id);
    return id;
  }

  constant(slot: number, tag: number): number {
    let id = this.constants[slot];
    if (id === undefined) {
      this.nodes.push(tag);
      id = this.count++;
      this.constants[slot] = id;
    }
    return id;
  }

  /** Writes the children of `value`, then its node; returns the node's id. */
  children(value: object): number {
    const nodes = this.nodes;
    const proto = Object.getPrototypeOf(value);
    if (proto === Array.prototype) {
      const array = value as unknown[];
      const refs = new Array<number>(array.length);
      for (let i = 0; i < array.length; i++) refs[i] = this.ref(array[i]);
      nodes.push(ARR, Object.isFrozen(array) ? 1 : 0, refs.length);
      for (let i = 0; i < refs.length; i++) nodes.push(refs[i]!);
      return this.count++;
    }
    if (proto === Object.prototype) {
      const kind = (value as { kind?: unknown }).kind;
      if (typeof kind === 'string' && PRIM_NAMES.has(kind) && prim(kind as 'bool') === value) {
        nodes.push(PRIM, this.string(kind));
        return this.count++;
      }
      const keys = Object.keys(value);
      const refs = new Array<number>(keys.length);
      for (let i = 0; i < keys.length; i++) {
        if (!KEYS.has(keys[i]!)) throw new Unencodable(`a property ${keys[i]}`);
        refs[i] = this.ref((value as Record<string, unknown>)[keys[i]!]);
      }
      nodes.push(OBJ, Object.isFrozen(value) ? 1 : 0, keys.length);
      for (let i = 0; i < keys.length; i++) nodes.push(this.string(keys[i]!), refs[i]!);
      return this.count++;
    }
    if (proto === Map.prototype) {
      const refs: number[] = [];
      for (const [k, v] of value as Map<unknown, unknown>) refs.push(this.ref(k), this.ref(v));
      nodes.push(MAP, refs.length / 2);
      for (let i = 0; i < refs.length; i++) nodes.push(refs[i]!);
      return this.count++;
    }
    if (proto === ResourceType.prototype) {
      const r = value as ResourceType;
      const own = Object.keys(r);
      if (own.length !== 4 || !['kind', 'id', 'name', 'origin'].every((k) => own.includes(k)))
        throw new Unencodable('a resource type with other properties');
      const name = this.ref(r.name);
      const origin = this.ref(r.origin);
      nodes.push(RES, name, origin);
      return this.count++;
    }
    if (proto === Uint8Array.prototype) {
      const v = value as Uint8Array;
      const c = this.component;
      const offset = v.byteOffset - c.byteOffset;
      if (v.buffer !== c.buffer || offset < 0 || offset + v.length > c.length)
        throw new Unencodable('bytes that are not the component’s');
      nodes.push(VIEW, offset, v.length);
      return this.count++;
    }
    throw new Unencodable('an object of another class');
  }
}

/** Strict UTF-8, made once: a `TextDecoder` made per call cost 6 µs of a 2 KB plan's 8 µs decode. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The plan `data` encodes, its core modules' bytes views of `component`; undefined when `data`
 * is not a plan this codec wrote (any deviation from the format: see the file's comment).
 * Never throws on any input.
 */
export function decodePlan(data: Uint8Array, component: Uint8Array): ComponentPlan | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(data));
  } catch {
    return undefined;
  }
  try {
    return decode(parsed, component);
  } catch {
    return undefined;
  }
}

/** Throws (anything: the caller refuses the plan) when `parsed` is not a plan. */
function decode(parsed: unknown, component: Uint8Array): ComponentPlan | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { format, strings, nodes } = parsed as { format?: unknown; strings?: unknown; nodes?: unknown };
  if (format !== FORMAT || !Array.isArray(strings) || !Array.isArray(nodes)) return undefined;
  for (const s of strings) if (typeof s !== 'string') return undefined;
  const n = nodes.length;
  // An integer in [lo, hi), read at `at` (anything else refuses the plan).
  let at = 0;
  const int = (lo: number, hi: number): number => {
    const x = nodes[at++];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x >= hi) throw new Error('bad');
    return x;
  };
  const values: unknown[] = [];
  const ref = () => values[int(0, values.length)];
  const str = () => strings[int(0, strings.length)] as string;
  while (at < n) {
    const tag = int(0, VIEW + 1);
    let value: unknown;
    switch (tag) {
      case STR:
        value = str();
        break;
      case NUM: {
        const x = nodes[at++];
        if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
        value = x;
        break;
      }
      case TRUE:
        value = true;
        break;
      case FALSE:
        value = false;
        break;
      case UNDEF:
        value = undefined;
        break;
      case NULL:
        value = null;
        break;
      case ARR: {
        const frozen = int(0, 2);
        const length = int(0, n);
        const array: unknown[] = new Array(length);
        for (let i = 0; i < length; i++) array[i] = ref();
        if (frozen) Object.freeze(array);
        value = array;
        break;
      }
      case OBJ: {
        const frozen = int(0, 2);
        const length = int(0, n);
        const object: Record<string, unknown> = {};
        for (let i = 0; i < length; i++) {
          const key = str();
          if (!KEYS.has(key) || Object.hasOwn(object, key)) return undefined;
          object[key] = ref();
        }
        if (frozen) Object.freeze(object);
        value = object;
        break;
      }
      case MAP: {
        const length = int(0, n);
        const map = new Map<unknown, unknown>();
        for (let i = 0; i < length; i++) {
          const key = ref();
          if (map.has(key)) return undefined;
          map.set(key, ref());
        }
        value = map;
        break;
      }
      case RES: {
        const name = ref();
        const origin = ref();
        if (typeof name !== 'string' || !isOrigin(origin)) return undefined;
        value = new ResourceType(name, origin);
        break;
      }
      case PRIM: {
        const name = str();
        if (!PRIM_NAMES.has(name)) return undefined;
        value = prim(name as 'bool');
        break;
      }
      case VIEW: {
        const offset = int(0, component.length + 1);
        const length = int(0, component.length - offset + 1);
        value = component.subarray(offset, offset + length);
        break;
      }
    }
    values.push(value);
  }
  const plan = values[values.length - 1];
  return isPlanShape(plan) ? plan : undefined;
}

function isOrigin(o: unknown): o is ResourceType['origin'] {
  if (typeof o !== 'object' || o === null) return false;
  const origin = o as { kind?: unknown; path?: unknown; instance?: unknown };
  switch (origin.kind) {
    case 'abstract':
      return true;
    case 'imported':
      return Array.isArray(origin.path) && origin.path.every((p) => typeof p === 'string');
    case 'defined':
      return Number.isInteger(origin.instance);
    default:
      return false;
  }
}

/** The plan's top level: what the loader reads before handing it on. */
function isPlanShape(p: unknown): p is ComponentPlan {
  if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== Object.prototype) return false;
  const plan = p as Record<string, unknown>;
  if (
    !Array.isArray(plan.modules) ||
    !Array.isArray(plan.instantiations) ||
    !Array.isArray(plan.trampolines) ||
    !Array.isArray(plan.options) ||
    !Array.isArray(plan.imports) ||
    !(plan.exports instanceof Map) ||
    !(plan.destructors instanceof Map) ||
    !Number.isInteger(plan.componentInstances)
  )
    return false;
  for (const m of plan.modules as unknown[]) {
    const mod = m as { bytes?: unknown; file?: unknown; info?: { imports?: unknown; exports?: unknown } };
    if (
      !(mod?.bytes instanceof Uint8Array) ||
      typeof mod.file !== 'string' ||
      !Array.isArray(mod.info?.imports) ||
      !Array.isArray(mod.info?.exports)
    )
      return false;
  }
  return true;
}
