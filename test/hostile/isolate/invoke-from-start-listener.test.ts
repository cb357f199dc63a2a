/**
 * Attack (the embedder's own code, review13): start a second call on a worker sandbox from an
 * `invoke:start` listener of the first. The first call was checked before the listener ran and
 * then sent its frame after the second had sent its own: the worker saw two calls at once, both
 * ended as `internal` ("a result frame out of turn") and the sandbox was killed. Now the first
 * call checks again after the embedder's code and is refused as re-entrant; the second runs, and
 * the sandbox stays usable. On a sandbox of the kernel's thread a call from the listener runs to
 * its end before the first goes on (test/kernel/invoke-bookkeeping).
 */
import { expect, it } from 'vitest';
import { type CapabilityProvider, KeelError, Kernel } from '../../../host/index.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat, tempCacheDir } from '../../helpers/components.js';

it('invoke from start listener: a worker sandbox refuses the outer call as re-entrant and survives', async () => {
  const provider: CapabilityProvider = {
    name: 'bench-host',
    interfaces: ['keel:bench/host'],
    link: () => ({ tick: (x: number) => (x + 1) >>> 0 }),
  };
  const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [provider], placement: 'worker' });
  try {
    const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
    const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
    let inner: Promise<unknown> | undefined;
    let started = false;
    const off = kernel.on('invoke:start', () => {
      if (started) return;
      started = true;
      inner = sandbox.invoke('add', [1, 2]).then(
        (o) => o.value,
        (e: unknown) => e,
      );
    });
    const outer = await sandbox.invoke('add', [40, 2]).then(
      (o) => o.value,
      (e: unknown) => e,
    );
    off();
    expect(outer).toBeInstanceOf(KeelError);
    expect((outer as KeelError).code).toBe('invalid-argument');
    expect((outer as KeelError).message).toMatch(/re-entrant/);
    expect(await inner).toBe(3);
    expect(sandbox.state).toBe('ready');
    expect((await sandbox.invoke('add', [2, 2])).value).toBe(4);
  } finally {
    await kernel.close();
  }
}, 60_000);
