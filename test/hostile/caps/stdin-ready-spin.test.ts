/**
 * Attack: spin on `pollable.ready` (or a non-blocking `input-stream.read`) of a stdin that has no
 * input: a terminal or a pipe read through `fdSource`, as `keel run` gives a guest by default.
 * Each look was a 64 KiB buffer and a `read(2)` that fails with EAGAIN (an exception in Node),
 * priced as the guest's call alone: 20,000 looks took 3.6 s of the host's CPU (13 s at load 22)
 * for 100 million fuel, 600x compute, the kernel's thread held throughout. After a look that
 * found nothing, `ready` answers "not yet" for 1 ms without looking again.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fdSource, type Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const WIT = `package test:hostile;
world stdin-ready-spin {
  import wasi:cli/stdin@0.2.3;
  import wasi:io/poll@0.2.3;
  /// Asks stdin's pollable whether it is ready n times; returns how often it was.
  export spin: func(n: u32) -> u32;
}
package wasi:io@0.2.3 {
  interface poll { resource pollable { ready: func() -> bool; } }
  interface streams { use poll.{pollable}; resource input-stream { subscribe: func() -> pollable; } }
}
package wasi:cli@0.2.3 {
  interface stdin { use wasi:io/streams@0.2.3.{input-stream}; get-stdin: func() -> input-stream; }
}
`;

const WAT = `(module
  (import "wasi:cli/stdin@0.2.3" "get-stdin" (func $stdin (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]input-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $pollable (mut i32) (i32.const -1))
  (func (export "spin") (param $n i32) (result i32) (local $i i32) (local $ready i32)
    (if (i32.lt_s (global.get $pollable) (i32.const 0))
      (then (global.set $pollable (call $subscribe (call $stdin)))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ready (i32.add (local.get $ready) (call $ready (global.get $pollable))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $ready)))`;

let kernel: Kernel;
let dir: string;
let fd: number;
beforeAll(() => {
  kernel = floodKernel();
  dir = mkdtempSync(join(tmpdir(), 'keel-stdin-spin-'));
  // A pipe nobody writes to and nobody closes: stdin with no input, as a quiet terminal is.
  execFileSync('mkfifo', [join(dir, 'stdin')]);
  fd = openSync(join(dir, 'stdin'), constants.O_RDWR | constants.O_NONBLOCK);
});
afterAll(async () => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  await kernel.close();
});

it(`stdin ready spin: a unit of fuel spent asking an idle stdin costs the host at most ${FUEL_BOUND}x compute`, async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'stdin-ready-spin'));
  const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdin'], io: { stdin: fdSource(fd) } });
  const before = heapUsed();
  const ratio = await fuelRatio(() => sandbox.invokeSync('spin', [2_000]).fuel.used);
  expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
  expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
  sandbox.terminate('done');
});

it('stdin ready spin: input that arrives is still seen', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'stdin-ready-spin'));
  const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdin'], io: { stdin: fdSource(fd) } });
  expect(sandbox.invokeSync('spin', [100]).value).toBe(0);
  const writer = openSync(join(dir, 'stdin'), constants.O_WRONLY | constants.O_NONBLOCK);
  writeSync(writer, 'x');
  closeSync(writer);
  // Within the quiet millisecond and after it: once seen, ready stays true (nothing read it).
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(sandbox.invokeSync('spin', [10]).value).toBe(10);
  sandbox.terminate('done');
});
