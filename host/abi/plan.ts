/**
 * The instantiation plan: a component, nested components included, flattened into what a
 * sandbox does to come alive — core modules compiled once per load, core instances created in
 * order from them with their imports (other instances' exports, Keel's trampolines), and the
 * exports the host may call. The planner interprets the component's definitions once at load
 * (nested components are inlined per instantiation, as Wasmtime's inliner does), resolving and
 * checking every index, type and core signature before anything runs.
 */
import { KeelError } from '../kernel/errors.js';
import { type CoreEntities, entityMismatch, readCoreEntities } from '../loader/core-entities.js';
import type { CoreExport, CoreModuleInfo } from '../loader/core-info.js';
import { notUnique, uniquenessKey } from '../loader/names.js';
import { BAG, ResourceNames } from './annotated.js';
import type {
  AliasAst,
  CanonAst,
  CanonOptionsAst,
  ComponentAst,
  CoreInstanceAst,
  CoreSort,
  ExternDescAst,
  InstanceAst,
  ItemAst,
  Sort,
  StringEncoding,
} from './ast.js';
import { flattenFunc, layoutOf, needsMemory } from './layout.js';
import { parseComponent, unsupported } from './parse.js';
import {
  describeCoreFunc,
  type Fail,
  namedType,
  Substitution,
  sameCoreFuncType,
  sameFuncType,
  sameValType,
  TypeScope,
  type Visible,
} from './resolve.js';
import {
  type AnyType,
  type ComponentType,
  type CoreFuncType,
  type CoreModuleType,
  type ExternType,
  type FuncType,
  type InstanceType,
  isValType,
  ResourceType,
  resourcesOf,
  type ValType,
} from './types.js';
import { rememberHandleToken, Visibility } from './visibility.js';

/** A core item at run time: an export of a core instance, or one of Keel's trampolines. */
export type CoreDef =
  | { readonly kind: 'export'; readonly instance: number; readonly name: string }
  | { readonly kind: 'trampoline'; readonly index: number };

export interface CanonOptions {
  readonly encoding: StringEncoding;
  readonly memory: CoreDef | undefined;
  readonly realloc: CoreDef | undefined;
  readonly postReturn: CoreDef | undefined;
}

/** A component-level function. */
export type FuncDef =
  /** A function of the host: a top-level import (`path[0]`) or a function inside it. */
  | {
      readonly kind: 'import';
      readonly import: number;
      readonly path: readonly string[];
      readonly type: FuncType;
    }
  /** A core function lifted by a component instance. */
  | {
      readonly kind: 'lifted';
      readonly core: CoreDef;
      readonly type: FuncType;
      readonly options: number;
      readonly instance: number;
    };

export type Trampoline =
  | { readonly kind: 'lower'; readonly func: FuncDef; readonly options: number; readonly instance: number }
  | {
      readonly kind: 'resource.new' | 'resource.drop' | 'resource.rep';
      readonly resource: ResourceType;
      readonly instance: number;
    };

export type CoreInstanceArg =
  | { readonly kind: 'instance'; readonly index: number }
  | { readonly kind: 'bag'; readonly exports: readonly (readonly [string, CoreDef])[] };

export interface CoreInstantiation {
  readonly module: number;
  readonly args: readonly (readonly [string, CoreInstanceArg])[];
}

export type ExportDef =
  | { readonly sort: 'func'; readonly func: FuncDef }
  | { readonly sort: 'instance'; readonly exports: ReadonlyMap<string, ExportDef> }
  | { readonly sort: 'type'; readonly type: ValType | ResourceType };

export interface PlanImport {
  /** As the component names it: `wasi:cli/stdout@0.2.3`, `greet`. */
  readonly name: string;
  readonly sort: 'instance' | 'func' | 'type';
  readonly type: ExternType;
  /** Does running the component need it linked (a function called or a resource type used)? */
  used: boolean;
}

export interface CoreModulePlan {
  readonly bytes: Uint8Array;
  readonly info: CoreModuleInfo;
  /** Name for errors and `keel inspect`: its position among the component's core modules. */
  readonly file: string;
}

export interface ComponentPlan {
  readonly modules: readonly CoreModulePlan[];
  readonly instantiations: readonly CoreInstantiation[];
  readonly trampolines: readonly Trampoline[];
  readonly options: readonly CanonOptions[];
  readonly imports: readonly PlanImport[];
  readonly exports: ReadonlyMap<string, ExportDef>;
  /** Destructors of resources defined by component instances. */
  readonly destructors: ReadonlyMap<ResourceType, CoreDef>;
  /** Component instances: the root (0) and each nested instantiation. */
  readonly componentInstances: number;
}

/**
 * Parse and plan a component. Throws `invalid-module`. `onModule` is called with each core module
 * as the planner first meets it (in the order of the plan's `modules`), before the rest of the
 * component is planned: the loader starts its work on the module there (validation, metering, a
 * compile on V8's threads) so that it overlaps the plan. What it throws ends the plan.
 */
export function planComponent(bytes: Uint8Array, onModule?: (module: CoreModulePlan) => void): ComponentPlan {
  return new Planner(onModule).plan(parseComponent(bytes));
}

type Value =
  | { sort: 'func'; func: FuncDef }
  | { sort: 'instance'; instance: InstanceValue }
  /**
   * `identity`: a resource's type-level identity where it is not the resource itself: an export
   * ascribed `(sub resource)` is a new resource type to whoever sees it from outside (Explainer.md),
   * while its handles stay the resource's at run time (one `ResourceType`, one table).
   */
  | { sort: 'type'; type: AnyType; identity?: object }
  | { sort: 'component'; component: ComponentValue | DeclaredComponent }
  | { sort: 'core-module'; module: number };

interface InstanceValue {
  readonly exports: ReadonlyMap<string, Value>;
  /** Its type exports' identities where not their types (visibility.ts): by export name. */
  readonly tokens?: ReadonlyMap<string, object> | undefined;
}

/**
 * A component a nested component imports, while that nested component is only validated (never
 * instantiated, `validateUninstantiated`): all that is known of it is its type.
 */
interface DeclaredComponent {
  readonly declared: ComponentType;
}

interface ComponentValue {
  readonly ast: ComponentAst;
  /** The frame the component was defined in (outer aliases reach through it). */
  readonly frame: Frame;
  /** How much of that frame's index spaces it may name: what was defined before it. */
  readonly visible: FrameVisible;
}

interface FrameVisible extends Visible {
  readonly components: number;
  readonly coreModules: number;
}

interface CoreFuncValue {
  readonly def: CoreDef;
  /** Unknown for core modules with GC types. */
  readonly type: CoreFuncType | undefined;
}

type CoreItem = { sort: CoreSort; def: CoreDef; type: CoreFuncType | undefined };

type CoreInstanceValue =
  | { kind: 'instance'; index: number; module: number }
  | { kind: 'bag'; exports: Map<string, CoreItem> };

const CORE_KINDS: Record<string, CoreSort> = {
  function: 'core-func',
  table: 'core-table',
  memory: 'core-memory',
  global: 'core-global',
  tag: 'core-tag',
};

/** The most checks of instantiation arguments one plan makes (components in use make hundreds). */
const MAX_FIT_STEPS = 100_000;

