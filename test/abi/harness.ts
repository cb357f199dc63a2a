/**
 * The differential harness: run argument vectors through every engine, and compare, engine by
 * engine and against what the WIT semantics say:
 * - the outcome: the returned value (exactly: NaN, -0, 64-bit integers), or the error's code;
 * - the values each host import received, in order;
 * - the guest's memory after the call (a digest of every linear memory), between engines.
 *
 * A failed call (trap, ...) ends the instance, as in Keel (the guest's state cannot be trusted):
 * the next vector runs on a fresh instance of the same engine.
 */
import type {
  AbiEngine,
  CallOutcome,
  ComponentUnderTest,
  EngineInstance,
  HostImplementation,
} from './engine.js';
import { difference, show, type Value } from './values.js';
import { type FuncType, witFunc } from './wit.js';

/** One call of a host import, as the host saw it. */
export interface HostCall {
  /** `interface#function`. */
  fn: string;
  args: Value[];
}

export interface Expectation {
  /** The value the export returns (omit for a function without a result). */
  value?: Value;
  /** Or the error code the call fails with. */
  error?: string;
  /** The host calls the export makes, in order. */
  hostCalls?: HostCall[];
}

export interface Vector {
  export: string;
  args: Value[];
  /** What each host function answers during this call, in order of the calls (`interface#function` → answers). */
  answers?: Readonly<Record<string, readonly Value[]>>;
  /** What the WIT semantics say happens; without it only the engines are compared. */
  expect?: Expectation;
  /**
   * Or what happens given what this engine's instance did before (the calls since it was
   * instantiated, oldest first; vectors skipped on this engine are left out).
   */
  expectAfter?: (before: readonly Observation[]) => Expectation;
  /** Why this vector exists (shown on failure). */
  note?: string;
}

export interface CorpusEntry extends ComponentUnderTest {
  vectors: Vector[];
  /** Host functions for calls a vector gives no answer for: made afresh for each instance (its state is the instance's). */
  host?: () => HostImplementation;
  /** Memory digests differ between engines legitimately (say why); compared otherwise. */
  memoryMayDiffer?: string;
}

export interface Observation {
  /** The vector observed. */
  vector: Vector;
  outcome: CallOutcome;
  hostCalls: HostCall[];
  memory: string | undefined;
  /** Which vectors this instance ran before this one (their indices): memories compare only on the same history. */
  history: string;
}

/** The host the harness gives an engine: answers from the current vector, each call recorded. */
class RecordingHost {
  calls: HostCall[] = [];
  #answers = new Map<string, Value[]>();
  #fallback: HostImplementation | undefined;
  readonly #entry: CorpusEntry;
  readonly implementation: HostImplementation;

  constructor(entry: CorpusEntry) {
    this.#entry = entry;
    const implementation: Record<string, Record<string, (args: Value[]) => Value | undefined>> = {};
    for (const [iface, functions] of Object.entries(entry.imports ?? {})) {
      implementation[iface] = {};
      for (const name of Object.keys(functions)) {
        const key = `${iface}#${name}`;
        implementation[iface][name] = (args) => {
          this.calls.push({ fn: key, args });
          const queued = this.#answers.get(key);
          if (queued && queued.length > 0) return queued.shift();
          const fallback = this.#fallback?.[iface]?.[name];
          if (!fallback && !functions[name]!.result) return undefined;
          if (!fallback) throw new Error(`no answer for host call ${key} (${show(args)})`);
          return fallback(args);
        };
      }
    }
    this.implementation = implementation;
  }

  /** A new instance: the host's own state starts afresh too. */
  restart(): void {
    this.#fallback = this.#entry.host?.();
  }

  start(vector: Vector): void {
    this.calls = [];
    this.#answers = new Map(Object.entries(vector.answers ?? {}).map(([k, v]) => [k, [...v]]));
  }
}

/** Runs every vector of an entry on one engine; one observation per vector (none for a known gap). */
export async function observe(engine: AbiEngine, entry: CorpusEntry): Promise<(Observation | undefined)[]> {
  const host = new RecordingHost(entry);
  const loaded = await engine.load(entry, host.implementation);
  let instance: EngineInstance | undefined;
  let history: number[] = [];
  const observations: (Observation | undefined)[] = [];
  try {
    for (const [index, vector] of entry.vectors.entries()) {
      if (engine.knownGap?.(entry, vector.export, vector.args)) {
        observations.push(undefined);
        continue;
      }
      if (!instance) {
        host.restart();
        instance = await loaded.instantiate();
        history = [];
      }
      host.start(vector);
      const outcome = instance.call(vector.export, vector.args);
      observations.push({
        vector,
        outcome,
        hostCalls: host.calls,
        memory: outcome.ok ? instance.memoryDigest() : undefined,
        history: history.join(','),
      });
      history.push(index);
      // After a failure the guest's state cannot be trusted: the next call gets a fresh instance.
      if (!outcome.ok) instance = undefined;
    }
  } finally {
    await loaded.close();
  }
  return observations;
}

