/**
 * The suite's last reporter names a test file whose worker died: vitest itself says only
 * "Worker exited unexpectedly" (CI's output twice named no file).
 */
import { expect, it } from 'vitest';
import { runFixtures } from '../helpers/crash-fixture/run.js';

it('names the file a dead worker left unfinished, and not the one that finished', () => {
  const run = runFixtures(['dies', 'lives']);
  expect(run.status).not.toBe(0);
  const tail = run.stdout.slice(run.stdout.indexOf('did not finish'));
  expect(tail).toMatch(
    /^did not finish \(their worker died or was stopped\):\n {2}\S* ?test\/helpers\/crash-fixture\/dies\.fixture\.ts: /,
  );
  expect(tail).toContain('kills its own worker');
  expect(tail).not.toContain('lives.fixture');
});
