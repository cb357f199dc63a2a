/**
 * Attack: an export returns a list of records of many fields (or of 32 flags). The host lifts
 * each as an object filled by keyed stores, which V8 turns into a dictionary past about 16
 * properties: up to 72 bytes a field, where the call's byte budget (host/abi/heap.ts) counted a
 * slot, 8. A list of 12,000 records of 64 bools (768 KB of guest memory) was admitted under an
 * 8 MiB budget at 6.9 MB and held about 38 MB of host heap; at the largest budget
 * (`HOST_CALL_BYTES`, a quarter of the heap limit) the same shape asks for 1.2-1.75 times the
 * whole heap, past V8's limit, where the host process dies. Such objects are now admitted at
 * their dictionary's size: the call traps before anything is allocated, and lists the budget
 * covers still cross, through `fn` and through `invokeSync` (whose JSON rendering is priced the
 * same way).
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const MEMORY = 8 * 1024 * 1024;
const FIELDS = 64;
const RECORD = Array.from({ length: FIELDS }, (_, i) => `a${i}: bool`).join(', ');
const FLAGS = Array.from({ length: 32 }, (_, i) => `b${i}`).join(', ');
const WIT = `package test:wide@0.1.0;
world wide {
  record r { ${RECORD} }
  flags f { ${FLAGS} }
  export records: func(n: u32) -> list<r>;
  export flagses: func(n: u32) -> list<f>;
}`;
// Both return a list of `n` elements of zeroes at 1024 (the return area at 8).
const WAT = `(module (memory (export "memory") 32)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "records") (param i32) (result i32)
    (i32.store (i32.const 8) (i32.const 1024)) (i32.store (i32.const 12) (local.get 0)) (i32.const 8))
  (func (export "flagses") (param i32) (result i32)
    (i32.store (i32.const 8) (i32.const 1024)) (i32.store (i32.const 12) (local.get 0)) (i32.const 8)))`;

const kernel = new Kernel({ cacheDir: tempCacheDir(), limits: { memoryBytes: MEMORY } });
afterAll(() => kernel.close());

// [export, elements admitted at a slot a field before (under 8 MiB), about 5x that in host heap]
const CASES = [
  ['records', 12_000],
  ['flagses', 22_000],
] as const;

for (const [name, n] of CASES) {
  it(`wide record heap (${name}): a list of objects past 16 fields is admitted at the dictionaries it becomes`, async () => {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'wide'));
    const sandbox = await kernel.spawn(module);
    const before = process.memoryUsage().heapUsed;
    let failure: { code?: string; message?: string } | undefined;
    let held: unknown[] | undefined;
    try {
      held = sandbox.fn<(n: number) => unknown[]>(name)(n);
    } catch (error) {
      failure = error as { code?: string; message?: string };
    }
    const grown = process.memoryUsage().heapUsed - before;
    // Compared by length: a failure never prints the list (COMMON.md, stop 37).
    expect(held?.length).toBeUndefined();
    expect(failure?.code).toBe('trap');
    expect(failure?.message).toMatch(`over the limit of ${MEMORY}`);
    expect(grown).toBeLessThan(MEMORY);
    // A list the budget covers crosses, and renders as JSON.
    const other = await kernel.spawn(module);
    expect(other.fn<(n: number) => unknown[]>(name)(100)).toHaveLength(100);
    expect(other.invokeSync(name, [100]).value).toHaveLength(100);
  });
}
