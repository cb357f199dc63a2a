/**
 * Messages, requests and replies between sandboxes: the kernel stamps the sender, keeps the
 * order of each sender-receiver pair, answers requests with replies, timeouts or `killed`, and
 * drops (and logs) what cannot be delivered.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { PLACEMENTS } from '../helpers/placements.js';
import { IPC_CACHE, type IpcWorld, ipcWorld, received, text } from './harness.js';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

describe.each(PLACEMENTS)('%s placement', (placement) => {
  let w: IpcWorld;
  beforeEach(async () => {
    w = await ipcWorld({ deterministic: true, placement });
  });
  afterEach(() => w.close());

  describe('send', () => {
    it('delivers a message to on-message, stamped with the sender id', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/*'] });
      const b = await w.spawn('/t/b');
      w.kernel.sched.send('/t/a', 'send /t/b hello');
      expect(await w.kernel.sched.run()).toMatchObject({ reason: 'idle', deliveries: 2 });
      expect(w.logs(a)).toContain('send ok');
      expect(received(w.logs(b))).toEqual([{ version: 'v1', sender: a.id, request: '0', body: 'hello' }]);
      const send = w.named('ipc:send', a)[0]!;
      expect(send.data).toMatchObject({ kind: 'message', from: a.id, to: b.id, bytes: 5 });
      expect(w.named('ipc:deliver', b).at(-1)?.data).toMatchObject({
        from: a.id,
        message: send.data?.message,
      });
    });

    it('keeps the order of every sender-receiver pair, however the senders interleave', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/sink'] });
      const c = await w.spawn('/t/c', { peers: ['/t/sink'] });
      const sink = await w.spawn('/t/sink');
      for (let i = 0; i < 5; i++) {
        w.kernel.sched.send('/t/a', `sendseq /t/sink 20 a${i}-`);
        w.kernel.sched.send('/t/c', `sendseq /t/sink 20 c${i}-`);
        w.kernel.sched.send('/t/sink', `send-from-host-${i}`);
      }
      await w.kernel.sched.run();
      const got = received(w.logs(sink));
      for (const [sender, prefix] of [
        [a.id, 'a'],
        [c.id, 'c'],
      ] as const) {
        const bodies = got.filter((m) => m.sender === sender).map((m) => m.body);
        const expected = Array.from({ length: 5 }, (_, i) =>
          Array.from({ length: 20 }, (_, j) => `${prefix}${i}-${j}`),
        ).flat();
        expect(bodies).toEqual(expected);
      }
      const fromHost = got.filter((m) => m.sender === 'host').map((m) => m.body);
      expect(fromHost).toEqual([...Array.from({ length: 5 }, (_, i) => `send-from-host-${i}`)]);
    });

    it('addresses a sandbox by id as well as by path, within the grant', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/*'] });
      const b = await w.spawn('/t/b');
      // The grant names paths; b's id is allowed because it is b's alias.
      w.kernel.sched.send(a, `send ${b.id} by-id`);
      await w.kernel.sched.run();
      expect(received(w.logs(b)).map((m) => m.body)).toEqual(['by-id']);
    });

    it('answers no-such-target for a path nobody serves, and for a sandbox without a handler', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/*', '/plain'] });
      const hello = await w.kernel.load(
        new URL('../../guests/as/hello/hello.wasm', import.meta.url).pathname,
      );
      w.kernel.mount('/plain', hello);
      await w.kernel.spawn('/plain', { grants: ['keel:kernel/log'] });
      w.kernel.sched.send(a, 'send /t/nobody x');
      w.kernel.sched.send(a, 'send /plain x');
      await w.kernel.sched.run();
      expect(w.logs(a).filter((l) => l.startsWith('send '))).toEqual([
        'send no-such-target',
        'send no-such-target',
      ]);
      expect(w.named('ipc:drop', a).map((e) => e.data?.reason)).toEqual(['no-such-target', 'no-such-target']);
      expect(() => w.kernel.sched.send('/plain', 'x')).toThrow(
        expect.objectContaining({ code: 'no-such-target' }),
      );
    });

    it('tells a guest its own id and fuel', async () => {
      const a = await w.spawn('/t/a');
      w.kernel.sched.send(a, 'id');
      w.kernel.sched.send(a, 'fuel');
      await w.kernel.sched.run();
      expect(w.logs(a)).toContain(`id ok ${a.id}`);
      const fuel = w.logs(a).find((l) => l.startsWith('fuel ok '))!;
      expect(Number(fuel.split(' ')[2])).toBeGreaterThan(0);
    });
  });

  describe('request and reply', () => {
    it('answers a guest request at the requester on-reply, with the same id', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/b'] });
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(a, 'request /t/b 1000 echo please');
      await w.kernel.sched.run();
      const id = /request ok id=(\d+)/.exec(w.logs(a).join('\n'))![1];
      expect(received(w.logs(b))).toEqual([
        { version: 'v1', sender: a.id, request: id, body: 'echo please' },
      ]);
      expect(w.logs(a)).toContain(`v1 reply ${id} 0 v1 echo please`);
      expect(w.named('ipc:deliver', a).at(-1)?.data).toMatchObject({
        kind: 'reply',
        outcome: 'ok',
        from: b.id,
      });
    });

    it('resolves an embedder request with the reply', async () => {
      await w.spawn('/t/b');
      const reply = w.kernel.sched.request('/t/b', 'echo hi', { timeoutMs: 1000 });
      await w.kernel.sched.run();
      expect(text(await reply)).toBe('v1 echo hi');
    });

    it('times out when no reply comes, and drops a late reply', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/b'] });
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      w.kernel.sched.send(a, 'request /t/b 250 echo late');
      const started = w.kernel.sched.now();
      await w.kernel.sched.run();
      // Virtual time jumped to the timeout: the requester heard `timeout` (status 1).
      expect(w.logs(a).some((l) => /^v1 reply \d+ 1 $/.test(l))).toBe(true);
      expect(w.kernel.sched.now() - started).toBeGreaterThanOrEqual(250);
      w.kernel.sched.signal(b, 'cont');
      await w.kernel.sched.run();
      // b answered after the deadline: the reply is dropped and logged, b is not punished.
      expect(w.logs(b)).toContain('echo ok');
      expect(w.named('ipc:drop', b).at(-1)?.data).toMatchObject({
        kind: 'reply',
        reason: 'timeout',
        to: a.id,
      });
      expect(w.logs(a).filter((l) => l.includes(' reply '))).toHaveLength(1);
    });

    it('rejects an embedder request that times out', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      const reply = w.kernel.sched.request('/t/b', 'echo', { timeoutMs: 100 });
      await w.kernel.sched.run();
      await expect(reply).rejects.toMatchObject({ code: 'timeout' });
    });

    it('answers killed when the target ends before replying', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/b'] });
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      w.kernel.sched.send(a, 'request /t/b 10000 echo');
      await w.kernel.sched.run({ maxDeliveries: 1 });
      w.kernel.sched.signal(b, 'kill');
      await w.kernel.sched.run();
      expect(w.logs(a).some((l) => /^v1 reply \d+ 2 $/.test(l))).toBe(true);
    });

    it('drops (and logs) a reply to a requester that has ended', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/b'] });
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(a, 'request /t/b 10000 echo');
      await w.kernel.sched.run({ maxDeliveries: 1 });
      w.kernel.sched.signal(a, 'kill');
      await w.kernel.sched.run();
      expect(w.logs(b)).toContain('echo ok');
      expect(w.named('ipc:drop', b).at(-1)?.data).toMatchObject({
        kind: 'reply',
        reason: 'requester-gone',
        to: a.id,
      });
    });

    it('bounds the requests a sandbox may wait on by its mailbox length', async () => {
      const a = await w.spawn('/t/a', { peers: ['/t/b'], limits: { mailboxLength: 4 } });
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      for (const _ of [1, 2]) {
        for (let i = 0; i < 3; i++) w.kernel.sched.send(a, 'request /t/b 60000 echo');
        await w.kernel.sched.run({ maxDeliveries: 3 });
      }
      const statuses = w.logs(a).filter((l) => l.startsWith('request '));
      expect(statuses.filter((l) => l.startsWith('request ok'))).toHaveLength(4);
      expect(statuses.filter((l) => l.startsWith('request mailbox-full'))).toHaveLength(2);
    });
  });

  describe('events', () => {
    it('delivers a publication to every subscriber whose pattern and grant match', async () => {
      const pub = await w.spawn('/t/pub', { publish: ['jobs.*'] });
      const s1 = await w.spawn('/t/s1', { subscribe: ['jobs.**'] });
      const s2 = await w.spawn('/t/s2', { subscribe: ['jobs.eu'] });
      const s3 = await w.spawn('/t/s3', { sched: { subscribe: ['jobs.*'] } }); // by the embedder
      w.kernel.sched.send(s1, 'subscribe jobs.*');
      w.kernel.sched.send(s2, 'subscribe jobs.*'); // outside its grant: denied
      w.kernel.sched.send(s2, 'subscribe jobs.eu');
      await w.kernel.sched.run();
      w.kernel.sched.send(pub, 'publish jobs.eu done');
      w.kernel.sched.send(pub, 'publish jobs.us done');
      await w.kernel.sched.run();
      const events = (s: typeof s1) => w.logs(s).filter((l) => l.startsWith('v1 event'));
      expect(events(s1)).toEqual([`v1 event jobs.eu ${pub.id} done`, `v1 event jobs.us ${pub.id} done`]);
      expect(w.logs(s2)).toContain('subscribe capability-denied');
      expect(events(s2)).toEqual([`v1 event jobs.eu ${pub.id} done`]);
      expect(events(s3)).toHaveLength(2);
      expect(w.named('event:publish', pub).map((e) => e.data?.subscribers)).toEqual([3, 2]);
    });

    it('lets the embedder publish, and stops delivering after unsubscribe', async () => {
      const s = await w.spawn('/t/s', { subscribe: ['a.*'] });
      w.kernel.sched.send(s, 'subscribe a.*');
      await w.kernel.sched.run();
      expect(w.kernel.sched.publish('a.b', 'one')).toBe(1);
      await w.kernel.sched.run();
      w.kernel.sched.send(s, 'unsubscribe a.*');
      await w.kernel.sched.run();
      expect(w.kernel.sched.publish('a.b', 'two')).toBe(0);
      await w.kernel.sched.run();
      expect(w.logs(s).filter((l) => l.startsWith('v1 event'))).toEqual(['v1 event a.b host one']);
    });
  });
});

describe('docs/ipc.md', () => {
  it('the quick start does what it says', async () => {
    const doc = readFileSync(new URL('../../docs/ipc.md', import.meta.url), 'utf8');
    const code = /## Quick start\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    // Run it as written, with the package import pointed at the sources and console captured.
    const printed: unknown[] = [];
    const body = code
      .replace("import { Kernel } from 'keel';", '')
      .replace(/console\.log\(/g, 'print(')
      .replace('new Kernel({ deterministic: true })', 'new Kernel({ deterministic: true, cacheDir })');
    const run = new AsyncFunction('Kernel', 'print', 'cacheDir', `${body}\nawait kernel.close();`);
    await run(Kernel, (v: unknown) => printed.push(v), IPC_CACHE);
    expect(printed).toEqual(['v1 echo hi']);
  });
});
