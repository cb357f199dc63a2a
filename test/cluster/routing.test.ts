/**
 * Two kernels, one lattice, a real nats-server: sends, requests and events from sandboxes and
 * from the embedder reach sandboxes on the other host, stamped by the sending kernel, checked
 * again by the receiving one, in order, and logged on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { received, text } from '../ipc/harness.js';
import { announced, converged, type LatticeWorld, latticeWorld, until } from './harness.js';

describe.skipIf(skipWithoutNats())('routing across hosts', () => {
  let nats: NatsServer;
  let w: LatticeWorld;
  beforeAll(async () => {
    nats = await startNats();
    w = await latticeWorld(nats.url, ['alpha', 'beta']);
    await converged(w);
  }, 20_000);
  afterAll(async () => {
    await w?.close();
    await nats?.stop();
  });

  it('sees the other host, its load and its services', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    await b.spawn('/r/seen');
    await announced(w, '/r/seen', 'beta');
    const beta = a.lattice.hosts().find((h) => h.host === 'beta')!;
    expect(beta.state).toBe('up');
    expect(beta.load.sandboxes).toBeGreaterThanOrEqual(1);
    expect(beta.load.rssBytes).toBeGreaterThan(0);
    expect(beta.services.some(([, path]) => path === '/r/seen')).toBe(true);
    expect(a.named('cluster:up').map((e) => e.data?.host)).toContain('beta');
  });

  it('delivers a guest send to a path on another host, stamped with the sender and its host', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    const sender = await a.spawn('/r/sender', { peers: ['/r/*'] });
    const sink = await b.spawn('/r/sink');
    await announced(w, '/r/sink', 'beta');
    a.kernel.sched.send(sender, 'sendseq /r/sink 50 m');
    await until(() => received(b.logs(sink)).length === 50, 5_000, '50 messages');
    const got = received(b.logs(sink));
    // Per-pair order is kept, and the sender is the sending kernel's stamp, qualified by its host.
    expect(got.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(new Set(got.map((m) => m.sender))).toEqual(new Set([`${sender.id}@alpha`]));
    // The same events on both sides: ipc:send at the sender (naming the host), ipc:deliver at the receiver.
    expect(a.named('ipc:send', sender).some((e) => e.data?.host === 'beta' && e.data?.to === '/r/sink')).toBe(
      true,
    );
    expect(b.named('ipc:deliver', sink).some((e) => e.data?.from === `${sender.id}@alpha`)).toBe(true);
  });

  it('answers a guest request across hosts, and the answer can go back by the qualified id', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    const asker = await a.spawn('/r/asker', { peers: ['/r/**'] });
    const echo = await b.spawn('/r/echo', { peers: ['sbx_*@alpha'] });
    await announced(w, '/r/echo', 'beta');
    a.kernel.sched.send(asker, 'request /r/echo 2000 echo ping');
    await until(() => a.logs(asker).some((l) => l.startsWith('v1 reply ')), 5_000, 'the reply');
    const reply = a.logs(asker).find((l) => l.startsWith('v1 reply '))!;
    // status 0 is ok; the body is the echo.
    expect(reply).toMatch(/^v1 reply \d+ 0 v1 echo ping$/);
    // The echo's answer to a plain message goes back to sbx_N@alpha.
    a.kernel.sched.send(asker, 'send /r/echo echo back');
    await until(() => received(a.logs(asker)).some((m) => m.body === 'v1 echo back'), 5_000, 'the answer');
    expect(received(a.logs(asker)).find((m) => m.body === 'v1 echo back')!.sender).toBe(`${echo.id}@beta`);
  });

  it('serves the embedder: send, request (with the reply), publish', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    const target = await b.spawn('/r/api', { subscribe: ['news.*'] });
    b.kernel.sched.subscribe(target, 'news.*');
    await announced(w, '/r/api', 'beta');
    a.kernel.sched.send('/r/api', 'hello from a');
    const reply = await a.kernel.sched.request('/r/api', 'echo hi', { timeoutMs: 3_000 });
    expect(text(reply)).toBe('v1 echo hi');
    a.kernel.sched.publish('news.today', 'extra');
    await until(
      () => b.logs(target).some((l) => l === 'v1 event news.today host@alpha extra'),
      5_000,
      'the event',
    );
    expect(received(b.logs(target)).find((m) => m.body === 'hello from a')!.sender).toBe('host@alpha');
  });

  it('publishes a guest event to subscribers on both hosts, each within its own grant', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    const pub = await a.spawn('/r/pub', { publish: ['jobs.*'] });
    const local = await a.spawn('/r/sub-local', { subscribe: ['jobs.*'] });
    const remote = await b.spawn('/r/sub-remote', { subscribe: ['jobs.*'] });
    const narrow = await b.spawn('/r/sub-narrow', { subscribe: ['other.*'] });
    a.kernel.sched.send(local, 'subscribe jobs.*');
    b.kernel.sched.send(remote, 'subscribe jobs.*');
    b.kernel.sched.subscribe(narrow, 'other.*');
    await until(() => b.logs(remote).includes('subscribe ok'), 5_000, 'the subscription');
    a.kernel.sched.send(pub, 'publish jobs.done 42');
    const line = `v1 event jobs.done ${pub.id}@alpha 42`;
    await until(() => b.logs(remote).includes(line), 5_000, 'the remote event');
    await until(() => a.logs(local).includes(`v1 event jobs.done ${pub.id} 42`), 5_000, 'the local event');
    expect(b.logs(narrow).some((l) => l.includes('jobs.done'))).toBe(false);
  });

  it('denies a guest a remote peer outside its grant, before learning whether it exists', async () => {
    const [a, b] = w.hosts as [(typeof w.hosts)[0], (typeof w.hosts)[0]];
    const narrow = await a.spawn('/r/narrow', { peers: ['/r/allowed'] });
    await b.spawn('/r/secret');
    await announced(w, '/r/secret', 'beta');
    a.kernel.sched.send(narrow, 'send /r/secret psst');
    a.kernel.sched.send(narrow, 'send /r/nowhere psst');
    await until(() => a.logs(narrow).filter((l) => l.startsWith('send ')).length === 2, 5_000, 'both sends');
    expect(a.logs(narrow).filter((l) => l.startsWith('send '))).toEqual([
      'send capability-denied',
      'send capability-denied',
    ]);
  });
});
