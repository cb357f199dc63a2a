/**
 * Attack (redteam15): a provider hands back lists and strings without charging them, and the
 * guest calls it in a loop. The canonical ABI priced no host-to-guest lowering: each provider had
 * to charge what it handed back, and one that forgot (`get-environment` did, 102x compute per
 * unit of fuel before 7f4e6bd) sold every string's call of the guest's realloc and its copy at
 * the price of a call. Now host/abi charges a host function's result as it lowers it, before the
 * guest's realloc is asked and before the copy (`LOWERED_ALLOC_BYTES` an allocation, a byte's
 * worth a byte, `LOWERED_ELEMENT_BYTES` a list element): the provider below charges nothing. A
 * result past the fuel left is `fuel-exhausted` before the guest's realloc runs.
 */
import { expect, it } from 'vitest';
import { LOWERED_ALLOC_BYTES, LOWERED_ELEMENT_BYTES } from '../../../host/abi/context.js';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { type CapabilityProvider, Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { nsPerFuel, spinRatios } from '../../helpers/fuel-ratio.js';
import { providerFlood, witTypes } from './support.js';

const LEN = 2_000;

const IFACE = `interface source {
  strings: func(n: u32) -> list<string>;
  empties: func(n: u32) -> list<string>;
  pairs: func(n: u32) -> list<tuple<u32, u32>>;
  bytes: func(n: u32) -> list<u8>;
  text: func(n: u32) -> string;
}`;
const WIT = `package keel:hostile;
${IFACE}
world w {
  import source;
  export flood: func(op: u32, n: u32, len: u32) -> u32;
}`;

// flood(op, n, len): one of the source's functions n times, each for `len`; the last result's
// length. The guest's realloc hands out the memory from 64 KiB on.
const WAT = `(module
  (import "keel:hostile/source" "strings" (func $strings (param i32 i32)))
  (import "keel:hostile/source" "empties" (func $empties (param i32 i32)))
  (import "keel:hostile/source" "pairs" (func $pairs (param i32 i32)))
  (import "keel:hostile/source" "bytes" (func $bytes (param i32 i32)))
  (import "keel:hostile/source" "text" (func $text (param i32 i32)))
  (memory (export "memory") 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    ;; Asked for more than 100,000 bytes: a trap (the result was lowered before it was priced).
    (if (i32.gt_u (local.get 3) (i32.const 100000)) (then unreachable))
    (i32.const 65536))
  (func (export "flood") (param $op i32) (param $n i32) (param $len i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.eqz (local.get $op)) (then (call $strings (local.get $len) (i32.const 16))))
      (if (i32.eq (local.get $op) (i32.const 1)) (then (call $empties (local.get $len) (i32.const 16))))
      (if (i32.eq (local.get $op) (i32.const 2)) (then (call $pairs (local.get $len) (i32.const 16))))
      (if (i32.eq (local.get $op) (i32.const 3)) (then (call $bytes (local.get $len) (i32.const 16))))
      (if (i32.eq (local.get $op) (i32.const 4)) (then (call $text (local.get $len) (i32.const 16))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.load (i32.const 20))))`;

const STRING = 'v'.repeat(8);

async function source(): Promise<CapabilityProvider> {
  // Made once: the provider's own work is nothing, what is measured is the lowering.
  const cache = new Map<string, unknown>();
  const kept = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    name: 'source',
    interfaces: ['keel:hostile/source'],
    wit: await witTypes(`${IFACE} world w { import source; }`),
    // None of them charges anything: the canonical ABI prices what each hands back.
    link: () => ({
      strings: (n: number) => kept(`s${n}`, () => Array.from({ length: n }, () => STRING)),
      empties: (n: number) => kept(`e${n}`, () => Array.from({ length: n }, () => '')),
      pairs: (n: number) => kept(`p${n}`, () => Array.from({ length: n }, (_, i) => [i, i])),
      bytes: (n: number) => kept(`b${n}`, () => new Uint8Array(n)),
      text: (n: number) => kept(`t${n}`, () => 'x'.repeat(n)),
    }),
  };
}

const { byte, call } = DEFAULT_HOST_COSTS;
// [op, what, the price of one call's result for LEN, in fuel; the guest's reallocs it asks]
const LIST = LOWERED_ALLOC_BYTES + LEN * 8 + LEN * LOWERED_ELEMENT_BYTES;
const OPS: [number, string, number, number][] = [
  [0, 'strings', (LIST + LEN * (LOWERED_ALLOC_BYTES + STRING.length)) * byte, 1 + LEN],
  [1, 'empty strings', LIST * byte, 1],
  [2, 'pairs', LIST * byte, 1],
  [3, 'bytes', (LOWERED_ALLOC_BYTES + LEN) * byte, 1],
  [4, 'a string', (LOWERED_ALLOC_BYTES + LEN) * byte, 1],
];

it('a provider that charges nothing for what it hands back: the canonical ABI prices each result, within 10x compute', async () => {
  const { kernel, flood } = await providerFlood(await source(), WAT, WIT);
  try {
    const fuel = (op: number, n: number) => flood.invokeSync('flood', [op, n, LEN]).fuel.used;
    for (const [op, what, price, allocs] of OPS) {
      // Ten more calls cost ten calls and ten results (and the loop's few instructions).
      const more = fuel(op, 11) - fuel(op, 1);
      expect(more, what).toBeGreaterThanOrEqual(10 * (call + price));
      // Beyond it: the loop's instructions, and the guest's realloc's own (5 fuel a call).
      expect(more, what).toBeLessThanOrEqual(10 * (call + price + 5 * allocs) + 400);
    }
    const ratios = await spinRatios(
      kernel,
      Object.fromEntries(
        OPS.map(([op, what]) => [what, () => nsPerFuel(() => flood.invokeSync('flood', [op, 50, LEN]))]),
      ),
      10,
    );
    // Before (no lowering price, load 20): 2,000 strings of 8 bytes 693x, empty strings 323x,
    // pairs of u32 1,734x, 2,000 bytes 10.0x, a string of 2,000 10.7x; now 0.8-4.5x.
    for (const [what, ratio] of Object.entries(ratios)) expect(ratio, what).toBeLessThan(10);
  } finally {
    await kernel.close();
  }
}, 180_000);

it('a result past the fuel left is fuel-exhausted before the guest’s realloc is asked for it', async () => {
  const kernel = new Kernel({ cacheDir: false, providers: [await source()] });
  try {
    const sandbox = await kernel.spawn(await kernel.load(await componentFromWat(WAT, WIT, 'w')), {
      grants: ['keel:hostile/source'],
    });
    // A string of 150,000 bytes costs 300,000 fuel and more: the call has 200,000. Lowered
    // first, the guest's realloc would have trapped (it refuses more than 100,000 bytes).
    await expect(sandbox.invoke('flood', [4, 1, 150_000], { fuel: 200_000 })).rejects.toMatchObject({
      code: 'fuel-exhausted',
    });
  } finally {
    await kernel.close();
  }
}, 60_000);
