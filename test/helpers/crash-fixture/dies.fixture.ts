// Run only by test/architecture/unfinished-reporter.test.ts: a file whose worker dies mid-run.
import { expect, it } from 'vitest';

it('runs before the worker dies', () => expect(1).toBe(1));
it('kills its own worker', () => {
  process.kill(process.pid, 'SIGKILL');
});
