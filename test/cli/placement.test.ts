/** `keel run --placement`: the real binary runs the same guests in a worker thread. */
import { expect, it } from 'vitest';
import { SHARED_CACHE } from '../caps/harness.js';
import { keel } from './harness.js';

it('runs a command in a worker sandbox, stdin and exit status included', () => {
  const run = keel(['run', '--placement', 'worker', 'guests/c/hello/hello.wasm'], { cache: SHARED_CACHE });
  expect(run.stdout).toContain('hello from C');
  expect(run.status).toBe(0);
});

it('invokes an export of a component in a worker sandbox; its host calls reach the kernel', () => {
  const run = keel(
    [
      'run',
      '--placement',
      'worker',
      'guests/as/hello/hello.wasm',
      '--grant',
      'keel:kernel/log',
      '--invoke',
      'greet',
      '--args',
      '["keel"]',
      '--json',
    ],
    { cache: SHARED_CACHE },
  );
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
    ok: true,
    value: 'Hello, keel!',
  });
  // The guest's keel:kernel/log call was served in Keel's thread and printed there.
  expect(run.stderr).toContain('greeted keel');
});

it('refuses an unknown placement with status 2 and says what is accepted', () => {
  const run = keel(['run', '--placement', 'nowhere', 'guests/c/hello/hello.wasm'], { cache: SHARED_CACHE });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--placement must be inline or worker');
});
