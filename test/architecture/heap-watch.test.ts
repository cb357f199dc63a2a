/**
 * Every test file's process names the test running when its heap passed the watch's mark
 * (test/helpers/heap-watch.ts; here the mark is 1 MB, so any test passes it).
 */
import { expect, it } from 'vitest';
import { runFixtures } from '../helpers/crash-fixture/run.js';

it('names the test during which the heap passed the mark', () => {
  const run = runFixtures(['waits'], { KEEL_HEAP_WARN_MB: '1' });
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/\[heap-watch\] \S*waits\.fixture\.ts: waits 600 ms: JS heap \d+ MB\n/);
  expect(run.stderr).toMatch(/\[heap-watch\] \S*waits\.fixture\.ts: peak JS heap \d+ MB\n/);
});