/**
 * The most exports of instances one plan expands, imported instances' and the root's exported
 * ones counted together, each once per path that reaches it: an instance type (or a bag of
 * exports) that exports the one below it twice, at each of 30 levels, is 2^30 paths in a few
 * hundred bytes, and the plan holds a tree of them (WASI's worlds: hundreds). At 100,000 a
 * 396-byte component just under it cost 1.1 s of the kernel's thread a load (review13).
 */
export const MAX_INSTANCE_EXPORTS = 10_000;

/**
 * The most component instances one plan makes, the root's included. A nested component is
 * planned once per instantiation, so a few hundred bytes that instantiate a child k times at
 * each of d levels ask for k^d (16^5: a million, seconds of the kernel's thread and hundreds of
 * megabytes; 16^6 more than the process holds). Compositions in use make tens.
 */
export const MAX_COMPONENT_INSTANCES = 1_000;

/**
 * The most core instances one plan makes, and the most imports and exports of their modules
 * counted once per instance (a module's first too): each is instantiated at every spawn, on the
 * kernel's thread and outside fuel, at about 2 us an import or export. Definitions bound neither: a
 * 300 KB component of 100,000 instances of an empty module held 90 MB of host heap a sandbox and
 * took 1.4 s to spawn; 21 KB of 2,000 instances of a module of 2,000 exports 200 MB and 10.6 s
 * (hostile/abi/core-instance-flood). The components Keel runs make 4-5 core instances of
 * 170-400 imports and exports together.
 */
export const MAX_CORE_INSTANCES = 1_000;
export const MAX_CORE_INSTANCE_ENTITIES = 100_000;

/**
 * The most trampolines one plan makes (`canon lower`, `resource.new`, `resource.drop`,
 * `resource.rep`, each counted once per instantiation of the component that holds it): every one
 * is made at every spawn, on the kernel's thread and outside fuel, whether a core instance
 * imports it or not, and only definitions bounded them (250,000): 50,000 lowerings of a function
 * the component lifts (1 MB) held 63 MB of host heap a sandbox and took 1.1-2.9 s to spawn,
 * 100,000 `resource.drop`s (200 KB) 17.6 MB and 0.3-0.5 s (load 20; redteam17,
 * hostile/abi/trampoline-flood). At the bound, 7 MB and about 0.2 s a spawn; the components
 * Keel runs make 25-115.
 */
export const MAX_TRAMPOLINES = 5_000;

/**
 * The most definitions one plan interprets, each counted once per instantiation of the
 * component that holds it: the bound on planning's work when instances are few but large.
 */
export const MAX_PLAN_STEPS = 250_000;

const REALLOC_TYPE = { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };

class Frame {
  readonly scope: TypeScope;
  readonly coreFuncs: CoreFuncValue[] = [];
  readonly coreTables: CoreDef[] = [];
  readonly coreMemories: CoreDef[] = [];
  readonly coreGlobals: CoreDef[] = [];
  readonly coreTags: CoreDef[] = [];
  readonly coreModules: number[] = [];
  readonly coreInstances: CoreInstanceValue[] = [];
  readonly funcs: FuncDef[] = [];
  readonly instances: InstanceValue[] = [];
  readonly components: (ComponentValue | DeclaredComponent)[] = [];
  readonly exports = new Map<string, Value>();
  /** Import and export names as `uniquenessKey` has them: each is strongly unique (Binary.md). */
  readonly importNames = new Map<string, string>();
  readonly exportNames = new Map<string, string>();
  /** The types this component has imported or exported by name (external visibility). */
  readonly visibility = new Visibility();
  /** The resources its imports, and its exports, have named: annotated names' scopes. */
  readonly importedResources = new ResourceNames();
  readonly exportedResources = new ResourceNames();
  /** Type indices whose resource has an identity of its own (an ascribed export, aliased). */
  readonly identities = new Map<number, object>();

  constructor(
    readonly parent: Frame | undefined,
    readonly instance: number,
    fail: Fail,
    /** Values for the imports of a nested component, by name; undefined at the root. */
    readonly args: ReadonlyMap<string, Value> | undefined,
    /** What of the parent's index spaces this component may name; undefined at the root. */
    readonly visible: FrameVisible | undefined,
  ) {
    this.scope = new TypeScope(parent?.scope, fail, { visible, generative: (t) => refersToResource(t) });
  }
}

class Planner {
  readonly modules: CoreModulePlan[] = [];
  readonly instantiations: CoreInstantiation[] = [];
  readonly trampolines: Trampoline[] = [];
  readonly options: CanonOptions[] = [];
  readonly imports: PlanImport[] = [];
  readonly destructors = new Map<ResourceType, CoreDef>();
  /** Imported resources by the top-level import that brings them. */
  readonly importedResources = new Map<ResourceType, number>();
  readonly moduleIds = new Map<Uint8Array, number>();
  /** `exportsOf`'s maps, by module index. */
  readonly moduleExports: Map<string, CoreExport>[] = [];
  /** `entitiesOf`'s answers, by module index. */
  readonly moduleEntities: CoreEntities[] = [];
  /** Each export's position by name (the first of a name), by module index: made for `entityOf`. */
  readonly moduleExportPositions: Map<string, number>[] = [];
  componentInstances = 0;
  section = 'component';
  depth = 0;
  /** `fits` steps so far: the plan's bound on checking instantiation arguments. */
  fitSteps = 0;
  /** Instance exports expanded so far (`MAX_INSTANCE_EXPORTS`). */
  instanceExports = 0;
  /** Definitions interpreted so far, across instantiations (`MAX_PLAN_STEPS`). */
  steps = 0;
  /**
   * Imports and exports of the core instances planned so far, every instance counted
   * (`MAX_CORE_INSTANCE_ENTITIES`).
   */
  coreEntities = 0;
  /** The modules found to fit a module type (`fitsModule`), by module type. */
  readonly moduleFits = new Map<CoreModuleType, Set<number>>();
  /** A module type's declared imports by two-level name (`fitsModule`), made once per type. */
  readonly declaredImports = new Map<CoreModuleType, Map<string, CoreModuleType['imports'][number]>>();
  /** Every component definition met, with the frame it was defined in, in order. */
  readonly defined: ComponentValue[] = [];
  /** The component definitions that ran: instantiated, or validated (`validateUninstantiated`). */
  readonly ran = new Set<ComponentAst>();

  /**
   * Set while `validateUninstantiated` runs: the modules it meets are dropped after, so they are
   * validated here and not handed to `onModule` (the loader would meter, compile and cache
   * modules the plan does not have: every warm load a miss, a meter's refusal refusing a valid
   * component; hostile/loader/uninstantiated-module-cache).
   */
  validating = false;

  constructor(readonly onModule: ((module: CoreModulePlan) => void) | undefined) {}

  fail: Fail = (message: string): never => {
    throw new KeelError('invalid-module', `invalid component (${this.section} section): ${message}`, {
      section: this.section,
    });
  };

