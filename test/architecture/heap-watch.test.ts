/**
 * Every test file's process names the test running when its heap passed the watch's mark
 * (test/helpers/heap-watch.ts; here the mark is 1 MB, so any test passes it).
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('names the test during which the heap passed the mark', () => {
  const run = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'test/helpers/crash-fixture/vitest.config.ts',
      'waits',
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KEEL_HEAP_WARN_MB: '1' }, timeout: 60_000 },
  );
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/\[heap-watch\] \S*waits\.fixture\.ts: waits 600 ms: JS heap \d+ MB\n/);
  expect(run.stderr).toMatch(/\[heap-watch\] \S*waits\.fixture\.ts: peak JS heap \d+ MB\n/);
});
