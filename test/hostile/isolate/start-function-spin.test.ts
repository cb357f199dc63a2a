/**
 * Attack: a worker sandbox's start function spins. Inline, a start function runs under the
 * call's deadline (`limits.deadlineMs`) like any call; in a worker nothing watched the
 * instantiation: the spawn waited for as long as the guest's fuel lasted (for ever with
 * metering off, or with a budget as large as this one), a thread of the process spun all that
 * time, and closing the kernel did not end it (the sandbox was not in its table yet). The
 * spawn must fail with `timeout` at the deadline, and its thread must be gone.
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const SPIN_AT_START =
  '(module (func $spin (loop $l (br $l))) (start $spin) (func (export "ok") (result i32) (i32.const 7)))';
const OK = '(module (func (export "ok") (result i32) (i32.const 7)))';

/** Threads of this process (a worker is one; a terminated worker's is gone). */
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

it('start function spin in a worker: the spawn fails with timeout at the deadline and its thread ends', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), workers: { warm: 0 } });
  try {
    const spin = await kernel.load(await wat(SPIN_AT_START));
    const ok = await kernel.load(await wat(OK));
    const before = threads();
    const started = performance.now();
    // Fuel for hours: only the deadline can end it.
    const spawned = kernel.spawn(spin, {
      placement: 'worker',
      limits: { deadlineMs: 1_000, fuel: 1e15, fuelTotal: 1e15 },
    });
    const outcome = await Promise.race([
      spawned.then(
        () => 'spawned',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still spinning'), 20_000)),
    ]);
    expect((outcome as { code?: string }).code, String(outcome)).toBe('timeout');
    // The deadline, plus the thread's start on a loaded machine.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await settles(() => threads() <= before, 5_000), 'the spinning thread is ended').toBe(true);
    // The kernel goes on: another worker sandbox runs.
    const next = await kernel.spawn(ok, { placement: 'worker' });
    expect((await next.invoke('ok')).value).toBe(7);
  } finally {
    await kernel.close();
  }
}, 60_000);

it('start function spin in a worker: closing the kernel ends the starting sandbox at once', async () => {
  const kernel = new Kernel({
    cacheDir: tempCacheDir(),
    workers: { warm: 0 },
    limits: { deadlineMs: 60_000, fuel: 1e15, fuelTotal: 1e15 },
  });
  const spin = await kernel.load(await wat(SPIN_AT_START));
  const before = threads();
  const spawned = kernel.spawn(spin, { placement: 'worker' }).then(
    () => 'spawned',
    (error: unknown) => error,
  );
  // Let the worker start and spin.
  await settles(() => threads() > before, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  await kernel.close();
  const outcome = await spawned;
  expect((outcome as { code?: string }).code, String(outcome)).toBe('killed');
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(await settles(() => threads() <= before, 5_000), 'the spinning thread is ended').toBe(true);
}, 60_000);
