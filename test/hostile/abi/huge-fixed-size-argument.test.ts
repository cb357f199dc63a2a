/**
 * Attack: a host function declared by the guest to take one tuple of 117,649 booleans (six
 * levels of `tuple` seven wide: a legal type, under the 1,000,000 size limit). Passed in memory,
 * it has no list or string in it, so none of it was admitted: each call cost the guest the
 * call's price (about 100 fuel) and the host about 7 ms of lifting into 20,000 arrays. A fuel
 * slice (131,072) then lasted 1,149 calls: a 2 s deadline was looked at after 7.7 s, and a
 * function taking several such values multiplies that. A value's fixed part is now admitted
 * like a list's elements (host/abi/heap.ts): bounded by limits.hostArgBytes and charged, so this
 * call is refused before anything is lifted and the host carries on.
 */
import { expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const seven = (t: string) => `tuple<${Array(7).fill(t).join(', ')}>`;
let types = `type t1 = ${seven('bool')};`;
for (let i = 2; i <= 6; i++) types += `\n  type t${i} = ${seven(`t${i - 1}`)};`;

const WIT = `package test:hostile-abi;
interface sink {
  ${types}
  take: func(v: t6);
}
world w { import sink; export run: func(n: u32) -> u32; }`;

/** Calls take(the first 117,649 bytes of memory) n times. */
const WAT = `(module
  (import "test:hostile-abi/sink" "take" (func $take (param i32)))
  (memory (export "memory") 2)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "run") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $next (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $take (i32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $i)))`;

it('huge fixed-size argument: admitted before it is lifted, refused, and the host carries on', async () => {
  let calls = 0;
  const sink: CapabilityProvider = {
    name: 'sink',
    interfaces: ['test:hostile-abi/sink'],
    link: () => ({
      take: () => {
        calls++;
      },
    }),
  };
  const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [sink], limits: { deadlineMs: 2_000 } });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'w'));
    const sandbox = await kernel.spawn(module, { grants: ['test:hostile-abi/sink'] });
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const failure = await sandbox.invoke('run', [1_000_000]).then(
      () => undefined,
      (error: unknown) => error as { code?: string; details?: Record<string, unknown> },
    );
    const elapsed = performance.now() - started;
    expect(failure?.code).toBe('resource-limit');
    expect(failure?.details?.limit).toBe('hostArgBytes');
    expect(calls, 'the provider never ran').toBe(0);
    expect(elapsed).toBeLessThan(5_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    // A fresh sandbox of the same module runs a call that takes nothing.
    expect(
      (await (await kernel.spawn(module, { grants: ['test:hostile-abi/sink'] })).invoke('run', [0])).value,
    ).toBe(0);
  } finally {
    await kernel.close();
  }
}, 60_000);
