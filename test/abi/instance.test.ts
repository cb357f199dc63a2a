import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handleLimitCounter } from '../../host/abi/handles.js';
import { ComponentInstance } from '../../host/abi/instance.js';
import { planComponent } from '../../host/abi/plan.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

async function instantiate(file: string): Promise<ComponentInstance> {
  const plan = planComponent(readFileSync(root(file)));
  const modules = await Promise.all(
    plan.modules.map((m) => WebAssembly.compile(m.bytes as Uint8Array<ArrayBuffer>)),
  );
  return new ComponentInstance(plan, modules, {
    imports: {},
    instantiateCore: (m, i) => new WebAssembly.Instance(m, i),
    bytes: { maxCallBytes: 1 << 30, maxHostArgBytes: 1 << 30, charge: () => {}, chargeCall: () => {} },
    handles: handleLimitCounter(1000),
  });
}

describe('a component instance without glue', () => {
  it('calls exports of every shape with host values (jco 1.12 conventions)', async () => {
    const types = await instantiate('guests/as/types/types.wasm');
    const f = (n: string) => types.exportFunction(n)!.fn;
    expect(f('numbers#add-u8')(200, 100)).toBe(44);
    expect(f('keel:types/text#char-count')('héllo')).toBe(5);
    expect(f('keel:types/text@0.1.0#upper')('héllo')).toBe('HÉLLO');
    expect(f('count-true')([true, false, true])).toBe(2);
    expect(f('widen')(new Uint32Array([1, 2]))).toEqual(new BigUint64Array([4294967296n, 8589934592n]));
    expect(f('numbers#mul-s64')(4294967296n, 2n)).toBe(8589934592n);
    expect(f('join')(['a', 'b', 'c'], '-')).toBe('a-b-c');
    expect(f('echo-strings')(['x', 'yy', ''])).toEqual(['x', 'yy', '']);
    expect(f('xor-bytes')(new Uint8Array([1, 2, 3]), 1)).toEqual(new Uint8Array([0, 3, 2]));
    expect(f('negate-all')([true, false])).toEqual([false, true]);
    expect(f('sixteen')(...Array.from({ length: 16 }, (_, i) => i))).toBe(1360n);
    expect(f('numbers#max-u64')()).toBe(18446744073709551615n);
    expect(f('numbers#invert')(true)).toBe(false);
    expect(f('numbers#half-f32')(3)).toBe(1.5);
    expect(f('nothing')()).toBeUndefined();
  });

  it('checks arguments strictly, naming the parameter and its WIT type', async () => {
    const types = await instantiate('guests/as/types/types.wasm');
    const f = (n: string) => types.exportFunction(n)!.fn;
    expect(() => f('numbers#add-u8')(300, 1)).toThrow(
      /argument 1 \(a: u8\) of "numbers#add-u8": 300 is not a u8/,
    );
    expect(() => f('numbers#mul-s64')(1, 2n)).toThrow(/argument 1 \(a: s64\).*expected a BigInt/);
    expect(() => f('numbers#add-u32')(1)).toThrow(/takes 2 argument\(s\) \(a: u32, b: u32\), got 1/);
    expect(() => f('join')(['a', 7], '-')).toThrow(
      /argument 1 \(parts: list<string>\).*element 1: expected a string, got 7/,
    );
    expect(() => f('numbers#add-u8')(1, 2)).not.toThrow();
  });

  it('has no export for unknown names', async () => {
    const types = await instantiate('guests/as/types/types.wasm');
    expect(types.exportFunction('nope')).toBeUndefined();
    expect(types.exportFunction('numbers#nope')).toBeUndefined();
  });
});
