/**
 * Runs a component-model `.wast` script (WebAssembly/component-model, test/) against Keel's
 * own API: each `(component ...)` is made into bytes by wasm-tools' text parser and loaded and
 * spawned by a `Kernel` with no grants; actions are `sandbox.invoke` with JSON values.
 *
 * Every command ends as one outcome: `pass`, `fail` (Keel did what the script says it must
 * not), or `skip` with a reason (a command this runner cannot map, or one whose component Keel
 * refuses on purpose). A skip is never a pass. What each command is held to:
 *
 * - `(component ...)`: loads and spawns; `(component binary "..." ...)` (and `$X binary`,
 *   `definition binary`) as its bytes, with no text parser between. Refused as `invalid-module` for a feature Keel does not
 *   run ("not supported", "unsupported component") it is `refused`: the refusal is checked to
 *   be a clean `invalid-module`, and the actions on it are skipped. Any other failure is `fail`.
 *   A component whose text wasm-tools' parser cannot read (syntax newer than jco-transpile's) has
 *   no binary: it is `skip`, with its actions, never `refused` (Keel refused nothing).
 * - `assert_invalid`, `assert_malformed` (binary), `assert_unlinkable`: load (and spawn) must
 *   end as `invalid-module` (or, unlinkable, a link error); a success is a `fail`: Keel accepted
 *   a component the specification rejects.
 * - `assert_return`: the value, compared by WIT type as Keel's JSON gives it.
 * - `assert_trap`: `trap`, and the sandbox poisoned; of a component (its start traps), a load
 *   and then a spawn that ends as `trap`.
 * - `async`: a script under async/ or concurrency/: every component of it that Keel refuses
 *   must be refused as `invalid-module` naming component-model async.
 */

import { parseComponent } from '../../host/abi/parse.js';
import {
  type CapabilityProvider,
  isKeelError,
  Kernel,
  type ModuleHandle,
  type Sandbox,
} from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { type Command, head, type List, readCommands, type SExpr, text } from './wast.js';

export type Status = 'pass' | 'fail' | 'skip' | 'refused';
export interface Outcome {
  line: number;
  kind: string;
  status: Status;
  /** Why: the skip's reason, the failure, Keel's refusal. */
  detail?: string;
}

/**
 * The one desugaring: today's text format writes a canonical option's core item in full
 * (`(memory (core memory $m "mem"))`, `(realloc (core func $m "r"))`, `(post-return (core func
 * ...))`); the wasm-tools of jco 1.12 and jco-transpile 0.3.9 read only the older short forms
 * (`(memory $m "mem")`, `(realloc (func $m "r"))`), which make the same binary.
 */
export function desugar(source: string): string {
  return source
    .replace(/\(memory\s+\(core\s+memory\s+([^()]*)\)\)/g, '(memory $1)')
    .replace(/\((realloc|post-return|callback|dtor)\s+\(core\s+func\s+([^()]*)\)\)/g, '($1 (func $2))')
    .replace(/\(dtor\s+([^()\s]+)\)/g, '(dtor (func $1))');
}

/**
 * Forms the wasm-tools of jco-transpile does not read, each rewritten to the text it reads for
 * the same binary, tried only when a component's text does not parse as it is: Wasmtime's older
 * `(module ...)` for a core module directly in a component (`simple.wast`), and an export's
 * identifier in a type declaration (`(export $a "t-a" (type (eq $x)))` is
 * `(export "t-a" (type $a (eq $x)))`, `fused.wast`).
 */