  plan(ast: ComponentAst): ComponentPlan {
    const root = this.run(ast, undefined, undefined);
    this.validateUninstantiated();
    const exports = new Map<string, ExportDef>();
    for (const [name, value] of root.exports) {
      const def = this.exportDef(value);
      if (def) exports.set(name, def);
    }
    return {
      modules: this.modules,
      instantiations: this.instantiations,
      trampolines: this.trampolines,
      options: this.options,
      imports: this.imports,
      exports,
      destructors: this.destructors,
      componentInstances: this.componentInstances,
    };
  }

  exportDef(value: Value): ExportDef | undefined {
    switch (value.sort) {
      case 'func':
        this.use(value.func);
        return { sort: 'func', func: value.func };
      case 'instance': {
        const exports = new Map<string, ExportDef>();
        for (const [name, v] of value.instance.exports) {
          this.countInstanceExport('export');
          const def = this.exportDef(v);
          if (def) exports.set(name, def);
        }
        return { sort: 'instance', exports };
      }
      case 'type':
        return value.type instanceof ResourceType || isValType(value.type)
          ? { sort: 'type', type: value.type }
          : undefined;
      default:
        return undefined;
    }
  }

  /**
   * Validate the nested components that were never instantiated, as wasmparser validates every
   * definition: each one's definitions run once, in the scope it was defined in, its imports
   * standing for what their types declare (as the root's do), and all that they planned is
   * dropped after. A construct Keel does not run (`unsupported`, the plan's bounds included)
   * ends that component's check, as it never runs; anything invalid refuses the component.
   * Bounded: once per definition, and the plan's bounds on instances and steps count these runs.
   */
  validateUninstantiated(): void {
    const mark = {
      modules: this.modules.length,
      instantiations: this.instantiations.length,
      trampolines: this.trampolines.length,
      options: this.options.length,
      imports: this.imports.length,
      destructors: this.destructors.size,
      importedResources: this.importedResources.size,
      componentInstances: this.componentInstances,
      coreEntities: this.coreEntities,
      section: this.section,
    };
    this.validating = true;
    for (let i = 0; i < this.defined.length; i++) {
      const component = this.defined[i]!;
      if (this.ran.has(component.ast)) continue;
      this.ran.add(component.ast);
      const depth = this.depth;
      try {
        this.run(component.ast, component.frame, undefined, component.visible);
      } catch (error) {
        if (!(error instanceof KeelError && error.message.startsWith(UNSUPPORTED))) throw error;
      } finally {
        this.depth = depth;
      }
    }
    this.validating = false;
    this.modules.length = mark.modules;
    this.moduleExports.length = Math.min(this.moduleExports.length, mark.modules);
    for (const [bytes, index] of this.moduleIds) if (index >= mark.modules) this.moduleIds.delete(bytes);
    this.moduleFits.clear();
    this.instantiations.length = mark.instantiations;
    this.trampolines.length = mark.trampolines;
    this.options.length = mark.options;
    this.imports.length = mark.imports;
    dropAfter(this.destructors, mark.destructors);
    dropAfter(this.importedResources, mark.importedResources);
    this.componentInstances = mark.componentInstances;
    this.coreEntities = mark.coreEntities;
    this.section = mark.section;
  }

  /** Interpret one component's definitions: the root, or a nested component being instantiated. */
  run(
    ast: ComponentAst,
    parent: Frame | undefined,
    args: ReadonlyMap<string, Value> | undefined,
    visible?: FrameVisible,
  ): Frame {
    if (++this.depth > 64) unsupported('instance', 'component instantiations nested more than 64 deep');
    if (this.componentInstances >= MAX_COMPONENT_INSTANCES) {
      unsupported('instance', `more than ${MAX_COMPONENT_INSTANCES} component instances`);
    }
    const frame = new Frame(parent, this.componentInstances++, this.fail, args, visible);
    for (const item of ast.items) {
      if (++this.steps > MAX_PLAN_STEPS) {
        unsupported('instance', `more than ${MAX_PLAN_STEPS} definitions to plan across instantiations`);
      }
      this.item(frame, item);
    }
    // An argument no import names is ignored, as the component model says.
    this.depth--;
    return frame;
  }

  item(frame: Frame, item: ItemAst): void {
    switch (item.kind) {
      case 'core-module':
        this.section = 'core module';
        frame.coreModules.push(this.module(item.bytes, item.info));
        return;
      case 'core-instance':
        this.section = 'core instance';
        frame.coreInstances.push(this.coreInstance(frame, item.instance));
        return;
      case 'core-type':
        this.section = 'core type';
        frame.scope.coreTypes.push(frame.scope.defineCore(item.type));
        return;
      case 'component': {
        this.section = 'component';
        const visible = {
          types: frame.scope.types.length,
          coreTypes: frame.scope.coreTypes.length,
          components: frame.components.length,
          coreModules: frame.coreModules.length,
        };
        const component = { ast: item.component, frame, visible };
        frame.components.push(component);
        this.defined.push(component);
        return;
      }
      case 'instance':
        this.section = 'instance';
        frame.instances.push(this.instance(frame, item.instance));
        return;
      case 'alias':
        this.section = 'alias';
        this.alias(frame, item.alias);
        return;
      case 'type':
        this.section = 'type';
        if (item.type.kind === 'resource') {
          const dtor = item.type.dtor === undefined ? undefined : this.coreFunc(frame, item.type.dtor);
          if (dtor?.type && !sameCoreFuncType(dtor.type, { params: ['i32'], results: [] })) {
            this.fail(`a resource destructor has type ${describeCoreFunc(dtor.type)}, not (i32) -> ()`);
          }
          const resource = new ResourceType(`resource${frame.scope.types.length}`, {
            kind: 'defined',
            instance: frame.instance,
            dtor: undefined,
          });
          if (dtor) this.destructors.set(resource, dtor.def);
          frame.scope.types.push(resource);
        } else {
          const t = frame.scope.define(item.type);
          if (item.type.kind === 'own' || item.type.kind === 'borrow') {
            rememberHandleToken(t, frame.visibility.tokenOf(item.type.index));
          }
          frame.scope.types.push(t);
        }
        return;
      case 'canon':
        this.section = 'canon';
        this.canon(frame, item.canon);
        return;
      case 'import':
        this.section = 'import';
        this.import(frame, item.name, item.desc);
        return;
      case 'export':
        this.section = 'export';
        this.export(frame, item.name, { sort: item.sort, index: item.index }, item.desc);
        return;
    }
  }

