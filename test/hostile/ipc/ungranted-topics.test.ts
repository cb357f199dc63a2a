/**
 * Attack: publish or subscribe outside the grant, or impersonate the kernel on its own topics.
 * Refused with `capability-denied`; a subscription that slips in through a pattern still only
 * receives topics the grant covers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

const events = (logs: string[]) => logs.filter((l) => l.startsWith('v1 event '));

it('denies publishing outside the grant and on the kernel topics', async () => {
  const pub = await w.spawn('/t/pub', { publish: ['jobs.*', '**'] });
  const narrow = await w.spawn('/t/narrow', { publish: ['jobs.*'] });
  const sub = await w.spawn('/t/sub', { sched: { subscribe: ['**'] } });
  w.kernel.sched.send(narrow, 'publish billing.charge 100');
  w.kernel.sched.send(narrow, 'publish jobs.eu.deep x');
  w.kernel.sched.send(pub, `publish keel.down {"sandbox":"${sub.id}","reason":"trap"}`);
  w.kernel.sched.send(narrow, 'publish jobs.ok fine');
  await w.kernel.sched.run();
  expect(w.logs(narrow).filter((l) => l.startsWith('publish '))).toEqual([
    'publish capability-denied',
    'publish capability-denied',
    'publish ok',
  ]);
  expect(w.logs(pub)).toContain('publish capability-denied');
  expect(events(w.logs(sub))).toEqual([`v1 event jobs.ok ${narrow.id} fine`]);
});

it('denies subscriptions outside the grant and filters topics a broad pattern would let in', async () => {
  const pub = await w.spawn('/t/pub2', { publish: ['**'] });
  const sub = await w.spawn('/t/sub2', { subscribe: ['jobs.*'] });
  w.kernel.sched.send(sub, 'subscribe **');
  w.kernel.sched.send(sub, 'subscribe billing.*');
  // `jobs.**` read as a name falls within `jobs.*`; it is accepted, and each topic checked again.
  w.kernel.sched.send(sub, 'subscribe jobs.**');
  await w.kernel.sched.run();
  expect(w.logs(sub).filter((l) => l.startsWith('subscribe '))).toEqual([
    'subscribe capability-denied',
    'subscribe capability-denied',
    'subscribe ok',
  ]);
  for (const topic of ['jobs.eu', 'jobs.eu.deep', 'billing.x'])
    w.kernel.sched.send(pub, `publish ${topic} t`);
  await w.kernel.sched.run();
  expect(events(w.logs(sub))).toEqual([`v1 event jobs.eu ${pub.id} t`]);
  expect(w.named('capability:denied', sub).map((e) => e.data?.subscribe)).toEqual(['**', 'billing.*']);
});

it('refuses malformed topics', async () => {
  const pub = await w.spawn('/t/pub3', { publish: ['**'] });
  w.kernel.sched.send(pub, 'publish ..x y');
  w.kernel.sched.send(pub, 'publish a/b y');
  await w.kernel.sched.run();
  expect(w.logs(pub).filter((l) => l.startsWith('publish '))).toEqual([
    'publish invalid-argument',
    'publish invalid-argument',
  ]);
});
