/**
 * Attack: make the JSONL log fail while guests run — the disk fills up, the file turns out to
 * refuse writes, the reader of a pipe goes away — and flood it. Each failure becomes exactly
 * one `log:error` event (`log-failed`, with the system's code) and the run goes on: guests keep
 * being invoked, later events still reach hooks, `close()` returns at once, and nothing is
 * buffered for a log that will never take it. Before, the stream's 'error' was unhandled and
 * took the host process down.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type KernelOptions } from '../../../host/index.js';
import { eventsGuest, heapUsed } from './guests.js';

let component: Uint8Array;
beforeAll(async () => {
  component = await eventsGuest('log-flood');
});

const kernels: Kernel[] = [];
afterAll(async () => {
  for (const kernel of kernels) await kernel.close();
});

/** A kernel logging to `log`, a log-flooding guest, and every event its hooks saw. */
async function flooding(log: KernelOptions['log']) {
  const kernel = new Kernel({ cacheDir: false, log });
  kernels.push(kernel);
  const events: KeelEvent[] = [];
  kernel.on('log:*', (event) => void events.push(event));
  let logs = 0;
  kernel.on('guest:log', () => void logs++);
  const module = await kernel.load(component, { name: 'flood' });
  const sandbox = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
  return { kernel, sandbox, events, logs: () => logs };
}

/** Flood for `rounds` invocations, yielding between them so that failed writes come back. */
async function flood(sandbox: Awaited<ReturnType<typeof flooding>>['sandbox'], rounds: number) {
  for (let i = 0; i < rounds; i++) {
    await sandbox.invoke('flood', [2000, 200]);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function expectOneFailure(events: KeelEvent[], code: string) {
  const failures = events.filter((e) => e.event === 'log:error');
  expect(failures).toHaveLength(1);
  expect(failures[0]!.error).toMatchObject({ code: 'log-failed', details: { code } });
}

it('disk full (/dev/full): one log:error, the guests run on, close returns', async () => {
  const heapBefore = heapUsed();
  const { kernel, sandbox, events, logs } = await flooding('/dev/full');
  await flood(sandbox, 50);
  expect(sandbox.state).toBe('ready');
  expect(logs()).toBe(100_000);
  expectOneFailure(events, 'ENOSPC');
  const started = performance.now();
  await kernel.close();
  expect(performance.now() - started).toBeLessThan(1000);
  expect(heapUsed() - heapBefore).toBeLessThan(32 * 1024 * 1024);
});

it('a file that refuses writes (EIO): one log:error', async () => {
  const { kernel, sandbox, events } = await flooding('/proc/version');
  await flood(sandbox, 5);
  expect(sandbox.state).toBe('ready');
  expectOneFailure(events, 'EIO');
  await kernel.close();
});

it('a pipe whose reader exits (EPIPE): one log:error, no crash', async () => {
  const reader = spawn(process.execPath, ['-e', 'process.stdin.once("data", () => process.exit(0))'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = once(reader, 'exit');
  const { kernel, sandbox, events } = await flooding(reader.stdin);
  await flood(sandbox, 3);
  await exited;
  await flood(sandbox, 20);
  expect(sandbox.state).toBe('ready');
  expectOneFailure(events, 'EPIPE');
  const started = performance.now();
  await kernel.close();
  expect(performance.now() - started).toBeLessThan(1000);
});

it('a stream destroyed under the log: one log:error, no crash', async () => {
  const stream = new PassThrough();
  stream.resume();
  const { kernel, sandbox, events } = await flooding(stream);
  await flood(sandbox, 2);
  stream.destroy();
  await flood(sandbox, 5);
  expect(sandbox.state).toBe('ready');
  const failures = events.filter((e) => e.event === 'log:error');
  expect(failures).toHaveLength(1);
  expect(failures[0]!.error?.code).toBe('log-failed');
  await kernel.close();
});
