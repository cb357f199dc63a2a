// Run only by test/architecture/heap-watch.test.ts: a test long enough for the watch's sample.
import { expect, it } from 'vitest';

it('waits 600 ms', async () => {
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(1).toBe(1);
});
