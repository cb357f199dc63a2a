/**
 * Attack: a worker sandbox's guest makes its worker's V8 heap overflow. Its export returns a
 * list of strings that all name the same megabyte of its memory: each is admitted (the call's
 * cap is the sandbox's memory limit, 64 MiB here) and decoded in the worker, whose heap is
 * bounded far lower (`workers.heapMb`: 16 MiB). V8 ends the worker (ERR_WORKER_OUT_OF_MEMORY):
 * through `invoke` the call fails with `memory-limit`; through the synchronous path (the
 * kernel's thread blocked on the channel, its event loop unable to hear of the death) with
 * `killed` as soon as the thread is seen gone, long before the call's deadline. Either way the
 * sandbox is over, the thread is gone, the pool gives the next spawn a fresh worker, and the
 * host process's memory comes back down.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const WAT = readFileSync(
  new URL('../../../guests/wat/hostile/abi/aliased-strings.wat', import.meta.url),
  'utf8',
);
const WIT = `package test:hostile-isolate;
world bomb { export bomb: func(n: u32) -> list<string>; }`;

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

it('worker heap exhaustion: the call fails with memory-limit, the worker is replaced, the host goes on', async () => {
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    placement: 'worker',
    workers: { warm: 0, heapMb: 16 },
    limits: { memoryBytes: 64 * 1024 * 1024 },
  });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'bomb'));
    const baseline = threads();
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < 3; round++) {
      const sandbox = await kernel.spawn(module);
      const started = performance.now();
      const failure = await sandbox.invoke('bomb', [48]).then(
        () => 'returned',
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(failure, String(failure)).toMatchObject({ code: 'memory-limit' });
      // Long before the call's deadline: the worker's death is noticed, not waited out.
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(sandbox.state).not.toBe('ready');
      expect(await settles(() => threads() <= baseline, 10_000), 'the worker thread is gone').toBe(true);
    }
    // The synchronous path: the kernel's thread waits on the channel, not on its event loop.
    const sandbox = await kernel.spawn(module);
    const bomb = sandbox.fn<(n: number) => string[]>('bomb');
    const started = performance.now();
    let failure: unknown;
    try {
      bomb(48);
    } catch (error) {
      failure = error;
    }
    expect(failure, String(failure)).toMatchObject({ code: 'killed', details: { reason: 'thread-ended' } });
    // The deadline is 30 s: the death was seen, not waited out.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await settles(() => threads() <= baseline, 10_000), 'the worker thread is gone').toBe(true);
    // The pool hands the next spawn a fresh worker; a small call runs.
    const fresh = await kernel.spawn(module);
    expect(((await fresh.invoke('bomb', [1])).value as string[])[0]).toHaveLength(1024 * 1024);
    // Three heaps of 16 MiB and more were filled and dropped: the process holds none of them.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(160 * 1024 * 1024);
  } finally {
    await kernel.close();
  }
}, 120_000);
