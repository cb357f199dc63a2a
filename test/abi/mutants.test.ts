/**
 * The harness must not pass vacuously: engines with a deliberate ABI bug each (a wrong value,
 * a wrong value seen by the host, different memory) must be caught, against the WIT semantics
 * and against a correct engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type AbiEngine, kernelEngine } from './engine.js';
import { type CorpusEntry, differential } from './harness.js';
import { swapEntry } from './swap-corpus.js';
import type { Value } from './values.js';
import { t } from './wit.js';

const colour = t.enum('colour', ['red', 'green', 'blue']);

let entry: CorpusEntry;

beforeAll(async () => {
  entry = await swapEntry(
    'mutants',
    {
      functions: [
        { name: 'swap-f64', type: { params: [{ name: 'x', type: t.f64 }], result: t.f64 } },
        { name: 'swap-u64', type: { params: [{ name: 'x', type: t.u64 }], result: t.u64 } },
        { name: 'swap-colour', type: { params: [{ name: 'x', type: colour }], result: colour } },
        { name: 'swap-string', type: { params: [{ name: 'x', type: t.string }], result: t.string } },
      ],
    },
    7,
    2,
  );
});

const correct = kernelEngine('kernel');

interface Bug {
  result?: (exportName: string, value: Value | undefined) => Value | undefined;
  hostArgs?: (args: Value[]) => Value[];
  memory?: (digest: string, calls: number) => string;
}

/** The kernel engine with one bug, introduced where an ABI implementation could have it. */
function mutant(name: string, bug: Bug): AbiEngine {
  return {
    name: `mutant: ${name}`,
    async load(component, host) {
      const wrapped = Object.fromEntries(
        Object.entries(host).map(([iface, fns]) => [
          iface,
          Object.fromEntries(
            Object.entries(fns).map(([fn, impl]) => [
              fn,
              (args: Value[]) => impl(bug.hostArgs?.(args) ?? args),
            ]),
          ),
        ]),
      );
      const loaded = await correct.load(component, wrapped);
      return {
        close: () => loaded.close(),
        async instantiate() {
          const instance = await loaded.instantiate();
          let calls = 0;
          return {
            call(exportName, args) {
              calls++;
              const outcome = instance.call(exportName, args);
              if (!outcome.ok || !bug.result) return outcome;
              return { ok: true, value: bug.result(exportName, outcome.value) };
            },
            memoryDigest: () =>
              bug.memory ? bug.memory(instance.memoryDigest(), calls) : instance.memoryDigest(),
          };
        },
      };
    },
  };
}

const MUTANTS: [string, Bug][] = [
  ['f64 -0 lifted as 0', { result: (e, v) => (e === 'swap-f64' && Object.is(v, -0) ? 0 : v) }],
  ['u64 through a double', { result: (e, v) => (e === 'swap-u64' ? BigInt(Number(v as bigint)) : v) }],
  ['enum discriminant off by one', { result: (e, v) => (e === 'swap-colour' && v === 'blue' ? 'red' : v) }],
  [
    'string lowered without its last code unit',
    { hostArgs: (args) => args.map((a) => (typeof a === 'string' ? a.slice(0, -1) : a)) },
  ],
  ['memory written differently', { memory: (digest, calls) => (calls === 3 ? `${digest}!` : digest) }],
];

describe('mutant engines are caught', () => {
  it.each(MUTANTS)('%s', async (name, bug) => {
    // Against the WIT semantics alone (one engine), except a memory difference, which only a second engine shows.
    const engines = bug.memory ? [correct, mutant(name, bug)] : [mutant(name, bug)];
    const problems = await differential(engines, entry);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes(`mutant: ${name}`))).toBe(true);
  });

  it('the correct engine passes the same vectors', async () => {
    expect(await differential([correct], entry)).toEqual([]);
  });
});