export function legacy(source: string): string {
  return source
    .replace(/(\(component(?:\s+\$[^\s()]+)?\s+|\)\s*)\(module\b/g, '$1(core module')
    .replace(/\(export\s+(\$[^\s()"]+)\s+("[^"]*")\s+\(type\s+\((eq|sub)\b/g, '(export $2 (type $1 ($3');
}

/** A name's bytes in place of a placeholder the parser wrote, the same length. */
interface NamePatch {
  /** The placeholder name's encoding: its form byte (0x00), its length, its bytes. */
  placeholder: Uint8Array;
  /** The name with its attributes (`0x02 len name vec(attribute)`). */
  bytes: Uint8Array;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
}

function sized(bytes: Uint8Array): number[] {
  return [...leb(bytes.length), ...bytes];
}

const ATTRIBUTE = /\((versionsuffix|external-id)\s+"([^"\\]*)"\)/g;
const ATTRIBUTED_NAME = /"([^"\\]*)"((?:\s*\((?:versionsuffix|external-id)\s+"[^"\\]*"\))+)/g;

/**
 * Name attributes (Binary.md's `nameattributes` form 0x02): `(versionsuffix "...")` and
 * `(external-id "...")` after an import or export name, which the wasm-tools of jco-transpile does
 * not read. Each name that has some is written as a placeholder name whose encoding is exactly as
 * long as the name with its attributes, and the binary's placeholder is then overwritten with them
 * (`patchNames`), so that no size in the binary moves: the bytes today's wasm-tools would write.
 */
export function nameAttributes(source: string): { text: string; patches: NamePatch[] } {
  const patches: NamePatch[] = [];
  const text = source.replace(ATTRIBUTED_NAME, (_all, name: string, attrs: string) => {
    const utf8 = new TextEncoder();
    const list = [...attrs.matchAll(ATTRIBUTE)].map(([, kind, value]) => [
      kind === 'versionsuffix' ? 0x01 : 0x02,
      ...sized(utf8.encode(value)),
    ]);
    const bytes = Uint8Array.from([0x02, ...sized(utf8.encode(name)), ...leb(list.length), ...list.flat()]);
    // 0x00, the placeholder's length (one byte), the placeholder: as long as `bytes`.
    const length = bytes.length - 2;
    if (length < 4 || length > 127 || patches.length >= 0x60)
      throw new RunnerError('a name attribute this runner cannot place');
    const placeholder = [0x01, 0x02, 0x10 + patches.length, ...new Array<number>(length - 3).fill(0x01)];
    patches.push({ placeholder: Uint8Array.from([0x00, length, ...placeholder]), bytes });
    return `"${placeholder.map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}"`;
  });
  return { text, patches };
}

/** The binary with each placeholder `nameAttributes` wrote in place of its name: every one found. */
export function patchNames(binary: Uint8Array, patches: NamePatch[]): Uint8Array {
  const out = binary.slice();
  for (const { placeholder, bytes } of patches) {
    let found = 0;
    for (let at = out.indexOf(placeholder[0]!); at >= 0; at = out.indexOf(placeholder[0]!, at + 1)) {
      if (placeholder.every((b, i) => out[at + i] === b)) {
        out.set(bytes, at);
        found++;
      }
    }
    if (found === 0) throw new RunnerError('a name attribute placeholder not found in the binary');
  }
  return out;
}

/** The runner's own failure: never recorded as a skip of the script's command (it is a bug here). */
class RunnerError extends Error {}

/** A component's text as bytes: as it is (desugared), else in its legacy forms (`legacy`). */
export async function parseText(source: string): Promise<Uint8Array> {
  const { text, patches } = nameAttributes(desugar(source));
  try {
    return patchNames(await parse(text), patches);
  } catch (error) {
    const older = legacy(text);
    if (older === text) throw error;
    try {
      return patchNames(await parse(older), patches);
    } catch {
      throw error;
    }
  }
}

/** A refusal of what Keel does not run on purpose (docs/abi.md, "What is refused"). */
const DELIBERATE = /not supported|unsupported component/;
const ASYNC = /component-model async is not supported/;
/**
 * What Node 20's V8 itself lacks (the spec suite's baseline, test/spec/v8-baseline.json, lists the
 * same): multi-memory, and exception references (`try_table`, opcode 0x1f).
 */
const ENGINE =
  /At most one memory is supported|memory count of \d+ exceeds internal limit of 1|Invalid opcode 0x1f\b/;

/** What every spawn of a script is given: the grants of Wasmtime's test host, or none. */
type SpawnGrants = { grants?: string[] };

type Current = { sandbox: Sandbox } | { refused: string } | undefined;

export interface ScriptOptions {
  /** A script under async/ or concurrency/: a refusal must name component-model async. */
  async?: boolean;
  /**
   * Commands of the script not run, by line, each with why: a directive of another host (a
   * Wasmtime script's host functions, its own limitations). Recorded as `skip`, never a pass.
   */
  skip?: Record<number, string>;
  /** Link every component against Wasmtime's test host (`wasmtimeHost`): its own scripts. */
  wasmtimeHost?: boolean;
}

/**
 * The host Wasmtime's scripts link against (its `link_component_spectest`): an instance `host`
 * (`return-three`, `nested` with `return-four`, resources `resource1`, `resource2` and
 * `resource1-again`, the same type as `resource1`; `resource1`'s constructor takes its rep, its
 * destructor counts drops and keeps the last rep, `assert` and `simple` check a rep) and the
 * function `host-return-two`. Its types are given (`wit`), so Keel checks a component's imports
 * against them at spawn as for any provider; its `simple-module` (a core module) is left out:
 * Keel imports none. One per script, as Wasmtime's counters are.
 */
export async function wasmtimeHost(): Promise<CapabilityProvider> {
  const wit = await parse(`(component
    (import "host" (instance
      (export "resource1" (type $r1 (sub resource)))
      (export "resource2" (type (sub resource)))
      (export "resource1-again" (type (eq $r1)))
      (export "return-three" (func (result u32)))
      (export "nested" (instance (export "return-four" (func (result u32)))))
      (export "[constructor]resource1" (func (param "r" u32) (result (own $r1))))
      (export "[static]resource1.assert" (func (param "r" (own $r1)) (param "rep" u32)))
      (export "[static]resource1.last-drop" (func (result u32)))
      (export "[static]resource1.drops" (func (result u32)))
      (export "[method]resource1.simple" (func (param "self" (borrow $r1)) (param "rep" u32)))
      (export "[method]resource1.take-borrow" (func (param "self" (borrow $r1)) (param "b" (borrow $r1))))
      (export "[method]resource1.take-own" (func (param "self" (borrow $r1)) (param "b" (own $r1))))))
    (import "host-return-two" (func (result u32))))`);
  const state = { drops: 0, lastDrop: 0 };
  const check = (rep: number, expected: number) => {
    if (rep !== expected) throw new Error(`resource1's rep is ${rep}, not ${expected}`);
  };
  class Resource1 {
    constructor(readonly rep: number) {}
    static assert(r: Resource1, rep: number): void {
      check(r.rep, rep);
    }
    static lastDrop(): number {
      return state.lastDrop;
    }
    static drops(): number {
      return state.drops;
    }
    simple(rep: number): void {
      check(this.rep, rep);
    }
    takeBorrow(_b: Resource1): void {}
    takeOwn(_b: Resource1): void {}
    [Symbol.dispose](): void {
      state.drops++;
      state.lastDrop = this.rep;
    }
  }
  class Resource2 {
    [Symbol.dispose](): void {}
  }
  const provider: CapabilityProvider = {
    name: 'wasmtime-test-host',
    interfaces: ['host', 'host-return-two'],
    // Plain names are no interface a grant can name: linked as authority-free (nothing it does
    // reaches past the script's own counters).
    authorityFree: ['host', 'host-return-two'],
    wit,
    link: ({ interface: iface }) =>
      iface === 'host'
        ? {
            returnThree: () => 3,
            // A nested instance's functions are looked up on the interface's record itself.
            returnFour: () => 4,
            Resource1,
            Resource2,
            Resource1Again: Resource1,
          }
        : { default: () => 2 },
  };
  return provider;
}

/**
 * The instance type of a component's exports as the runner can write it (`(export "r" (type
 * (sub resource)))` for each resource type it exports), or undefined when it exports anything
 * else (a function, an instance, a module: the runner would have to forward calls between
 * sandboxes, which it does not).
 */
export function exportedInstanceType(bytes: Uint8Array): string | undefined {
  const types: boolean[] = []; // per type index: a resource defined here
  const decls: string[] = [];
  for (const item of parseComponent(bytes).items) {
    if (item.kind === 'type') types.push(item.type.kind === 'resource');
    else if (item.kind === 'alias' && item.alias.sort === 'type') types.push(false);
    else if (item.kind === 'import' && item.desc.sort === 'type') types.push(false);
    else if (item.kind === 'export') {
      if (item.sort !== 'type' || !types[item.index]) return undefined;
      types.push(true);
      decls.push(`(export "${item.name}" (type (sub resource)))`);
    }
  }
  return `(instance ${decls.join(' ')})`;
}

/** A resource's class name on a provider's interface record: `resource1-again` is `Resource1Again`. */
function className(name: string): string {
  return name.replace(/(^|-)([a-zA-Z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

/**
 * The script's named instances (Wasmtime's harness links an import named `i` to the instance of
 * `(component $i ...)` or `(component instance $i $C)`): one provider per name the script gives,
 * made before the kernel, typed by the instance registered under it last (its `wit` read at each
 * spawn), and linked to a fresh class per resource (two instances' resources are two types: the
 * provider's interface names them apart). Authority-free: nothing behind them but the script's
 * own instances.
 */
class Registry {
  readonly providers: CapabilityProvider[] = [];
  readonly #entries = new Map<string, { wit: Uint8Array; resources: string[] } | { gap: string }>();

  constructor(names: Iterable<string>) {
    for (const name of names) {
      const entries = this.#entries;
      this.providers.push({
        name: `registered instance ${name}`,
        interfaces: [name],
        authorityFree: [name],
        get wit() {
          const entry = entries.get(name);
          return entry && 'wit' in entry ? entry.wit : undefined;
        },
        link: () => {
          const entry = entries.get(name);
          if (!entry || !('wit' in entry))
            throw new Error(`no instance this runner can type is registered as ${name}`);
          return Object.fromEntries(entry.resources.map((r) => [className(r), class {}]));
        },
      });
    }
  }

  /** The names a script registers: every `(component $x ...)` instantiated, every `(component instance $x ...)`. */
  static names(commands: Command[]): Set<string> {
    const names = new Set<string>();
    for (const c of commands) {
      if (head(c.expr) !== 'component') continue;
      const second = atom(c.expr.items[1]);
      const name = second === 'instance' ? atom(c.expr.items[2]) : second;
      if (name?.startsWith('$')) names.add(name.slice(1));
    }
    return names;
  }

  async register(name: string | undefined, bytes: Uint8Array | undefined, gap?: string): Promise<void> {
    const key = name?.startsWith('$') ? name.slice(1) : undefined;
    if (key === undefined || !this.providers.some((p) => p.interfaces[0] === key)) return;
    const type = bytes ? exportedInstanceType(bytes) : undefined;
    if (type === undefined) {
      this.#entries.set(key, {
        gap: bytes
          ? `${key} exports what this runner cannot type (functions, instances or modules)`
          : (gap ?? 'not run'),
      });
      return;
    }
    const resources = [...type.matchAll(/\(export "([^"]+)"/g)].map((m) => m[1]!);
    this.#entries.set(key, { wit: await parse(`(component (import "${key}" ${type}))`), resources });
  }

  /** Why a module that imports a registered name cannot be linked as Wasmtime's harness would, if so. */
  gap(module: ModuleHandle): string | undefined {
    for (const i of module.world.imports) {
      const entry = this.#entries.get(i.name);
      if (entry && 'gap' in entry) return `links against the registered instance ${i.name}: ${entry.gap}`;
    }
    return undefined;
  }
}

export async function runScript(source: string, options: ScriptOptions = {}): Promise<Outcome[]> {
  const commands = readCommands(source);
  const outcomes: Outcome[] = [];
  const host = options.wasmtimeHost ? await wasmtimeHost() : undefined;
  const registry = new Registry(
    [...Registry.names(commands)].filter((name) => !host?.interfaces.includes(name)),
  );
  const kernel = new Kernel({ cacheDir: false, providers: [...(host ? [host] : []), ...registry.providers] });
  const spawnOptions: SpawnGrants = {};
  const definitions = new Map<string, { module: ModuleHandle; bytes: Uint8Array } | { refused: string }>();
  let current: Current;
  let n = 0;
  const record = (c: Command, status: Status, detail?: string) =>
    outcomes.push({ line: c.line, kind: head(c.expr)!, status, ...(detail === undefined ? {} : { detail }) });
  try {
    for (const c of commands) {
      const kind = head(c.expr);
      const skipped = options.skip?.[c.line];
      if (skipped !== undefined) {
        record(c, 'skip', skipped);
        if (kind === 'component') current = { refused: `skipped: ${skipped}` };
        continue;
      }
      try {
        if (kind === 'component') {
          const second = atom(c.expr.items[1]);
          const binary = binaryForm(c.expr);
          const load = (name: string) =>
            binary
              ? loadBytes(kernel, binary, name, options)
              : loadText(kernel, componentText(c), name, options);
          if (second === 'definition') {
            const name = atom(c.expr.items[2]);
            const loaded = await load(`def${++n}`);
            if ('failed' in loaded) {
              record(c, 'fail', loaded.failed);
              continue;
            }
            if ('skipped' in loaded) {
              if (name?.startsWith('$')) definitions.set(name, { refused: loaded.skipped });
              record(c, 'skip', loaded.skipped);
              continue;
            }
            if (name?.startsWith('$')) definitions.set(name, loaded);
            record(
              c,
              'refused' in loaded ? 'refused' : 'pass',
              'refused' in loaded ? loaded.refused : undefined,
            );
          } else if (second === 'instance') {
            const instance = atom(c.expr.items[2]);
            const of = definitions.get(atom(c.expr.items[3]) ?? '');
            const gap = of && 'module' in of ? registry.gap(of.module) : undefined;
            if (!of) {
              record(c, 'skip', 'an instance of a definition this runner does not hold');
              current = { refused: 'no definition' };
            } else if ('refused' in of) {
              record(c, 'skip', 'its definition was refused');
              current = of;
            } else if (gap) {
              record(c, 'skip', gap);
              current = { refused: gap };
            } else {
              current = { sandbox: await kernel.spawn(of.module, spawnOptions) };
              record(c, 'pass');
            }
            await registry.register(
              instance,
              of && 'bytes' in of ? of.bytes : undefined,
              'its definition was not run',
            );
          } else if (second === 'quote') {
            record(c, 'skip', '(component quote ...) outside an assertion');
          } else {
            const loaded = await load(`c${++n}`);
            const gap = 'module' in loaded ? registry.gap(loaded.module) : undefined;
            if ('failed' in loaded) {
              record(c, 'fail', loaded.failed);
              current = { refused: 'failed' };
            } else if ('skipped' in loaded) {
              record(c, 'skip', loaded.skipped);
              current = { refused: loaded.skipped };
            } else if ('refused' in loaded) {
              record(c, 'refused', loaded.refused);
              current = loaded;
            } else if (gap) {
              record(c, 'skip', gap);
              current = { refused: gap };
            } else {
              current = { sandbox: await kernel.spawn(loaded.module, spawnOptions) };
              record(c, 'pass');
            }
            await registry.register(
              second,
              'sandbox' in current && 'bytes' in loaded ? loaded.bytes : undefined,
              'Keel did not run it',
            );
          }
        } else if (kind === 'assert_invalid' || kind === 'assert_malformed' || kind === 'assert_unlinkable') {
          const inner = c.expr.items[1];
          if (!inner || head(inner) !== 'component' || inner.kind !== 'list') {
            record(c, 'skip', `${kind} of something other than a component`);
            continue;
          }
          const form = atom(inner.items[1]);
          if (form === 'quote') {
            record(c, 'skip', 'text-format assertion (component quote): Keel only sees binaries');
            continue;
          }
          let bytes: Uint8Array;
          if (form === 'binary') bytes = concatStrings(inner.items.slice(2));
          else {
            try {
              bytes = await parseText(source.slice(inner.start, inner.end));
            } catch (error) {
              if (error instanceof RunnerError) throw error;
              record(
                c,
                'skip',
                `wasm-tools' text parser refuses it, no binary for Keel: ${firstLine(error)}`,
              );
              continue;
            }
          }
          record(
            c,
            ...(await mustRefuse(
              kernel,
              bytes,
              `bad${++n}`,
              kind === 'assert_unlinkable',
              spawnOptions,
              registry,
            )),
          );
        } else if (
          kind === 'assert_trap' &&
          c.expr.items[1]?.kind === 'list' &&
          head(c.expr.items[1]) === 'component'
        ) {
          record(c, ...(await mustTrapAtStart(kernel, c, source, `trap${++n}`, options, spawnOptions)));
        } else if (kind === 'assert_return' || kind === 'assert_trap' || kind === 'invoke') {
          const action = kind === 'invoke' ? c.expr : c.expr.items[1];
          if (!action || head(action) !== 'invoke' || action.kind !== 'list') {
            record(c, 'skip', `${kind} of an action other than invoke`);
            continue;
          }
          if (!current || !('sandbox' in current)) {
            record(c, 'skip', current ? `its component was not run (${current.refused})` : 'no component');
            continue;
          }
          const name = text(action.items[1]);
          let args: unknown[];
          try {
            args = action.items.slice(2).map(toJson);
          } catch (error) {
            record(c, 'skip', `an argument this runner cannot map: ${firstLine(error)}`);
            continue;
          }
          const sandbox = current.sandbox;
          let value: unknown;
          let thrown: unknown;
          try {
            value = (await sandbox.invoke(name, args)).value;
          } catch (error) {
            thrown = error;
          }
          if (kind === 'assert_trap') {
            if (isKeelError(thrown) && thrown.code === 'trap' && sandbox.state === 'poisoned')
              record(c, 'pass');
            else
              record(
                c,
                'fail',
                thrown === undefined
                  ? `returned ${show(value)} instead of trapping (${text(c.expr.items[2])})`
                  : `${describe(thrown)}, sandbox ${sandbox.state}, instead of trap (${text(c.expr.items[2])})`,
              );
          } else if (thrown !== undefined) record(c, 'fail', describe(thrown));
          else if (kind === 'invoke') record(c, 'pass');
          else {
            const expected = c.expr.items.slice(2);
            const verdict = compareResults(expected, value);
            record(c, verdict === undefined ? 'pass' : 'fail', verdict);
          }
        } else if (kind === 'register') {
          record(
            c,
            'skip',
            'register: Keel has no registry of component instances for a script to link by name',
          );
        } else {
          record(c, 'skip', `a command this runner does not map: ${kind}`);
        }
      } catch (error) {
        record(c, 'fail', `the runner or Keel threw: ${describe(error)}`);
      }
    }
  } finally {
    await kernel.close();
  }
  return outcomes;
}

function atom(e: SExpr | undefined): string | undefined {
  return e?.kind === 'atom' ? e.text : undefined;
}

/**
 * The bytes of `(component binary "..." ...)`, `(component $X binary ...)` or
 * `(component definition $X? binary ...)`; undefined for a component written as text.
 */
export function binaryForm(expr: List): Uint8Array | undefined {
  let i = 1;
  if (atom(expr.items[i]) === 'definition') i++;
  if (atom(expr.items[i])?.startsWith('$')) i++;
  return atom(expr.items[i]) === 'binary' ? concatStrings(expr.items.slice(i + 1)) : undefined;
}

/** A `(component definition $X ...)`'s text as a plain component. */
function componentText(c: Command): string {
  return c.text.replace(/^\(component\s+definition\b/, '(component');
}

function concatStrings(items: SExpr[]): Uint8Array {
  const parts = items.map((i) => {
    if (i.kind !== 'string') throw new Error('a binary component of something other than strings');
    return i.bytes;
  });
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Loaded =
  | { module: ModuleHandle; bytes: Uint8Array }
  | { refused: string }
  | { skipped: string }
  | { failed: string };

async function loadText(
  kernel: Kernel,
  source: string,
  name: string,
  options: { async?: boolean },
): Promise<Loaded> {
  let bytes: Uint8Array;
  try {
    bytes = await parseText(source);
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    // No binary, so nothing of Keel's is tested: a skip, not a refusal (Keel refused nothing).
    return {
      skipped: `wasm-tools' text parser (jco-transpile) cannot read it, no binary for Keel: ${firstLine(error)}`,
    };
  }
  return loadBytes(kernel, bytes, name, options);
}

/** A component's bytes loaded: a module, a deliberate refusal, or a failure. */
async function loadBytes(
  kernel: Kernel,
  bytes: Uint8Array,
  name: string,
  options: { async?: boolean },
): Promise<Loaded> {
  try {
    return { module: await kernel.load(bytes, { name }), bytes };
  } catch (error) {
    if (isKeelError(error) && error.code === 'invalid-module' && DELIBERATE.test(error.message)) {
      return { refused: `${ASYNC.test(error.message) ? 'async, ' : ''}${firstLine(error)}` };
    }
    if (isKeelError(error) && error.code === 'invalid-module' && ENGINE.test(error.message)) {
      const feature = /0x1f/.test(error.message) ? 'exception references (try_table)' : 'multi-memory';
      return { refused: `Node 20's V8 lacks ${feature}: ${firstLine(error)}` };
    }
    if (options.async && isKeelError(error) && error.code === 'invalid-module') {
      return { failed: `refused, but not as component-model async: ${firstLine(error)}` };
    }
    return { failed: `a valid component refused: ${describe(error)}` };
  }
}

/** An invalid component must end as invalid-module at load (or, unlinkable, at spawn). */
async function mustRefuse(
  kernel: Kernel,
  bytes: Uint8Array,
  name: string,
  unlinkable: boolean,
  spawnOptions: SpawnGrants,
  registry: Registry,
): Promise<[Status, string?]> {
  let module: ModuleHandle;
  try {
    module = await kernel.load(bytes, { name });
  } catch (error) {
    // A link error the script means is never reached when Keel refuses what it does not run.
    if (unlinkable && isKeelError(error) && error.code === 'invalid-module' && DELIBERATE.test(error.message))
      return ['refused', firstLine(error)];
    if (isKeelError(error) && error.code === 'invalid-module') return ['pass'];
    return ['fail', `refused, but as ${describe(error)}`];
  }
  const gap = unlinkable ? registry.gap(module) : undefined;
  if (gap) return ['skip', gap];
  try {
    await kernel.spawn(module, spawnOptions);
  } catch (error) {
    if (unlinkable && isKeelError(error)) return ['pass', describe(error)];
    return ['fail', `loaded, then the spawn failed as ${describe(error)}`];
  }
  return ['fail', 'Keel loaded and spawned a component the specification rejects'];
}

/**
 * `(assert_trap (component ...))`: a valid component whose instantiation traps (a core start
 * function): it must load, and its spawn must end as `trap`.
 */
async function mustTrapAtStart(
  kernel: Kernel,
  c: Command,
  source: string,
  name: string,
  options: { async?: boolean },
  spawnOptions: SpawnGrants,
): Promise<[Status, string?]> {
  const inner = c.expr.items[1];
  if (inner?.kind !== 'list') return ['skip', 'an assert_trap of something other than a component'];
  const loaded = await loadText(kernel, source.slice(inner.start, inner.end), name, options);
  if ('failed' in loaded) return ['fail', loaded.failed];
  if ('skipped' in loaded) return ['skip', loaded.skipped];
  if ('refused' in loaded) return ['refused', loaded.refused];
  try {
    await kernel.spawn(loaded.module, spawnOptions);
  } catch (error) {
    if (isKeelError(error) && error.code === 'trap') return ['pass'];
    return ['fail', `the spawn failed as ${describe(error)} instead of trapping`];
  }
  return ['fail', `spawned without trapping (${text(c.expr.items[2])})`];
}

function describe(error: unknown): string {
  if (isKeelError(error)) return `${error.code}: ${firstLine(error)}`;
  return `${error instanceof Error ? error.name : typeof error}: ${firstLine(error)}`;
}

function firstLine(error: unknown): string {
  const m = error instanceof Error ? error.message : String(error);
  return m.split('\n')[0]!.slice(0, 300);
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
}

// ---- values ---------------------------------------------------------------------------------

/** An expected value: JSON as Keel's `invoke` gives it, or a flags set (Keel gives every flag). */
type Expected = { json: unknown } | { flags: string[] };

function int(textValue: string, bits: number, signed: boolean): bigint {
  const t = textValue.replace(/_/g, '');
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1) : t;
  let v = BigInt(body);
  if (neg) v = -v;
  // A negative literal of an unsigned type, or a large one of a signed type, wraps (as wast's do).
  const m = 1n << BigInt(bits);
  v = ((v % m) + m) % m;
  if (signed && v >= m / 2n) v -= m;
  return v;
}

function jsonNumber(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

function float(t: string): number | string {
  const s = t.replace(/_/g, '');
  if (/^[+-]?nan/.test(s)) return 'NaN';
  if (/^[+-]?inf$/.test(s)) return s.startsWith('-') ? '-Infinity' : 'Infinity';
  if (/^[+-]?0x/i.test(s)) throw new Error(`a hexadecimal float ${t}`);
  return Number(s);
}

/** A value of the script (`(u32.const 1)`, `(list.const ...)`) as the JSON `invoke` takes. */
function toJson(e: SExpr): unknown {
  const x = expected(e);
  if ('flags' in x) return Object.fromEntries(x.flags.map((f) => [f, true]));
  return x.json;
}

function expected(e: SExpr): Expected {
  if (e.kind !== 'list') throw new Error('a value that is not a list');
  const h = head(e)!;
  const [, ...rest] = e.items;
  const intType = /^([us])(8|16|32|64)\.const$/.exec(h);
  if (intType) {
    const v = int(atom(rest[0]) ?? '', Number(intType[2]), intType[1] === 's');
    return { json: jsonNumber(v) };
  }
  switch (h) {
    case 'bool.const':
      return { json: atom(rest[0]) === 'true' };
    case 'f32.const':
    case 'f64.const':
      return { json: float(atom(rest[0]) ?? '') };
    case 'char.const':
    case 'str.const':
    case 'enum.const':
      return { json: text(rest[0]) };
    case 'list.const':
    case 'tuple.const':
      return { json: rest.map(toJson) };
    case 'flags.const':
      return { flags: rest.map((r) => text(r)) };
    case 'option.none':
      return { json: null };
    case 'option.some':
      return { json: toJson(rest[0]!) };
    case 'result.ok':
    case 'result.err':
      return { json: { tag: h === 'result.ok' ? 'ok' : 'err', val: rest[0] ? toJson(rest[0]) : null } };
    case 'variant.const': {
      const tag = text(rest[0]);
      return { json: rest[1] ? { tag, val: toJson(rest[1]) } : { tag } };
    }
    case 'record.const':
      return {
        json: Object.fromEntries(
          rest.map((f) => {
            if (f.kind !== 'list' || head(f) !== 'field') throw new Error('a record field of another form');
            // `(field "n" (u32.const 7))`, or the value's form written inline: `(field "n" u32.const 7)`.
            const value = f.items[2]?.kind === 'atom' ? { ...f, items: f.items.slice(2) } : f.items[2];
            if (!value) throw new Error('a record field without a value');
            return [text(f.items[1]), toJson(value)];
          }),
        ),
      };
    default:
      throw new Error(`a value form this runner does not map: ${h}`);
  }
}

/** Undefined when `value` is what `expectedResults` say; otherwise what differs. */
function compareResults(expectedResults: SExpr[], value: unknown): string | undefined {
  if (expectedResults.length === 0) {
    return value === undefined || value === null ? undefined : `expected no result, got ${show(value)}`;
  }
  if (expectedResults.length > 1) return 'several results: this runner compares one';
  let want: Expected;
  try {
    want = expected(expectedResults[0]!);
  } catch (error) {
    return `an expected value this runner cannot map: ${firstLine(error)}`;
  }
  if ('flags' in want) {
    if (typeof value !== 'object' || value === null) return `expected flags, got ${show(value)}`;
    const set = Object.entries(value)
      .filter(([, on]) => on === true)
      .map(([k]) => k)
      .sort();
    const wanted = [...want.flags].map(camel).sort();
    return show(set) === show(wanted) ? undefined : `expected flags ${show(wanted)}, got ${show(value)}`;
  }
  return equal(want.json, value) ? undefined : `expected ${show(want.json)}, got ${show(value)}`;
}

function camel(s: string): string {
  return s.replace(/-([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function equal(want: unknown, got: unknown): boolean {
  if (typeof got === 'bigint') return equal(want, jsonNumber(got));
  if (want === null) return got === null || got === undefined;
  if (typeof want === 'number' && typeof got === 'number') return Object.is(want, got) || want === got;
  if (Array.isArray(want)) {
    const g = ArrayBuffer.isView(got) ? Array.from(got as unknown as ArrayLike<unknown>) : got;
    return Array.isArray(g) && g.length === want.length && want.every((w, i) => equal(w, g[i]));
  }
  if (typeof want === 'object') {
    if (typeof got !== 'object' || got === null) return false;
    const w = Object.entries(want as Record<string, unknown>);
    const g = got as Record<string, unknown>;
    return w.every(([k, v]) => equal(v, k in g ? g[k] : g[camel(k)]));
  }
  return want === got;
}

export type { List };