/** The observations of the instance that ran vector `index`, before it. */
function sinceInstantiation(run: readonly (Observation | undefined)[], index: number): Observation[] {
  const before: Observation[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const seen = run[i];
    if (!seen) continue;
    if (!seen.outcome.ok) break;
    before.unshift(seen);
  }
  return before;
}

function describeVector(entry: CorpusEntry, vector: Vector, index: number): string {
  const type = entry.exports[vector.export];
  const signature = type ? witFunc(type) : '?';
  return `${entry.name} #${index} ${vector.export}: ${signature} (${vector.args.map((a) => show(a)).join(', ')})${vector.note ? ` [${vector.note}]` : ''}`;
}

function outcomeDifference(type: FuncType, a: CallOutcome, b: CallOutcome | Expectation): string | undefined {
  const bError = 'ok' in b ? (b.ok ? undefined : b.code) : b.error;
  if (!a.ok || bError !== undefined) {
    const aText = a.ok ? `value ${show(a.value)}` : `error ${a.code} (${a.message})`;
    const bText =
      bError !== undefined
        ? `error ${bError}`
        : `value ${show('ok' in b ? (b as { value?: Value }).value : b.value)}`;
    return !a.ok && a.code === bError ? undefined : `${aText} ≠ ${bText}`;
  }
  const bValue = 'ok' in b ? (b as { value?: Value }).value : b.value;
  if (!type.result)
    return a.value === undefined && bValue === undefined ? undefined : `${show(a.value)} ≠ none`;
  return difference(type.result, a.value, bValue);
}

function hostCallsDifference(
  entry: CorpusEntry,
  a: readonly HostCall[],
  b: readonly HostCall[],
): string | undefined {
  if (a.length !== b.length) {
    return `${a.length} host call(s) ≠ ${b.length}: ${a.map((c) => c.fn).join(', ')} / ${b.map((c) => c.fn).join(', ')}`;
  }
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x.fn !== y.fn) return `host call ${i}: ${x.fn} ≠ ${y.fn}`;
    const [iface, name] = x.fn.split('#') as [string, string];
    const type = entry.imports?.[iface]?.[name];
    if (!type) return `host call ${i}: ${x.fn} has no declared type`;
    for (let j = 0; j < type.params.length; j++) {
      const d = difference(type.params[j]!.type, x.args[j], y.args[j], `${x.fn}(${type.params[j]!.name})`);
      if (d) return `host call ${i}: ${d}`;
    }
  }
  return undefined;
}

/**
 * Runs an entry on every engine and returns every disagreement: with the expectation, and
 * between engines (the first engine is the reference). Empty when all agree.
 */
export async function differential(engines: readonly AbiEngine[], entry: CorpusEntry): Promise<string[]> {
  const problems: string[] = [];
  const runs: (Observation | undefined)[][] = [];
  for (const engine of engines) {
    if (engine.skips?.(entry)) {
      runs.push([]);
      continue;
    }
    try {
      runs.push(await observe(engine, entry));
    } catch (error) {
      problems.push(`${entry.name} on ${engine.name}: ${String(error)}`);
      runs.push([]);
    }
  }
  entry.vectors.forEach((vector, index) => {
    const type = entry.exports[vector.export]!;
    const where = describeVector(entry, vector, index);
    engines.forEach((engine, e) => {
      const seen = runs[e]![index];
      if (!seen) return;
      const expected = vector.expectAfter
        ? vector.expectAfter(sinceInstantiation(runs[e]!, index))
        : vector.expect;
      if (expected) {
        const d = outcomeDifference(type, seen.outcome, expected);
        if (d) problems.push(`${where} on ${engine.name}: ${d}`);
        if (expected.hostCalls) {
          const h = hostCallsDifference(entry, seen.hostCalls, expected.hostCalls);
          if (h) problems.push(`${where} on ${engine.name}: ${h}`);
        }
      }
      const r = runs.findIndex((run) => run[index] !== undefined);
      if (r < 0 || r >= e) return;
      const reference = runs[r]![index]!;
      const vs = `${where}: ${engines[r]!.name} vs ${engine.name}`;
      const sameHistory = reference.history === seen.history;
      // What depends on the calls before (expectAfter) compares only between the same histories.
      if (sameHistory || !vector.expectAfter) {
        const d = outcomeDifference(type, reference.outcome, seen.outcome);
        if (d) problems.push(`${vs}: ${d}`);
      }
      const h = hostCallsDifference(entry, reference.hostCalls, seen.hostCalls);
      if (h) problems.push(`${vs}: ${h}`);
      if (
        sameHistory &&
        !entry.memoryMayDiffer &&
        reference.memory &&
        seen.memory &&
        reference.memory !== seen.memory
      ) {
        problems.push(`${vs}: memory after the call differs`);
      }
    });
  });
  return problems;
}
