/**
 * The plan codec's encoder as it was written at 4982d67 (host/abi/plan-codec.ts), kept as the
 * definition of the format's bytes: a faster encoder must write the same bytes for the same
 * plan (test/abi/plan-codec), so that the decoder, the cache's entries and the planner's
 * fingerprint's meaning stay as they are. Test code only.
 */
import { PRIM_NAMES as PRIMITIVE_NAMES } from '../../host/abi/ast.js';
import type { ComponentPlan } from '../../host/abi/plan.js';
import { prim, ResourceType } from '../../host/abi/types.js';

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

/**
 * `plan` as bytes, or undefined when it holds something the codec does not encode (the load goes
 * on; the entry is written without a plan). Views of `component` (the core modules' bytes) are
 * stored as their offsets.
 */
export function referenceEncodePlan(plan: ComponentPlan, component: Uint8Array): Uint8Array | undefined {
  try {
    return new TextEncoder().encode(JSON.stringify(new Encoder(component).run(plan)));
  } catch (error) {
    if (error instanceof Unencodable || error instanceof RangeError) return undefined;
    throw error;
  }
}

class Encoder {
  readonly strings: string[] = [];
  readonly stringIds = new Map<string, number>();
  readonly nodes: number[] = [];
  /** Nodes of objects, strings and numbers already written. */
  readonly objectIds = new Map<object, number>();
  readonly stringNodes = new Map<string, number>();
  readonly numberNodes = new Map<number, number>();
  /** Nodes of true, false, undefined and null, once written. */
  readonly constants: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly open = new Set<object>();
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

  /** A new node's id; its numbers are pushed by the caller. */
  next(): number {
    return this.count++;
  }

  /** The node of `value`, written after every node it refers to. */
  ref(value: unknown): number {
    switch (typeof value) {
      case 'object': {
        if (value === null) return this.constant(3, NULL);
        const known = this.objectIds.get(value);
        if (known !== undefined) return known;
        const id = this.object(value);
        this.objectIds.set(value, id);
        return id;
      }
      case 'string': {
        let id = this.stringNodes.get(value);
        if (id === undefined) {
          this.nodes.push(STR, this.string(value));
          id = this.next();
          this.stringNodes.set(value, id);
        }
        return id;
      }
      case 'number': {
        if (!Number.isFinite(value)) throw new Unencodable('a number that is not finite');
        let id = this.numberNodes.get(value);
        if (id === undefined) {
          this.nodes.push(NUM, value);
          id = this.next();
          this.numberNodes.set(value, id);
        }
        return id;
      }
      case 'boolean':
        return value ? this.constant(0, TRUE) : this.constant(1, FALSE);
      case 'undefined':
        return this.constant(2, UNDEF);
      default:
        throw new Unencodable(`a ${typeof value}`);
    }
  }

  constant(slot: number, tag: number): number {
    let id = this.constants[slot];
    if (id === undefined) {
      this.nodes.push(tag);
      id = this.next();
      this.constants[slot] = id;
    }
    return id;
  }

  object(value: object): number {
    if (this.open.has(value)) throw new Unencodable('a cycle');
    this.open.add(value);
    const id = this.children(value);
    this.open.delete(value);
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
      return this.next();
    }
    if (proto === Object.prototype) {
      const kind = (value as { kind?: unknown }).kind;
      if (typeof kind === 'string' && PRIM_NAMES.has(kind) && prim(kind as 'bool') === value) {
        nodes.push(PRIM, this.string(kind));
        return this.next();
      }
      const keys = Object.keys(value);
      const refs = new Array<number>(keys.length);
      for (let i = 0; i < keys.length; i++) {
        if (!KEYS.has(keys[i]!)) throw new Unencodable(`a property ${keys[i]}`);
        refs[i] = this.ref((value as Record<string, unknown>)[keys[i]!]);
      }
      nodes.push(OBJ, Object.isFrozen(value) ? 1 : 0, keys.length);
      for (let i = 0; i < keys.length; i++) nodes.push(this.string(keys[i]!), refs[i]!);
      return this.next();
    }
    if (proto === Map.prototype) {
      const refs: number[] = [];
      for (const [k, v] of value as Map<unknown, unknown>) refs.push(this.ref(k), this.ref(v));
      nodes.push(MAP, refs.length / 2);
      for (let i = 0; i < refs.length; i++) nodes.push(refs[i]!);
      return this.next();
    }
    if (proto === ResourceType.prototype) {
      const r = value as ResourceType;
      const own = Object.keys(r);
      if (own.length !== 4 || !['kind', 'id', 'name', 'origin'].every((k) => own.includes(k)))
        throw new Unencodable('a resource type with other properties');
      const name = this.ref(r.name);
      const origin = this.ref(r.origin);
      nodes.push(RES, name, origin);
      return this.next();
    }
    if (proto === Uint8Array.prototype) {
      const v = value as Uint8Array;
      const c = this.component;
      const offset = v.byteOffset - c.byteOffset;
      if (v.buffer !== c.buffer || offset < 0 || offset + v.length > c.length)
        throw new Unencodable('bytes that are not the component’s');
      nodes.push(VIEW, offset, v.length);
      return this.next();
    }
    throw new Unencodable('an object of another class');
  }
}
