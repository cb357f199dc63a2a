/**
 * Attack: call keel:kernel/log a million times in one invocation, with the JSONL log on and a
 * hook that keeps every event. The sandbox's event budget (`limits.events` per window) lets
 * the first ones through one by one and counts the rest: one `log:suppressed` event per kind
 * carries the count when the invocation ends. Memory stays bounded (the hook holds at most the
 * budget; the log's buffer stays under its cap, nothing dropped) and the next invocation gets a
 * fresh budget. Before, every call became an event and a line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type KeelEvent, Kernel } from '../../../host/index.js';
import { eventsGuest, heapUsed } from './guests.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-log-flood-'));
let component: Uint8Array;
beforeAll(async () => {
  component = await eventsGuest('log-flood');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a million log calls make limits.events guest:log events and one summary', async () => {
  const log = join(dir, 'flood.jsonl');
  const kernel = new Kernel({ cacheDir: false, log });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const module = await kernel.load(component, { name: 'flood' });
  const sandbox = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
  const budget = DEFAULT_LIMITS.events;
  kept.length = 0;
  const heapBefore = heapUsed();

  const calls = 1_000_000;
  await sandbox.invoke('flood', [calls, 16]);
  const heapAfter = heapUsed();
  expect(sandbox.state).toBe('ready');
  const logs = kept.filter((e) => e.event === 'guest:log');
  expect(logs).toHaveLength(budget);
  const summaries = kept.filter((e) => e.event === 'log:suppressed');
  expect(summaries).toHaveLength(1);
  const request = kept.find((e) => e.event === 'invoke:start')!.request;
  expect(summaries[0]).toMatchObject({
    level: 'warn',
    status: 'dropped',
    sandbox: sandbox.id,
    request,
    data: { event: 'guest:log', suppressed: calls - budget, limit: budget },
  });
  // The invocation's own bracket is never held back.
  expect(kept.filter((e) => e.event === 'invoke:end')).toHaveLength(1);
  // What is held: the budget's events in the hook, the log within its cap.
  expect(heapAfter - heapBefore).toBeLessThan(32 * 1024 * 1024);
  expect(kernel.logStats!.peakBufferedBytes).toBeLessThanOrEqual(8 * 1024 * 1024);

  // A new invocation is a new window.
  kept.length = 0;
  await sandbox.invoke('flood', [budget + 5, 16]);
  expect(kept.filter((e) => e.event === 'guest:log')).toHaveLength(budget);
  expect(kept.filter((e) => e.event === 'log:suppressed').map((e) => e.data)).toEqual([
    { event: 'guest:log', suppressed: 5, limit: budget },
  ]);

  await kernel.close();
  expect(kernel.logStats!.dropped).toBe(0);
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as KeelEvent);
  expect(lines.filter((e) => e.event === 'guest:log')).toHaveLength(2 * budget);
  expect(lines.filter((e) => e.event === 'log:suppressed')).toHaveLength(2);
});

it('a smaller budget per sandbox is honoured, and 0 summarizes everything', async () => {
  const kernel = new Kernel({ cacheDir: false });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const module = await kernel.load(component, { name: 'flood' });
  const none = await kernel.spawn(module, { grants: ['keel:kernel/log'], limits: { events: 0 } });
  await none.invoke('flood', [1000, 8]);
  expect(kept.filter((e) => e.event === 'guest:log')).toHaveLength(0);
  // Everything the sandbox caused is summarized, from its spawn (its grants) to its log calls.
  const summaries = kept.filter((e) => e.event === 'log:suppressed').map((e) => e.data);
  expect(summaries).toContainEqual({ event: 'guest:log', suppressed: 1000, limit: 0 });
  expect(summaries).toContainEqual({ event: 'capability:granted', suppressed: 1, limit: 0 });
  await kernel.close();
});

it('a budget first drawn on after the spawn (nobody observed until then) is the sandbox’s own and full', async () => {
  // Nothing observes the spawns: neither sandbox has drawn on its budget yet.
  const kernel = new Kernel({ cacheDir: false });
  const module = await kernel.load(component, { name: 'flood' });
  const small = await kernel.spawn(module, { grants: ['keel:kernel/log'], limits: { events: 3 } });
  const full = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
  const kept: KeelEvent[] = [];
  kernel.on('*', (event) => void kept.push(event));
  const logs = (sandbox: string) => kept.filter((e) => e.event === 'guest:log' && e.sandbox === sandbox);
  await small.invoke('flood', [10, 8]);
  await full.invoke('flood', [10, 8]);
  expect(logs(small.id)).toHaveLength(3);
  expect(logs(full.id)).toHaveLength(10);
  expect(kept.filter((e) => e.event === 'log:suppressed').map((e) => [e.sandbox, e.data])).toEqual([
    [small.id, { event: 'guest:log', suppressed: 7, limit: 3 }],
  ]);
  // The next invocation is a new window: the whole budget again.
  kept.length = 0;
  await small.invoke('flood', [4, 8]);
  expect(logs(small.id)).toHaveLength(3);
  await kernel.close();
});
