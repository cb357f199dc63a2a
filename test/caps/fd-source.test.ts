/**
 * `fdSource`: a host descriptor read as the guest asks, without waiting past its bound.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fdSource, KeelError } from '../../host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-fd-source-'));
const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : bytes);

it('waits on a pipe no longer than maxWaitMs, then fails with timeout; takes input when it comes', () => {
  const fifo = join(dir, 'fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // Opened read-write, the writer never blocks; the reader is the source's.
  const writer = openSync(fifo, 'r+');
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const source = fdSource(reader, { maxWaitMs: () => 50, closeFd: true });
  expect(source.ready!()).toBe(false);
  const started = performance.now();
  let failure: unknown;
  try {
    source.read(10);
  } catch (error) {
    failure = error;
  }
  const waited = performance.now() - started;
  expect(failure).toBeInstanceOf(KeelError);
  expect((failure as KeelError).code).toBe('timeout');
  expect(waited).toBeGreaterThanOrEqual(45);
  expect(waited).toBeLessThan(2000);
  writeSync(writer, 'abc');
  expect(source.ready!()).toBe(true);
  expect(text(source.read(2))).toBe('ab');
  expect(text(source.read(10))).toBe('c');
  closeSync(writer);
  expect(source.read(10)).toBeUndefined();
  source.close!();
});

it('reads a regular file in chunks of at most chunkBytes, never waiting', () => {
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'abcdef');
  const fd = openSync(file, 'r');
  const source = fdSource(fd, { chunkBytes: 4, closeFd: true });
  expect(source.ready!()).toBe(true);
  expect(text(source.read(100))).toBe('abcd');
  expect(text(source.read(100))).toBe('ef');
  expect(source.read(100)).toBeUndefined();
  source.close!();
});
