/**
 * Attack: a worker sandbox's guest drives its worker's V8 heap to its limit. Node's worker heap
 * limit (`workers.heapMb`) is best effort: reaching it ends the worker for some allocation
 * shapes and aborts the whole host process for others (nodejs/node#47224). Its export returned
 * `list<bool>` of 8,000,000 elements (`new Array(n)` filled by index: 64 MB of slots) under
 * `heapMb: 16` and `memoryBytes: 64 MiB`, which the kernel accepted: the host process died of
 * SIGABRT ("JavaScript heap out of memory"), 20 times of 20 (a list of strings naming one
 * megabyte 48 times ended the worker instead). The first line must hold: a worker sandbox whose
 * per-call bounds (`memoryBytes`, `hostArgBytes`, `messageBytes`) exceed a quarter of its heap is
 * refused at spawn, and under ones that fit, the same exports fail typed, their allocations
 * refused before they are made, and the worker is never driven to its limit. A worker's thread
 * that ends on its own (here ended from outside) still ends a synchronous call with `killed`
 * as soon as the thread is seen gone, long before the call's deadline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const MiB = 1024 * 1024;
const STRINGS_WAT = readFileSync(
  new URL('../../../guests/wat/hostile/abi/aliased-strings.wat', import.meta.url),
  'utf8',
);
const STRINGS_WIT = `package test:hostile-isolate;
world bomb { export bomb: func(n: u32) -> list<string>; }`;
/** `bomb(n)`: a list of n bools at 64 (n bytes of guest memory, 8n of host heap as an array). */
const BOOLS_WAT = `(module
  (memory (export "memory") 60)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "bomb") (param $n i32) (result i32)
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16)))`;
const BOOLS_WIT = `package test:hostile-isolate;
world bomb { export bomb: func(n: u32) -> list<bool>; }`;

/** Threads of this process (a worker is one; an ended worker's is gone). */
function threads(): number {
  return readdirSync('/proc/self/task').length;
}

async function settles(check: () => boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.close();
});

function kernel(heapMb: number, memoryBytes: number): Kernel {
  const made = new Kernel({
    cacheDir: tempCacheDir(),
    placement: 'worker',
    workers: { warm: 0, heapMb },
    limits: { memoryBytes, fuel: 1e12 },
  });
  kernels.push(made);
  return made;
}

it('a worker sandbox whose per-call bounds exceed a quarter of its heap is refused at spawn', async () => {
  const small = kernel(16, 64 * MiB);
  const module = await small.load(await componentFromWat(BOOLS_WAT, BOOLS_WIT, 'bomb'));
  const baseline = threads();
  await expect(small.spawn(module)).rejects.toMatchObject({
    code: 'invalid-argument',
    details: { limit: 'memoryBytes', most: 4 * MiB, heapMb: 16 },
  });
  // Each per-call bound, and a spawn's own limits as much as the kernel's.
  await expect(
    small.spawn(module, { limits: { memoryBytes: 4 * MiB, hostArgBytes: 5 * MiB } }),
  ).rejects.toMatchObject({ code: 'invalid-argument', details: { limit: 'hostArgBytes' } });
  await expect(
    small.spawn(module, { limits: { memoryBytes: 4 * MiB, messageBytes: 4 * MiB + 1 } }),
  ).rejects.toMatchObject({ code: 'invalid-argument', details: { limit: 'messageBytes' } });
  const defaults = kernel(256, 64 * MiB);
  const bigger = await defaults.load(await componentFromWat(BOOLS_WAT, BOOLS_WIT, 'bomb'));
  await expect(defaults.spawn(bigger, { limits: { memoryBytes: 64 * MiB + 65536 } })).rejects.toMatchObject({
    code: 'invalid-argument',
    details: { limit: 'memoryBytes' },
  });
  // No worker was started for a refused spawn; inline, the same limits spawn (no worker heap).
  expect(threads()).toBeLessThanOrEqual(baseline);
  expect((await small.spawn(module, { placement: 'inline' })).state).toBe('ready');
  // At the share, it spawns.
  expect((await small.spawn(module, { limits: { memoryBytes: 4 * MiB } })).state).toBe('ready');
}, 60_000);

it('under bounds the heap holds, the shapes that drove a worker to its heap limit fail typed, the worker untouched', async () => {
  const small = kernel(16, 4 * MiB);
  const strings = await small.load(await componentFromWat(STRINGS_WAT, STRINGS_WIT, 'bomb'));
  const bools = await small.load(await componentFromWat(BOOLS_WAT, BOOLS_WIT, 'bomb'));
  for (const [module, n] of [
    [strings, 48],
    [bools, 3_900_000],
  ] as const) {
    const sandbox = await small.spawn(module);
    const failure = await sandbox.invoke('bomb', [n]).then(
      () => 'returned',
      (error: unknown) => error as { code?: string; message?: string },
    );
    // Refused by the call's byte budget (limits.memoryBytes) before it was allocated: a trap, not
    // the worker's death (memory-limit, killed).
    expect(failure, String(failure)).toMatchObject({ code: 'trap' });
    // A trap poisons the instance (the component model's rule); its worker was not ended.
    expect(sandbox.state).toBe('poisoned');
    // Synchronously too, and a call that fits runs.
    const next = await small.spawn(module);
    const bomb = next.fn<(k: number) => unknown[]>('bomb');
    expect(bomb(2)).toHaveLength(2);
    expect(() => bomb(n)).toThrow(expect.objectContaining({ code: 'trap' }));
    expect(next.state).toBe('poisoned');
  }
  // A fresh sandbox's call that fits runs.
  expect(((await (await small.spawn(bools)).invoke('bomb', [3])).value as boolean[]).length).toBe(3);
}, 60_000);

it("a worker's thread that ends during a synchronous call ends it with killed, not at the deadline", async () => {
  // The workers the pool makes, seen from here: one is ended from outside the kernel, as a
  // crash would end it, while the kernel's thread is blocked on the channel.
  const threadsModule = process.getBuiltinModule('node:worker_threads');
  const Real = threadsModule.Worker;
  const made: Worker[] = [];
  threadsModule.Worker = class extends Real {
    constructor(...args: ConstructorParameters<typeof Real>) {
      super(...args);
      made.push(this);
    }
  };
  try {
    const small = kernel(16, 4 * MiB);
    const module = await small.load(await componentFromWat(STRINGS_WAT, STRINGS_WIT, 'bomb'));
    const baseline = threads();
    const sandbox = await small.spawn(module);
    expect(made).toHaveLength(1);
    const bomb = sandbox.fn<(n: number) => string[]>('bomb');
    expect(bomb(1)[0]).toHaveLength(MiB);
    // Ended from outside: the kernel hears nothing of it on its event loop, which the
    // synchronous call below blocks.
    void made[0]!.terminate();
    const started = performance.now();
    let failure: unknown;
    try {
      bomb(1);
    } catch (error) {
      failure = error;
    }
    expect(failure, String(failure)).toMatchObject({ code: 'killed', details: { reason: 'thread-ended' } });
    // The deadline is 30 s: the death was seen, not waited out.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(sandbox.state).not.toBe('ready');
    expect(await settles(() => threads() <= baseline, 10_000), 'the worker thread is gone').toBe(true);
    // The pool hands the next spawn a fresh worker; a small call runs.
    const fresh = await small.spawn(module);
    expect(((await fresh.invoke('bomb', [1])).value as string[])[0]).toHaveLength(MiB);
  } finally {
    threadsModule.Worker = Real;
  }
}, 60_000);
