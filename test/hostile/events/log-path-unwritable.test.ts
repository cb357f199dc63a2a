/**
 * Attack (on the embedder's configuration, while a guest runs): point the JSONL log at
 * something that cannot take it. A directory, a FIFO nobody reads, a path under a regular file:
 * the kernel refuses at once with one typed error, `log-failed`, naming the path and the
 * system's code, and never crashes the process or hangs (an 'error' on the log's stream used
 * to go unhandled).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KeelError, Kernel } from '../../../host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-log-unwritable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(log: string): KeelError {
  const started = performance.now();
  let thrown: unknown;
  try {
    new Kernel({ cacheDir: false, log });
  } catch (error) {
    thrown = error;
  }
  expect(performance.now() - started).toBeLessThan(1000);
  expect(thrown).toBeInstanceOf(KeelError);
  return thrown as KeelError;
}

it('refuses a directory as the log with log-failed (EISDIR)', async () => {
  const error = refusal(dir);
  expect(error.code).toBe('log-failed');
  expect(error.details).toMatchObject({ path: dir, code: 'EISDIR' });
  // The process is still here and a kernel with a proper log works.
  const kernel = new Kernel({ cacheDir: false, log: join(dir, 'ok.jsonl') });
  await kernel.close();
});

it('refuses a FIFO nobody reads instead of blocking the thread on open (ENXIO)', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const error = refusal(fifo);
  expect(error.code).toBe('log-failed');
  expect(error.details).toMatchObject({ code: 'ENXIO' });
});

it('refuses a path whose parent is a regular file (ENOTDIR)', () => {
  const file = join(dir, 'plain');
  writeFileSync(file, 'not a directory');
  const error = refusal(join(file, 'run.jsonl'));
  expect(error.code).toBe('log-failed');
  expect(error.details).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
});
