/**
 * Attack: a guest loops on the resource built-ins of a resource it defines (`resource.new`,
 * `resource.drop`, `resource.rep`: no grant needed), or hands the host's API a long list of its
 * own resources from an export. Each built-in changes or reads a handle table and each resource
 * the host takes up is an object of its own, yet the built-ins cost only the guest's call
 * instruction and a taken-up resource only its bytes: 30-45x and 330-470x compute per unit of
 * fuel (test/hostile/abi/PENDING.md, measured by this session's red team).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kernel, Sandbox } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');

/** The counters fixture, with three exports that flood the built-ins and the host's API. */
const WAT = fixture('counters.wat')
  .replace('(memory (export "memory") 1)', '(memory (export "memory") 4)')
  .replace(
    /\)\s*$/,
    `(func (export "test:res/counters#churn") (param $n i32) (result i32) (local $i i32)
      (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (call $drop (call $new (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
      (local.get $n))
    (func (export "test:res/counters#reps") (param $h i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
      (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $rep (local.get $h))))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
      (local.get $s))
    (func (export "test:res/counters#keep") (result i32) (call $new (i32.const 7)))
    (func (export "test:res/counters#give") (param $n i32) (result i32) (local $i i32)
      (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2))) (call $new (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
      (i32.store (i32.const 32) (i32.const 65536)) (i32.store (i32.const 36) (local.get $n)) (i32.const 32)))`,
  );
const WIT = fixture('counters.wit').replace(
  'total: func(c: borrow<counter>) -> u32;',
  `total: func(c: borrow<counter>) -> u32;
  churn: func(n: u32) -> u32;
  keep: func() -> u32;
  reps: func(h: u32, n: u32) -> u32;
  give: func(n: u32) -> list<counter>;`,
);

let kernel: Kernel;
let sandbox: Sandbox;
beforeAll(async () => {
  kernel = floodKernel();
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'res'));
  sandbox = await kernel.spawn(module);
});
afterAll(() => kernel.close());

const used = (run: () => unknown): number => {
  const before = sandbox.fuel().used;
  run();
  return sandbox.fuel().used - before;
};

it(`resource builtins underpriced: resource.new and resource.drop in a loop cost the host at most ${FUEL_BOUND}x compute per unit of fuel`, async () => {
  const churn = sandbox.fn<(n: number) => number>('test:res/counters#churn');
  const before = heapUsed();
  expect(await fuelRatio(() => used(() => churn(5_000)))).toBeLessThanOrEqual(FUEL_BOUND);
  expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
});

it(`resource builtins underpriced: resource.rep in a loop costs the host at most ${FUEL_BOUND}x compute per unit of fuel`, async () => {
  const reps = sandbox.fn<(h: number, n: number) => number>('test:res/counters#reps');
  // A resource the guest keeps in its own table (its handle a plain u32 to the host).
  const handle = sandbox.fn<() => number>('test:res/counters#keep')();
  expect(reps(handle, 3)).toBe(21);
  expect(await fuelRatio(() => used(() => reps(handle, 100_000)))).toBeLessThanOrEqual(FUEL_BOUND);
});

it(`resource builtins underpriced: an export's list of the guest's resources costs the host at most ${FUEL_BOUND}x compute per unit of fuel`, async () => {
  const give = sandbox.fn<(n: number) => Disposable[]>('test:res/counters#give');
  const before = heapUsed();
  const ratio = await fuelRatio(() =>
    used(() => {
      for (const r of give(2_000)) r[Symbol.dispose]();
    }),
  );
  expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
  expect(heapUsed() - before).toBeLessThan(64 * 1024 * 1024);
});
