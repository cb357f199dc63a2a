/**
 * Attack: wait for input that never comes. A WASI command reads its stdin, a pipe whose writer
 * is alive but silent (the CLI's stdin when nobody types), streamed with `fdSource` as `keel
 * run` does. Without a bound of its own, each read waited on the kernel's thread for good: the
 * kernel froze. Every read is now given the call's time left, and the read that reaches the
 * deadline fails the call with `timeout`.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fdSource } from '../../../host/index.js';
import { type DeadlineWorld, deadlineWorld, expectTimedOut, guest, stopped } from './support.js';

let w: DeadlineWorld;
let dir: string;
let fd: number;
beforeAll(() => {
  w = deadlineWorld();
  dir = mkdtempSync(join(tmpdir(), 'keel-stdin-'));
  const fifo = join(dir, 'silent');
  execFileSync('mkfifo', [fifo]);
  // Read and write ends at once: the pipe has a writer (never the end) that never writes.
  fd = openSync(fifo, constants.O_RDWR);
});
afterAll(async () => {
  await w.close();
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

it('a read of a silent stdin is stopped at the deadline; the kernel runs again right after', async () => {
  const sandbox = await w.kernel.spawn(await guest(w.kernel, 'stdin-wait'), {
    grants: ['wasi:cli/stdin'],
    denial: 'call',
    io: { stdin: fdSource(fd) },
  });
  expectTimedOut(await stopped(() => sandbox.invoke('wasi:cli/run#run')), { sleeps: true });
  expect(sandbox.state).toBe('poisoned');
  expect(w.events.filter((e) => e.event === 'deadline:exceeded')).toHaveLength(1);
});