  module(bytes: Uint8Array, info: CoreModuleInfo): number {
    const known = this.moduleIds.get(bytes);
    if (known !== undefined) return known;
    const index = this.modules.length;
    const module: CoreModulePlan = { bytes, info, file: `core${index}.wasm` };
    this.modules.push(module);
    this.moduleIds.set(bytes, index);
    if (!this.validating) this.onModule?.(module);
    else if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>))
      this.fail(`core module ${index} is not valid`);
    return index;
  }

  coreFunc(frame: Frame, index: number): CoreFuncValue {
    const f = frame.coreFuncs[index];
    if (!f) this.fail(`core function index ${index} is out of bounds (${frame.coreFuncs.length})`);
    return f;
  }

  coreInstanceValue(frame: Frame, index: number): CoreInstanceValue {
    const i = frame.coreInstances[index];
    if (!i) this.fail(`core instance index ${index} is out of bounds (${frame.coreInstances.length})`);
    return i;
  }

  /** The core item `sort index` of a frame. */
  coreItem(frame: Frame, sort: CoreSort, index: number): CoreItem {
    if (sort === 'core-func') {
      const f = this.coreFunc(frame, index);
      return { sort, def: f.def, type: f.type };
    }
    const space =
      sort === 'core-table'
        ? frame.coreTables
        : sort === 'core-memory'
          ? frame.coreMemories
          : sort === 'core-global'
            ? frame.coreGlobals
            : sort === 'core-tag'
              ? frame.coreTags
              : this.fail(`a core instance cannot export a ${sort}`);
    const def = space[index];
    if (!def) this.fail(`${sort} index ${index} is out of bounds (${space.length})`);
    return { sort, def, type: undefined };
  }

  /** What a core instance exports under `name`. */
  coreExport(instance: CoreInstanceValue, name: string): CoreItem | undefined {
    if (instance.kind === 'bag') return instance.exports.get(name);
    const e = this.exportsOf(instance.module).get(name);
    if (!e) return undefined;
    return {
      sort: CORE_KINDS[e.kind]!,
      def: { kind: 'export', instance: instance.index, name },
      type: e.signature
        ? ({ kind: 'core-func', params: e.signature.params, results: e.signature.results } as CoreFuncType)
        : undefined,
    };
  }

  /**
   * A core module's exports by name, made once per module: imports and aliases look them up
   * one by one (a search of the list each time was quadratic). The first of a name, as before;
   * a module that exports a name twice is invalid and refused when it is validated.
   */
  exportsOf(module: number): ReadonlyMap<string, CoreExport> {
    let map = this.moduleExports[module];
    if (!map) {
      map = new Map();
      for (const e of this.modules[module]!.info.exports) if (!map.has(e.name)) map.set(e.name, e);
      this.moduleExports[module] = map;
    }
    return map;
  }

  /** A module's table, memory and global types (`core-entities.ts`), read once per module. */
  entitiesOf(module: number): CoreEntities {
    let entities = this.moduleEntities[module];
    if (!entities) {
      entities = readCoreEntities(this.modules[module]!.bytes);
      this.moduleEntities[module] = entities;
    }
    return entities;
  }

  /** The type of a core instance's exported table, memory or global, when it was read. */
  entityOf(def: CoreDef) {
    if (def.kind !== 'export') return undefined;
    const instantiation = this.instantiations[def.instance];
    if (!instantiation) return undefined;
    const module = instantiation.module;
    let positions = this.moduleExportPositions[module];
    if (!positions) {
      positions = new Map();
      const exports = this.modules[module]!.info.exports;
      for (let i = 0; i < exports.length; i++)
        if (!positions.has(exports[i]!.name)) positions.set(exports[i]!.name, i);
      this.moduleExportPositions[module] = positions;
    }
    const position = positions.get(def.name);
    return position === undefined ? undefined : this.entitiesOf(module).exports[position];
  }

  coreInstance(frame: Frame, ast: CoreInstanceAst): CoreInstanceValue {
    if (ast.kind === 'exports') {
      // Each export is planned at every instantiation of the component that holds it: counted as
      // a definition each (review16 M3: 20,000 exports in a child instantiated 990 times took 20 s).
      this.steps += ast.exports.length;
      if (this.steps > MAX_PLAN_STEPS) {
        unsupported('instance', `more than ${MAX_PLAN_STEPS} definitions to plan across instantiations`);
      }
      const exports = new Map<string, CoreItem>();
      for (const e of ast.exports) {
        if (exports.has(e.name)) this.fail(`core instance exports ${JSON.stringify(e.name)} twice`);
        exports.set(e.name, this.coreItem(frame, e.sort, e.index));
      }
      return { kind: 'bag', exports };
    }
    const moduleIndex = frame.coreModules[ast.module];
    if (moduleIndex === undefined) {
      this.fail(`core module index ${ast.module} is out of bounds (${frame.coreModules.length})`);
    }
    const module = this.modules[moduleIndex]!;
    if (this.instantiations.length >= MAX_CORE_INSTANCES) {
      unsupported('core instance', `more than ${MAX_CORE_INSTANCES} core instances`);
    }
    // Every instance counts, a module's first too: many modules instantiated once each made as
    // many export objects at every spawn as one module instantiated many times (review16 H1: 100
    // modules of 20,000 exports, 79 MB and 1.5-2.2 s a spawn).
    this.coreEntities += module.info.imports.length + module.info.exports.length;
    if (this.coreEntities > MAX_CORE_INSTANCE_ENTITIES) {
      unsupported(
        'core instance',
        `more than ${MAX_CORE_INSTANCE_ENTITIES} imports and exports of core instances, counted once per instance`,
      );
    }
    const args = new Map<string, CoreInstanceValue>();
    for (const arg of ast.args) {
      if (args.has(arg.name))
        this.fail(`core instantiation argument ${JSON.stringify(arg.name)} given twice`);
      args.set(arg.name, this.coreInstanceValue(frame, arg.instance));
    }
    // Every import of the module must be satisfied, by the right sort and signature, and a
    // table, memory or global by one of a type its import matches (core linking's rule).
    const imports = module.info.imports;
    for (let i = 0; i < imports.length; i++) {
      const imp = imports[i]!;
      const from = args.get(imp.module);
      // Only a failure names the import (its text was most of this loop's time).
      const what = () => `${module.file} import ${JSON.stringify(`${imp.module}.${imp.name}`)}`;
      if (!from) this.fail(`${what()} has no instantiation argument`);
      const item = this.coreExport(from, imp.name);
      if (!item) this.fail(`${what()} is not exported by its argument`);
      if (item.sort !== CORE_KINDS[imp.kind]) this.fail(`${what()} is a ${imp.kind}, given a ${item.sort}`);
      if (imp.signature && item.type && !sameCoreFuncType(item.type, imp.signature)) {
        this.fail(
          `${what()} has type ${describeCoreFunc(imp.signature)}, given ${describeCoreFunc(item.type)}`,
        );
      }
      if (imp.kind === 'table' || imp.kind === 'memory' || imp.kind === 'global') {
        const wanted = this.entitiesOf(moduleIndex).imports[i];
        const given = wanted && this.entityOf(item.def);
        const why = given && entityMismatch(wanted, given);
        if (why) this.fail(`${what()} ${why}`);
      }
    }
    const index = this.instantiations.length;
    this.instantiations.push({
      module: moduleIndex,
      args: [...args].map(([name, value]) => [name, this.instanceArg(value)] as const),
    });
    return { kind: 'instance', index, module: moduleIndex };
  }

  instanceArg(value: CoreInstanceValue): CoreInstanceArg {
    if (value.kind === 'instance') return { kind: 'instance', index: value.index };
    return { kind: 'bag', exports: [...value.exports].map(([name, item]) => [name, item.def] as const) };
  }

  value(frame: Frame, sort: Sort, index: number): Value {
    const out = <T>(space: readonly T[], what: string): T => {
      const v = space[index];
      if (v === undefined) this.fail(`${what} index ${index} is out of bounds (${space.length})`);
      return v;
    };
    switch (sort) {
      case 'func':
        return { sort: 'func', func: out(frame.funcs, 'function') };
      case 'instance':
        return { sort: 'instance', instance: out(frame.instances, 'instance') };
      case 'type': {
        const type = frame.scope.type(index);
        const identity = frame.identities.get(index);
        return identity === undefined ? { sort: 'type', type } : { sort: 'type', type, identity };
      }
      case 'component':
        return { sort: 'component', component: out(frame.components, 'component') };
      case 'core-module':
        return { sort: 'core-module', module: out(frame.coreModules, 'core module') };
      default:
        return unsupported(this.section, `passing a ${sort} between components`);
    }
  }

  /** Add a value to the frame's index space of its sort. */
  push(frame: Frame, value: Value): void {
    switch (value.sort) {
      case 'func':
        frame.funcs.push(value.func);
        return;
      case 'instance':
        frame.instances.push(value.instance);
        return;
      case 'type':
        frame.scope.types.push(value.type);
        if (value.identity !== undefined) frame.identities.set(frame.scope.types.length - 1, value.identity);
        return;
      case 'component':
        frame.components.push(value.component);
        return;
      case 'core-module':
        frame.coreModules.push(value.module);
        return;
    }
  }

  instance(frame: Frame, ast: InstanceAst): InstanceValue {
    if (ast.kind === 'exports') {
      const exports = new Map<string, Value>();
      const tokens = new Map<string, object>();
      const names = new Map<string, string>();
      for (const e of ast.exports) {
        const key = uniquenessKey(e.name);
        const earlier = names.get(key);
        if (earlier !== undefined) this.fail(`instance export ${notUnique(e.name, earlier)}`);
        names.set(key, e.name);
        const value = this.value(frame, e.sort, e.index);
        this.annotated('instance export', e.name, BAG, value.sort === 'func' ? value.func.type : undefined);
        // A type in a bag keeps the identity of the index it names (wasmparser's inline exports).
        if (value.sort === 'type') tokens.set(e.name, frame.visibility.tokenOf(e.index) ?? value.type);
        exports.set(e.name, this.named(value, e.name));
      }
      return { exports, tokens };
    }
    const component = frame.components[ast.component];
    if (!component)
      this.fail(`component index ${ast.component} is out of bounds (${frame.components.length})`);
    const args = new Map<string, Value>();
    for (const arg of ast.args) {
      if (args.has(arg.name)) this.fail(`instantiation argument ${JSON.stringify(arg.name)} given twice`);
      args.set(arg.name, this.value(frame, arg.sort, arg.index));
    }
    if ('declared' in component) return this.declaredInstance(component.declared, args);
    const section = this.section;
    this.ran.add(component.ast);
    const nested = this.run(component.ast, component.frame, args, component.visible);
    this.section = section;
    return { exports: nested.exports, tokens: nested.visibility.exportTokens };
  }

  /**
   * An instance of a component known only by its type (validation of a nested component that
   * imports it): the arguments are checked against the type's imports as for any component, and
   * the instance is the type's exports with fresh resources for the ones it defines (each
   * instantiation makes its own: resources.wast 461). Only ever met while validating: the plan
   * it adds to is dropped after.
   */
  declaredInstance(type: ComponentType, args: ReadonlyMap<string, Value>): InstanceValue {
    for (const [name, declared] of type.imports) {
      const arg = args.get(name);
      if (!arg) this.fail(`component import ${JSON.stringify(name)} has no instantiation argument`);
      this.checkArg(name, declared, arg);
    }
    const exports: InstanceType = Object.freeze({ kind: 'instance', exports: type.exports });
    const index = this.imports.length;
    this.imports.push({
      name: 'validation',
      sort: 'instance',
      type: { sort: 'instance', type: exports },
      used: false,
    });
    return this.importInstance(exports, index, ['validation']).value;
  }

  /** A value under the name it is exported as (types are named by their export). */
  named(value: Value, name: string): Value {
    if (value.sort !== 'type') return value;
    const t = value.type;
    if (t instanceof ResourceType) {
      if (t.origin.kind === 'defined' && /^resource\d+$/.test(t.name)) {
        (t as { name: string }).name = name;
      }
      return value;
    }
    return isValType(t) ? { sort: 'type', type: namedType(t, name) } : value;
  }

  alias(frame: Frame, alias: AliasAst): void {
    const { sort, target } = alias;
    switch (target.kind) {
      case 'export': {
        const instance = frame.instances[target.instance];
        if (!instance)
          this.fail(`instance index ${target.instance} is out of bounds (${frame.instances.length})`);
        const value = instance.exports.get(target.name);
        if (!value) this.fail(`instance ${target.instance} has no export ${JSON.stringify(target.name)}`);
        if (value.sort !== sort)
          this.fail(`export ${JSON.stringify(target.name)} is a ${value.sort}, not a ${sort}`);
        this.push(frame, value);
        if (sort === 'type') {
          frame.visibility.setToken(frame.scope.types.length - 1, instance.tokens?.get(target.name));
        }
        return;
      }
      case 'core-export': {
        const instance = this.coreInstanceValue(frame, target.instance);
        const item = this.coreExport(instance, target.name);
        if (!item) this.fail(`core instance ${target.instance} has no export ${JSON.stringify(target.name)}`);
        if (item.sort !== sort)
          this.fail(`core export ${JSON.stringify(target.name)} is a ${item.sort}, not a ${sort}`);
        switch (sort) {
          case 'core-func':
            frame.coreFuncs.push({ def: item.def, type: item.type });
            return;
          case 'core-table':
            frame.coreTables.push(item.def);
            return;
          case 'core-memory':
            frame.coreMemories.push(item.def);
            return;
          case 'core-global':
            frame.coreGlobals.push(item.def);
            return;
          case 'core-tag':
            frame.coreTags.push(item.def);
            return;
          default:
            this.fail(`a core alias of sort ${sort}`);
        }
        return;
      }
      case 'outer': {
        let from: Frame | undefined = frame;
        // What the component below the target may name of it: what was defined before it.
        let visible: FrameVisible | undefined;
        for (let i = 0; i < target.count; i++) {
          visible = from?.visible;
          from = from?.parent;
        }
        if (!from) this.fail(`an outer alias reaches ${target.count} components out, past the outermost`);
        const before = (space: keyof FrameVisible) => {
          const limit = visible?.[space];
          if (limit !== undefined && target.index >= limit) {
            this.fail(
              `${sort} index ${target.index} is out of bounds (${limit} defined before this component)`,
            );
          }
        };
        switch (sort) {
          case 'type':
            // Resources are generative: one may not cross a component boundary by name (outerType).
            frame.scope.types.push(frame.scope.outerType(target.count, target.index));
            return;
          case 'core-type':
            frame.scope.coreTypes.push(frame.scope.outerCoreType(target.count, target.index));
            return;
          case 'component': {
            before('components');
            const c = from.components[target.index];
            if (!c) this.fail(`component index ${target.index} is out of bounds`);
            frame.components.push(c);
            return;
          }
          case 'core-module': {
            before('coreModules');
            const m = from.coreModules[target.index];
            if (m === undefined) this.fail(`core module index ${target.index} is out of bounds`);
            frame.coreModules.push(m);
            return;
          }
          default:
            this.fail(`an outer alias of sort ${sort}`);
        }
      }
    }
  }

  canonOptions(frame: Frame, ast: CanonOptionsAst): CanonOptions {
    const memory = ast.memory === undefined ? undefined : frame.coreMemories[ast.memory];
    if (ast.memory !== undefined && !memory) this.fail(`memory index ${ast.memory} is out of bounds`);
    let realloc: CoreDef | undefined;
    if (ast.realloc !== undefined) {
      const f = this.coreFunc(frame, ast.realloc);
      if (f.type && !sameCoreFuncType(f.type, REALLOC_TYPE)) {
        this.fail(`realloc has type ${describeCoreFunc(f.type)}, not ${describeCoreFunc(REALLOC_TYPE)}`);
      }
      realloc = f.def;
    }
    return {
      encoding: ast.encoding ?? 'utf8',
      memory,
      realloc,
      postReturn: undefined,
    };
  }

  /** Memory and realloc that lifting (`lift`) or lowering (`lower`) `ft` needs. */
  checkOptions(ft: FuncType, context: 'lift' | 'lower', options: CanonOptions): void {
    const flat = flattenFunc(ft, context);
    const paramsNeed = ft.params.some((p) => needsMemory(p.type));
    const resultsNeed = ft.results.some((r) => needsMemory(r.type));
    const memory = paramsNeed || resultsNeed || flat.paramsInMemory || flat.resultsInMemory;
    const realloc = context === 'lift' ? paramsNeed || flat.paramsInMemory : resultsNeed;
    if (memory && !options.memory) this.fail(`canon ${context} needs a memory option for its type`);
    if (realloc && !options.realloc) this.fail(`canon ${context} needs a realloc option for its type`);
  }

  canon(frame: Frame, canon: CanonAst): void {
    switch (canon.kind) {
      case 'lift': {
        const core = this.coreFunc(frame, canon.coreFunc);
        const ft = frame.scope.funcType(canon.type);
        const flat = flattenFunc(ft, 'lift');
        if (core.type && !sameCoreFuncType(core.type, flat)) {
          this.fail(
            `canon lift of a core function of type ${describeCoreFunc(core.type)} as a function whose flat type is ${describeCoreFunc(flat)}`,
          );
        }
        let options = this.canonOptions(frame, canon.options);
        if (canon.options.postReturn !== undefined) {
          const post = this.coreFunc(frame, canon.options.postReturn);
          const want = { params: flat.results, results: [] };
          if (post.type && !sameCoreFuncType(post.type, want)) {
            this.fail(`post-return has type ${describeCoreFunc(post.type)}, not ${describeCoreFunc(want)}`);
          }
          options = { ...options, postReturn: post.def };
        }
        this.checkOptions(ft, 'lift', options);
        this.options.push(options);
        frame.funcs.push({
          kind: 'lifted',
          core: core.def,
          type: ft,
          options: this.options.length - 1,
          instance: frame.instance,
        });
        return;
      }
      case 'lower': {
        const func = frame.funcs[canon.func];
        if (!func) this.fail(`function index ${canon.func} is out of bounds (${frame.funcs.length})`);
        if (canon.options.postReturn !== undefined) this.fail('post-return on canon lower');
        const options = this.canonOptions(frame, canon.options);
        this.checkOptions(func.type, 'lower', options);
        this.use(func);
        this.options.push(options);
        const flat = flattenFunc(func.type, 'lower');
        frame.coreFuncs.push({
          def: this.trampoline({
            kind: 'lower',
            func,
            options: this.options.length - 1,
            instance: frame.instance,
          }),
          type: { kind: 'core-func', params: flat.params, results: flat.results },
        });
        return;
      }
      default: {
        const resource = frame.scope.resource(canon.type);
        if (canon.kind !== 'resource.drop') {
          if (resource.origin.kind !== 'defined' || resource.origin.instance !== frame.instance) {
            this.fail(`${canon.kind} of a resource this component does not define`);
          }
        }
        this.useResource(resource);
        const type =
          canon.kind === 'resource.drop'
            ? { kind: 'core-func' as const, params: ['i32' as const], results: [] }
            : { kind: 'core-func' as const, params: ['i32' as const], results: ['i32' as const] };
        frame.coreFuncs.push({
          def: this.trampoline({ kind: canon.kind, resource, instance: frame.instance }),
          type,
        });
      }
    }
  }

  trampoline(t: Trampoline): CoreDef {
    if (this.trampolines.length >= MAX_TRAMPOLINES) {
      unsupported('canon', `more than ${MAX_TRAMPOLINES} lowered functions and resource built-ins`);
    }
    this.trampolines.push(t);
    return { kind: 'trampoline', index: this.trampolines.length - 1 };
  }

  /** Mark what a function needs linked: its import, and imported resources in its type. */
  use(func: FuncDef): void {
    if (func.kind === 'import') this.imports[func.import]!.used = true;
    const resources = new Set<ResourceType>();
    for (const p of func.type.params) resourcesOf(p.type, resources);
    for (const r of func.type.results) resourcesOf(r.type, resources);
    for (const r of resources) this.useResource(r);
  }

  useResource(resource: ResourceType): void {
    const from = this.importedResources.get(resource);
    if (from !== undefined) this.imports[from]!.used = true;
  }

  import(frame: Frame, name: string, desc: ExternDescAst): void {
    const key = uniquenessKey(name);
    const earlier = frame.importNames.get(key);
    if (earlier !== undefined) this.fail(`import ${notUnique(name, earlier)}`);
    frame.importNames.set(key, name);
    const declared = frame.scope.externType(desc, name);
    this.annotated(
      'import',
      name,
      frame.importedResources,
      declared.sort === 'func' ? declared.type : undefined,
    );
    if (frame.args) {
      // A nested component: the import is what its instantiation was given.
      const arg = frame.args.get(name);
      if (!arg) this.fail(`nested component import ${JSON.stringify(name)} has no instantiation argument`);
      this.checkArg(name, declared, arg);
      if (desc.sort === 'type' && desc.bound.kind === 'eq' && arg.sort === 'type') {
        // An ascribed export is not the resource it exports, to a type check (resources.wast 577).
        const expected = frame.identities.get(desc.bound.index) ?? frame.scope.type(desc.bound.index);
        if (declared.type instanceof ResourceType && (arg.identity ?? arg.type) !== expected)
          this.fail(
            `instantiation argument ${JSON.stringify(name)} is not the resource the import names (resource types are not the same)`,
          );
      }
      // Bound as given: a type is named by where it is exported, not by the import it fills.
      this.push(frame, arg);
      if (arg.sort === 'type' && arg.type instanceof ResourceType)
        frame.importedResources.add(arg.type, name);
      this.visibleImport(frame, name, arg, declared.sort === 'func' ? declared.type : undefined);
      return;
    }
    if (declared.sort === 'component' && this.validating && frame.parent !== undefined) {
      // A nested component only validated: an imported component stands for its type.
      frame.components.push({ declared: declared.type });
      return;
    }
    if (declared.sort === 'component' || declared.sort === 'core-module') {
      unsupported(
        'import',
        `imports of ${declared.sort === 'component' ? 'components' : 'core modules'} (${JSON.stringify(name)})`,
      );
    }
    const index = this.imports.length;
    const entry: PlanImport = { name, sort: declared.sort, type: declared, used: false };
    this.imports.push(entry);
    switch (declared.sort) {
      case 'func': {
        const func: FuncDef = { kind: 'import', import: index, path: [name], type: declared.type };
        frame.funcs.push(func);
        this.visibleImport(frame, name, { sort: 'func', func }, undefined);
        return;
      }
      case 'type': {
        let t = declared.type;
        if (t instanceof ResourceType && t.origin.kind === 'abstract') {
          t = new ResourceType(name, { kind: 'imported', path: [name] });
          this.importedResources.set(t, index);
          (entry as { type: ExternType }).type = { sort: 'type', type: t };
        }
        frame.scope.types.push(t);
        if (t instanceof ResourceType) frame.importedResources.add(t, name);
        this.visibleImport(frame, name, { sort: 'type', type: t }, undefined);
        return;
      }
      case 'instance': {
        const instance = this.importInstance(declared.type, index, [name]);
        (entry as { type: ExternType }).type = { sort: 'instance', type: instance.type };
        frame.instances.push(instance.value);
        this.visibleImport(frame, name, { sort: 'instance', instance: instance.value }, undefined);
        return;
      }
    }
  }

  /** One more instance export expanded into the plan: refused past `MAX_INSTANCE_EXPORTS`. */
  countInstanceExport(section: string): void {
    if (++this.instanceExports > MAX_INSTANCE_EXPORTS) {
      unsupported(section, `more than ${MAX_INSTANCE_EXPORTS} exports of instances, counted once per path`);
    }
  }

  /** An imported instance: fresh imported resources for its abstract ones, functions by path. */
  importInstance(
    type: InstanceType,
    index: number,
    path: string[],
  ): { value: InstanceValue; type: InstanceType } {
    const fresh = new Map<ResourceType, ResourceType>();
    for (const [name, e] of type.exports) {
      // A resource is named by the export that defines it, the first: later exports of the same
      // resource are its aliases (wasi:http/types' headers and trailers are fields).
      if (
        e.sort === 'type' &&
        e.type instanceof ResourceType &&
        e.type.origin.kind === 'abstract' &&
        !fresh.has(e.type)
      ) {
        const r = new ResourceType(name, { kind: 'imported', path: [...path, name] });
        fresh.set(e.type, r);
        this.importedResources.set(r, index);
      }
    }
    const bound = new Substitution(fresh).instance(type);
    const exports = new Map<string, Value>();
    for (const [name, e] of bound.exports) {
      this.countInstanceExport('import');
      switch (e.sort) {
        case 'func':
          exports.set(name, {
            sort: 'func',
            func: { kind: 'import', import: index, path: [...path, name], type: e.type },
          });
          break;
        case 'type':
          exports.set(name, { sort: 'type', type: e.type });
          break;
        case 'instance':
          exports.set(name, {
            sort: 'instance',
            instance: this.importInstance(e.type, index, [...path, name]).value,
          });
          break;
        default:
          unsupported('import', `imported instances exporting a ${e.sort}`);
      }
    }
    return { value: { exports }, type: bound };
  }

  /**
   * Does an instantiation argument fit the nested component's import declaration? As wasmparser
   * checks it: the sort; a function's type with its parameters' names; a type equal to the one an
   * `eq` bound names (a resource the same one); an instance export by export, each fitting its
   * declaration, the declaration's abstract resources standing for the argument's.
   */
  checkArg(name: string, declared: ExternType, arg: Value): void {
    this.fits(`instantiation argument ${JSON.stringify(name)}`, declared, arg, 0);
  }

  fits(what: string, declared: ExternType, arg: Value, depth: number): void {
    // Instances that share one instance under many exports at every level make the walk
    // width^levels (hostile/abi/instance-argument-exponential): a plan checks so many at most.
    if (++this.fitSteps > MAX_FIT_STEPS)
      unsupported('instance', `instantiation arguments that need more than ${MAX_FIT_STEPS} checks`);
    const sort = declared.sort === 'core-module' ? 'core-module' : declared.sort;
    if (arg.sort !== sort) this.fail(`${what} is a ${arg.sort}, the import is a ${sort}`);
    if (declared.sort === 'func' && arg.sort === 'func') {
      const given = arg.func.type;
      if (!sameFuncType(declared.type, given)) {
        // Abstract resources of the declaration stand for the argument's: compare without them.
        if (!hasAbstract(declared.type)) this.fail(`${what} has a different function type than the import`);
      } else if (!declared.type.params.every((p, i) => p.name === given.params[i]!.name)) {
        this.fail(`${what} names its parameters differently than the import`);
      }
    }
    if (declared.sort === 'core-module' && arg.sort === 'core-module') {
      this.fitsModule(what, declared.type, arg.module);
    }
    if (declared.sort === 'type' && arg.sort === 'type') {
      const d = declared.type;
      const given = arg.type;
      if (d instanceof ResourceType) {
        if (d.origin.kind === 'abstract') {
          if (!(given instanceof ResourceType)) this.fail(`${what} is not a resource type`);
        } else if (given !== d) this.fail(`${what} is not the resource the import names`);
      } else if (given instanceof ResourceType || !isValType(given) || !sameValType(d, given)) {
        this.fail(`${what} is not of the type the import names`);
      }
    }
    if (declared.sort === 'instance' && arg.sort === 'instance') {
      if (depth >= 16) unsupported('instance', 'instance types nested more than 16 deep');
      const exports = arg.instance.exports;
      const bind = new Map<ResourceType, ResourceType>();
      for (const [name, e] of declared.type.exports) {
        const given = exports.get(name);
        if (
          e.sort === 'type' &&
          e.type instanceof ResourceType &&
          e.type.origin.kind === 'abstract' &&
          given?.sort === 'type' &&
          given.type instanceof ResourceType
        ) {
          bind.set(e.type, given.type);
        }
      }
      const bound = bind.size > 0 ? new Substitution(bind).instance(declared.type) : declared.type;
      for (const [name, e] of bound.exports) {
        const given = exports.get(name);
        if (!given) this.fail(`${what} has no export ${JSON.stringify(name)}`);
        this.fits(`${what}'s export ${JSON.stringify(name)}`, e, given, depth + 1);
      }
    }
  }

  /**
   * Does a core module fit the module type a nested component imports it as? As wasmparser
   * checks it: every import of the module is declared, of the same kind (a function of the same
   * type), and every declared export is the module's, of the same kind and type. (Globals,
   * tables and memories are compared by kind: V8 checks their types when it instantiates.)
   * Answered once per module type and module, each answer's work counted in `fitSteps`.
   */
  fitsModule(what: string, declared: CoreModuleType, module: number): void {
    let fitted = this.moduleFits.get(declared);
    if (fitted?.has(module)) return;
    const info = this.modules[module]!.info;
    this.fitSteps += info.imports.length + declared.exports.length;
    if (this.fitSteps > MAX_FIT_STEPS)
      unsupported('instance', `instantiation arguments that need more than ${MAX_FIT_STEPS} checks`);
    // The declared imports' map is made once per type and its size counted then: made per
    // module, K modules of one type with N declared imports cost K x N uncounted (a 362 KB
    // component held the thread 21 s; hostile/abi/module-type-fit-cost).
    let imports = this.declaredImports.get(declared);
    if (!imports) {
      this.fitSteps += declared.imports.length;
      if (this.fitSteps > MAX_FIT_STEPS)
        unsupported('instance', `instantiation arguments that need more than ${MAX_FIT_STEPS} checks`);
      imports = new Map();
      for (const d of declared.imports) imports.set(`${d.module}\u0000${d.name}`, d);
      this.declaredImports.set(declared, imports);
    }
    for (const imp of info.imports) {
      const d = imports.get(`${imp.module}\u0000${imp.name}`);
      const name = () => JSON.stringify(`${imp.module}.${imp.name}`);
      if (!d) this.fail(`${what} imports ${name()}, which its module type does not declare`);
      if (!sameCoreEntity(d, imp)) this.fail(`${what}'s import ${name()} is not of its declared type`);
    }
    const exports = this.exportsOf(module);
    for (const d of declared.exports) {
      const e = exports.get(d.name);
      if (!e) this.fail(`${what} does not export ${JSON.stringify(d.name)}, which its module type declares`);
      if (!sameCoreEntity(d, e))
        this.fail(`${what}'s export ${JSON.stringify(d.name)} is not of its declared type`);
    }
    if (!fitted) {
      fitted = new Set();
      this.moduleFits.set(declared, fitted);
    }
    fitted.add(module);
  }

  export(
    frame: Frame,
    name: string,
    target: { sort: Sort; index: number },
    desc: ExternDescAst | undefined,
  ): void {
    const key = uniquenessKey(name);
    const earlier = frame.exportNames.get(key);
    if (earlier !== undefined) this.fail(`export ${notUnique(name, earlier)}`);
    frame.exportNames.set(key, name);
    let value = this.named(this.value(frame, target.sort, target.index), name);
    if (desc) {
      const ascribed = frame.scope.externType(desc, name);
      if (ascribed.sort !== value.sort)
        this.fail(`export ${JSON.stringify(name)} is ascribed a ${ascribed.sort}`);
      if (
        ascribed.sort === 'func' &&
        value.sort === 'func' &&
        !sameFuncType(ascribed.type, value.func.type)
      ) {
        if (!hasAbstract(ascribed.type))
          this.fail(`export ${JSON.stringify(name)} does not have its ascribed type`);
      }
      if (ascribed.sort === 'func' && value.sort === 'func' && value.func.kind === 'lifted') {
        // The ascription names the types the world shows (records, enums under their names).
        value = { sort: 'func', func: { ...value.func, type: ascribed.type } };
      } else if (ascribed.sort === 'func' && value.sort === 'func') {
        value = { sort: 'func', func: { ...value.func, type: ascribed.type } };
      } else if (
        ascribed.sort === 'type' &&
        value.sort === 'type' &&
        value.type instanceof ResourceType &&
        desc.sort === 'type' &&
        desc.bound.kind === 'sub-resource'
      ) {
        // A new resource type to outside observers (a type-level identity); the same at run time.
        value = { sort: 'type', type: value.type, identity: {} };
      }
    }
    this.annotated(
      'export',
      name,
      frame.exportedResources,
      value.sort === 'func' ? value.func.type : undefined,
    );
    frame.exports.set(name, value);
    this.push(frame, value);
    const index = value.sort === 'type' ? frame.scope.types.length - 1 : undefined;
    if (!frame.visibility.exported(name, value, index)) {
      this.fail(
        `${value.sort} ${JSON.stringify(name)} is not valid to be used as an export: its type names a record, variant, enum, flags or resource type the component has not exported or imported by name`,
      );
    }
    // Named by the export's own index (its token), as a function's ascription refers to it.
    if (value.sort === 'type' && value.type instanceof ResourceType) {
      frame.exportedResources.add(frame.visibility.exportTokens.get(name) ?? value.type, name);
    }
  }

  /** An annotated name's rules (annotated.ts): `func` is the function type, if a function. */
  annotated(what: string, name: string, scope: ResourceNames, func: FuncType | undefined): void {
    const problem = scope.problem(name, func);
    if (problem !== undefined)
      this.fail(`${what} ${JSON.stringify(name)}: ${problem} (Binary.md's annotated names)`);
  }

  /** External visibility of an import (visibility.ts); `declared` is a function import's type. */
  visibleImport(frame: Frame, name: string, value: Value, declared: FuncType | undefined): void {
    if (!frame.visibility.imported(value, declared)) {
      this.fail(
        `${value.sort} ${JSON.stringify(name)} is not valid to be used as an import: its type names a record, variant, enum, flags or resource type the component has not imported by name`,
      );
    }
  }
}

