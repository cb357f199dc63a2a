/**
 * The plan's encoding for the disk cache (host/abi/plan-codec.ts): a decoded plan is the plan
 * the planner made, object for object (the same sharing, the same frozen objects, resource types
 * and WIT's primitive types restored), for every committed component; the decoder refuses
 * anything it did not write and never throws; the encoder refuses what it does not know, so a
 * property the planner adds fails here until the codec lists it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ComponentPlan, planComponent } from '../../host/abi/plan.js';
import { decodePlan, encodePlan } from '../../host/abi/plan-codec.js';
import { prim, ResourceType } from '../../host/abi/types.js';
import { ADDER_WAT, ADDER_WIT, BENCH_WAT, BENCH_WIT, componentFromWat } from '../helpers/components.js';
import { referenceEncodePlan } from '../helpers/plan-codec-reference.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every committed component (a file whose preamble says layer 1). */
function committedComponents(): string[] {
  const files = execFileSync('git', ['ls-files', '*.wasm'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return files.filter((f) => {
    if (!f) return false;
    const head = readFileSync(`${ROOT}/${f}`).subarray(0, 8);
    return head[4] === 0x0d && head[6] === 0x01;
  });
}

/**
 * `a` and `b` are the same graph: a one-to-one map between their objects under which every
 * property, map entry and element agrees (a resource type's process-wide `id` aside), with the
 * same prototypes and the same frozen objects; views of the same bytes.
 */
function expectSameGraph(a: unknown, b: unknown, path = 'plan', there = new Map(), back = new Map()): void {
  if (typeof a !== 'object' || a === null) {
    if (!Object.is(a, b)) throw new Error(`${path}: ${String(a)} against ${String(b)}`);
    return;
  }
  if (typeof b !== 'object' || b === null) throw new Error(`${path}: an object against ${String(b)}`);
  if (there.has(a) || back.has(b)) {
    if (there.get(a) !== b) throw new Error(`${path}: shared differently`);
    return;
  }
  there.set(a, b);
  back.set(b, a);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) throw new Error(`${path}: another prototype`);
  if (Object.isFrozen(a) !== Object.isFrozen(b)) throw new Error(`${path}: frozen differently`);
  if (a instanceof Uint8Array) {
    const v = b as Uint8Array;
    if (a.buffer !== v.buffer || a.byteOffset !== v.byteOffset || a.length !== v.length)
      throw new Error(`${path}: another view`);
    return;
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    const ka = [...a.keys()];
    const kb = [...m.keys()];
    if (ka.length !== kb.length) throw new Error(`${path}: ${ka.length} entries against ${kb.length}`);
    ka.forEach((k, i) => {
      expectSameGraph(k, kb[i], `${path}<key ${i}>`, there, back);
      expectSameGraph(a.get(k), m.get(kb[i]), `${path}[${typeof k === 'string' ? k : i}]`, there, back);
    });
    return;
  }
  const keys = (o: object) => Object.keys(o).filter((k) => !(o instanceof ResourceType && k === 'id'));
  const ka = keys(a);
  const kb = keys(b);
  if (ka.join() !== kb.join()) throw new Error(`${path}: keys ${ka.join()} against ${kb.join()}`);
  for (const k of ka)
    expectSameGraph(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
      there,
      back,
    );
}

/** Every object a plan reaches. */
function objectsOf(x: unknown, into = new Set<object>()): Set<object> {
  if (typeof x !== 'object' || x === null || into.has(x)) return into;
  into.add(x);
  if (x instanceof Uint8Array) return into;
  if (x instanceof Map) {
    for (const [k, v] of x) {
      objectsOf(k, into);
      objectsOf(v, into);
    }
    return into;
  }
  for (const v of Object.values(x)) objectsOf(v, into);
  return into;
}

const isPrim = (o: object) => {
  const kind = (o as { kind?: unknown }).kind;
  return (
    typeof kind === 'string' &&
    kind !== 'resource' &&
    (() => {
      try {
        return prim(kind as 'bool') === o;
      } catch {
        return false;
      }
    })()
  );
};

describe('plan-codec', () => {
  const files = committedComponents();

  it('finds the committed components', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toContain('guests/sdk-probe/c/probe.wasm');
  });

  it.each(files)('%s: the decoded plan is the planned one', (file) => {
    const bytes = new Uint8Array(readFileSync(`${ROOT}/${file}`));
    const plan = planComponent(bytes);
    const encoded = encodePlan(plan, bytes);
    expect(encoded).toBeDefined();
    const decoded = decodePlan(encoded!, bytes);
    expect(decoded).toBeDefined();
    expectSameGraph(plan, decoded);
    // A plan shares no object with another plan but WIT's primitive types: a decoded plan's
    // copies are then as good as the planner's own.
    const again = objectsOf(planComponent(bytes));
    const shared = [...objectsOf(plan)].filter((o) => again.has(o) && !isPrim(o));
    expect(shared).toEqual([]);
  });

  it('writes the bytes the reference encoder writes, for every committed component and the fixtures', async () => {
    const components: Uint8Array[] = files.map((f) => new Uint8Array(readFileSync(`${ROOT}/${f}`)));
    components.push(
      await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'),
      await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'),
    );
    for (const bytes of components) {
      const plan = planComponent(bytes);
      const reference = referenceEncodePlan(plan, bytes);
      expect(reference).toBeDefined();
      expect(Buffer.from(encodePlan(plan, bytes)!).equals(Buffer.from(reference!))).toBe(true);
    }
    // What either refuses, both refuse: a cycle, a property not in KEYS, another class.
    const bytes = components.at(-1)!;
    const cyclic = planComponent(bytes) as unknown as { options: unknown[] };
    cyclic.options.push(cyclic);
    const extra = { ...planComponent(bytes), surprise: 1 } as unknown as ComponentPlan;
    const other = { ...planComponent(bytes), componentInstances: new Set() } as unknown as ComponentPlan;
    for (const plan of [cyclic as unknown as ComponentPlan, extra, other]) {
      expect(referenceEncodePlan(plan, bytes)).toBeUndefined();
      expect(encodePlan(plan, bytes)).toBeUndefined();
    }
  });

  it('the fixtures: the decoded plan is the planned one', async () => {
    for (const bytes of [
      await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'),
      await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'),
    ]) {
      const plan = planComponent(bytes);
      expectSameGraph(plan, decodePlan(encodePlan(plan, bytes)!, bytes));
    }
  });

  it('a decoded plan is not read against another component’s bytes past their end', async () => {
    const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
    const encoded = encodePlan(planComponent(bytes), bytes)!;
    expect(decodePlan(encoded, bytes.subarray(0, 16))).toBeUndefined();
  });

  it('the encoder refuses what it does not know (the plan is then not cached)', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const plan = planComponent(bytes);
    const variants: ComponentPlan[] = [
      { ...plan, extra: 1 } as unknown as ComponentPlan,
      { ...plan, componentInstances: Number.NaN },
      { ...plan, imports: [new Date() as never] },
      { ...plan, modules: [{ ...plan.modules[0]!, bytes: Uint8Array.from(plan.modules[0]!.bytes) }] },
      { ...plan, exports: new Map([['f', (() => 1) as never]]) },
    ];
    for (const v of variants) expect(encodePlan(v, bytes)).toBeUndefined();
    const cyclic: Record<string, unknown> = { kind: 'list' };
    cyclic.element = cyclic;
    expect(encodePlan({ ...plan, imports: [cyclic as never] }, bytes)).toBeUndefined();
  });

  it('never throws on altered bytes: each is refused or decodes to a plan of the same shape', async () => {
    const bytes = new Uint8Array(readFileSync(`${ROOT}/guests/sdk-probe/rust/probe.wasm`));
    const encoded = encodePlan(planComponent(bytes), bytes)!;
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const altered = Uint8Array.from(encoded);
      for (let k = 0; k <= i % 4; k++) altered[random() % altered.length] = random() & 0xff;
      const plan = decodePlan(altered, bytes);
      if (plan) {
        expect(plan.modules.every((m) => m.bytes.buffer === bytes.buffer)).toBe(true);
        expect(plan.exports).toBeInstanceOf(Map);
      }
    }
    for (let cut = 0; cut < encoded.length; cut += 997)
      expect(decodePlan(encoded.subarray(0, cut), bytes)).toBeUndefined();
  });

  it('names from the component stay values: a __proto__ export is a map key, and decodes as one', async () => {
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const plan = planComponent(bytes);
    const exports = new Map(plan.exports);
    exports.set('__proto__', { sort: 'instance', exports: new Map() });
    const decoded = decodePlan(encodePlan({ ...plan, exports }, bytes)!, bytes)!;
    expect(decoded.exports.get('__proto__')).toEqual({ sort: 'instance', exports: new Map() });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});
