/**
 * Attack (by the caller, on the host's CPU and heap): one export call given many borrows of one
 * guest resource and many owns (`gather(a: list<borrow<counter>>, b: list<counter>)`). Each own
 * was looked up among every borrow lent so far in the call (an array's `includes`), so the call
 * cost borrows × owns: quadratic (85 ms for 4,000 owns beside 50,000 borrows, 1.1 s for four
 * times both: 12.9x; 3.1x now, load 15); and the array, one entry per borrow, stayed with the export's context after the
 * call, holding the resources it named until the export's next call. The borrows lent are a
 * set now, emptied once the arguments are in: the call is linear, and a resource lent to it and
 * dropped afterwards is not kept alive by it.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestResource } from '../../../host/abi/handles.js';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
const IFACE = 'test:res/counters';

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  // The counters fixture with room for big lists (64 pages) and one more function: it drops
  // each own it is given and returns how many borrows it was lent.
  const wat = fixture('counters.wat')
    .replace('(memory (export "memory") 1)', '(memory (export "memory") 64)')
    .replace(
      /\)\s*$/,
      `(func (export "test:res/counters#gather") (param $ap i32) (param $an i32) (param $bp i32) (param $bn i32) (result i32)
        (local $i i32)
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $bn)))
          (call $drop (i32.load (i32.add (local.get $bp) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (local.get $an)))`,
    );
  const wit = fixture('counters.wit').replace(
    'total: func(c: borrow<counter>) -> u32;',
    'total: func(c: borrow<counter>) -> u32;\n  gather: func(a: list<borrow<counter>>, b: list<counter>) -> u32;',
  );
  const module = await kernel.load(await componentFromWat(wat, wit, 'res'));
  sandbox = await kernel.spawn(module, { limits: { handles: 100_000 } });
});
afterAll(() => kernel.close());

const make = (n: number) => sandbox.fn(`${IFACE}#[constructor]counter`)(n);

/** CPU ms of one `gather` of `borrows` borrows of one counter and `owns` fresh counters. */
function gather(borrows: number, owns: number): number {
  const lent = make(1);
  const given = Array.from({ length: owns }, (_, i) => make(i));
  const drops = sandbox.fn('drops')() as number;
  const cpu = process.cpuUsage();
  const result = sandbox.fn(`${IFACE}#gather`)(Array(borrows).fill(lent), given);
  const spent = process.cpuUsage(cpu);
  expect(result).toBe(borrows);
  expect(sandbox.fn('drops')()).toBe(drops + owns);
  return (spent.user + spent.system) / 1000;
}

it('many borrows and many owns in one call: time linear in their number', () => {
  gather(50_000, 4_000); // warm-up
  // The least of two at each size: a collection inside one sample only adds time (one large
  // sample read 8.35x in a full npm test at load 1-2, alone 4 of 4 pass).
  const small = Math.min(gather(50_000, 4_000), gather(50_000, 4_000));
  const large = Math.min(gather(200_000, 16_000), gather(200_000, 16_000));
  // Four times of each: linear is about 4x; borrows × owns was 16x. Generous for a loaded machine.
  expect(large / small, `${small.toFixed(1)} ms, 4x: ${large.toFixed(1)} ms`).toBeLessThan(8);
});

it('a resource lent to a call is not kept by it once the host drops it', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let c: GuestResource | undefined = make(3) as GuestResource;
  expect(sandbox.fn(`${IFACE}#total`)(c)).toBe(3);
  const state = new WeakRef(GuestResource.state(c)!);
  c[Symbol.dispose]();
  c = undefined;
  for (let i = 0; i < 3 && state.deref(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  expect(state.deref()).toBeUndefined();
});
