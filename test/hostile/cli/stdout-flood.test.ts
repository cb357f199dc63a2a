/**
 * Attack: flood stdout to exhaust the host's memory or the log. Output is kept up to the
 * sandbox's byte cap; the rest is dropped and counted, never buffered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runGuest, type World, world } from '../../caps/harness.js';

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.close());

it('keeps the first outputBytes, drops and counts the rest, and lets the guest finish', async () => {
  const cap = 64 * 1024;
  const flood = 32 * 1024 * 1024;
  const result = await runGuest(w.kernel, 'fsprobe', ['flood', String(flood)], {
    limits: { outputBytes: cap },
  });
  // The guest saw every write succeed (its own count is in the dropped part).
  expect(result.exit).toBeUndefined();
  expect(result.stdout.length).toBe(cap);
  const stdoutEvents = w.events.filter((e) => e.event === 'guest:stdout');
  const kept = stdoutEvents
    .filter((e) => e.status !== 'dropped')
    .reduce((n, e) => n + ((e.data as { bytes: number }).bytes ?? 0), 0);
  expect(kept).toBe(cap);
  const summary = stdoutEvents
    .filter((e) => e.status === 'dropped')
    .map((e) => e.data as Record<string, number>);
  expect(summary[0]).toMatchObject({ dropped: true, limit: cap });
  // Emitted when the sandbox ends: how much was dropped in all.
  expect(summary.at(-1)).toMatchObject({ kept: cap, limit: cap });
  expect(summary.at(-1)!.dropped).toBeGreaterThanOrEqual(flood - cap);
  // A sandbox spawned afterwards has its own, fresh allowance.
  const next = await runGuest(w.kernel, 'stdio', []);
  expect(next.stdout).toBe('hello from C\n');
});
