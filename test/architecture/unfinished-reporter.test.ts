/**
 * The suite's last reporter names a test file whose worker died: vitest itself says only
 * "Worker exited unexpectedly" (CI's output twice named no file).
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('names the file a dead worker left unfinished, and not the one that finished', () => {
  const run = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'test/helpers/crash-fixture/vitest.config.ts',
      'dies',
      'lives',
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 60_000 },
  );
  expect(run.status).not.toBe(0);
  const tail = run.stdout.slice(run.stdout.indexOf('did not finish'));
  expect(tail).toMatch(
    /^did not finish \(their worker died or was stopped\):\n {2}\S* ?test\/helpers\/crash-fixture\/dies\.fixture\.ts: /,
  );
  expect(tail).toContain('kills its own worker');
  expect(tail).not.toContain('lives.fixture');
});