/** The prefix of every refusal of what Keel does not run (parse.ts's `unsupported`). */
const UNSUPPORTED = 'unsupported component:';

/** Drop a map's entries past its first `size` (maps keep the order entries were set in). */
function dropAfter<K, V>(map: Map<K, V>, size: number): void {
  let i = 0;
  for (const key of [...map.keys()]) if (i++ >= size) map.delete(key);
}

/** A module type's import or export against a module's: the kind, and a function's type. */
function sameCoreEntity(
  declared: { kind: string; type?: CoreFuncType },
  given: { kind: CoreExport['kind']; signature?: { params: readonly string[]; results: readonly string[] } },
): boolean {
  if (declared.kind !== (given.kind === 'function' ? 'func' : given.kind)) return false;
  if (declared.kind !== 'func') return true;
  return !declared.type || !given.signature || sameCoreFuncType(declared.type, given.signature);
}

const resourceAnswers = new WeakMap<object, boolean>();

/**
 * Does a type refer to a resource anywhere (a handle, an import or export of one)? Answered once
 * per type object: instance types that export one shared type twice per level made the walk
 * 2^levels (hostile/abi/outer-alias-exponential).
 */
function refersToResource(t: AnyType | ExternType, depth = 0): boolean {
  if (depth > 64) unsupported('alias', 'types nested more than 64 deep');
  if ('sort' in t) {
    return t.sort === 'core-module' ? false : refersToResource(t.type, depth + 1);
  }
  if (t instanceof ResourceType) return true;
  let answer = resourceAnswers.get(t);
  if (answer !== undefined) return answer;
  if (isValType(t)) {
    const found = new Set<ResourceType>();
    resourcesOf(t, found);
    answer = found.size > 0;
  } else {
    switch (t.kind) {
      case 'func':
        answer = [...t.params, ...t.results].some((p) => refersToResource(p.type, depth + 1));
        break;
      case 'instance':
        answer = [...t.exports.values()].some((e) => refersToResource(e, depth + 1));
        break;
      case 'component':
        answer = [...t.imports.values(), ...t.exports.values()].some((e) => refersToResource(e, depth + 1));
        break;
      default:
        answer = false;
    }
  }
  resourceAnswers.set(t, answer);
  return answer;
}

function hasAbstract(ft: FuncType): boolean {
  const resources = new Set<ResourceType>();
  for (const p of ft.params) resourcesOf(p.type, resources);
  for (const r of ft.results) resourcesOf(r.type, resources);
  return [...resources].some((r) => r.origin.kind === 'abstract');
}

/** The layout check the planner leaves to lifting: exported for tests. */
export function flatSizeOf(t: ValType): number {
  return layoutOf(t).size;
}
