/**
 * Supervision: restart policies with backoff and a maximum, links that tell a sandbox when a
 * peer ends, policy violations that kill, and upgrades of a mounted module that lose nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLACEMENTS } from '../helpers/placements.js';
import { type IpcWorld, ipcWorld, received } from './harness.js';

describe.each(PLACEMENTS)('%s placement', (placement) => {
  let w: IpcWorld;
  beforeEach(async () => {
    w = await ipcWorld({ deterministic: true, placement });
  });
  afterEach(() => w.close());

  const restart = {
    policy: 'on-failure' as const,
    maxRestarts: 3,
    backoff: { initialMs: 100, factor: 2, maxMs: 1000 },
  };

  describe('restart policies', () => {
    it('never (the default): a crash ends the service and drops its mailbox', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(b, 'trap');
      w.kernel.sched.send(b, 'after');
      await w.kernel.sched.run();
      expect(b.state).toBe('poisoned');
      expect(w.named('ipc:drop', b).map((e) => e.data?.reason)).toEqual(['trap']);
      expect(w.named('sandbox:restart')).toEqual([]);
      expect(w.kernel.sched.services()[0]).toMatchObject({
        state: 'ended',
        ended: { reason: 'trap', failure: true },
      });
    });

    it('on-failure: a successor takes over the mailbox after the backoff; the path keeps working', async () => {
      const b = await w.spawn('/t/b', { sched: { restart } });
      w.kernel.sched.send(b, 'trap');
      w.kernel.sched.send(b, 'kept');
      const started = w.kernel.sched.now();
      await w.kernel.sched.run({ maxDeliveries: 1 });
      // Between the crash and the restart, the path still takes messages.
      w.kernel.sched.send('/t/b', 'during-backoff');
      await w.kernel.sched.run();
      const info = w.kernel.sched.services()[0]!;
      expect(info).toMatchObject({ state: 'running', restarts: 1, history: [b.id, info.sandbox] });
      const successor = info.sandbox!;
      expect(successor).not.toBe(b.id);
      expect(received(w.logs(successor)).map((m) => m.body)).toEqual(['kept', 'during-backoff']);
      expect(w.named('sandbox:restart')[0]?.data).toMatchObject({
        attempt: 1,
        delay_ms: 100,
        reason: 'trap',
      });
      expect(w.kernel.sched.now() - started).toBeGreaterThanOrEqual(100);
      expect(w.named('ipc:drop')).toEqual([]);
    });

    it('gives up after the maximum, with sandbox:restart status error', async () => {
      const b = await w.spawn('/t/b', { sched: { restart: { ...restart, maxRestarts: 2 } } });
      for (let i = 0; i < 4; i++) w.kernel.sched.send(b, 'trap');
      await w.kernel.sched.run();
      const restarts = w.named('sandbox:restart');
      expect(restarts.map((e) => [e.status, e.data?.delay_ms ?? e.data?.reason])).toEqual([
        ['ok', 100],
        ['ok', 200],
        ['error', 'max-restarts'],
      ]);
      expect(w.kernel.sched.services()[0]).toMatchObject({ state: 'ended', restarts: 2 });
      expect(w.named('ipc:drop').map((e) => e.data?.reason)).toEqual(['trap']);
    });

    it('does not restart a sandbox ended on purpose (kill, term)', async () => {
      const b = await w.spawn('/t/b', { sched: { restart } });
      w.kernel.sched.signal(b, 'kill');
      await w.kernel.sched.run();
      expect(w.named('sandbox:restart')).toEqual([]);
      expect(w.kernel.sched.services()[0]?.state).toBe('ended');
    });
  });

  describe('links', () => {
    it('tell linked sandboxes, on keel.down, that a peer ended and whether it restarts', async () => {
      const watcher = await w.spawn('/t/watcher');
      const b = await w.spawn('/t/b', { sched: { restart } });
      w.kernel.sched.link(watcher, b);
      w.kernel.sched.send(b, 'trap');
      await w.kernel.sched.run();
      const successor = w.kernel.sched.service('/t/b')!.sandbox!;
      w.kernel.sched.signal(successor, 'kill');
      await w.kernel.sched.run();
      const downs = w.logs(watcher).filter((l) => l.startsWith('v1 event keel.down kernel '));
      expect(downs.map((l) => JSON.parse(l.slice('v1 event keel.down kernel '.length)))).toEqual([
        { sandbox: b.id, name: 'b', reason: 'trap', restart: true },
        { sandbox: successor, name: 'b', reason: 'kill', restart: false },
      ]);
    });
  });

  describe('policy violations', () => {
    it('kill the sandbox, emit policy:violation, drop its mailbox, and count as a failure', async () => {
      const b = await w.spawn('/t/b', { peers: ['/t/ok'], sched: { maxDenials: 1, restart } });
      w.kernel.sched.send(b, 'send /t/secret 1');
      w.kernel.sched.send(b, 'send /t/secret 2');
      w.kernel.sched.send(b, 'queued');
      await w.kernel.sched.run({ maxDeliveries: 2 });
      expect(w.logs(b)).toContain('send capability-denied');
      expect(b.state).toBe('killed');
      expect(b.failure?.code).toBe('policy-violation');
      expect(w.named('policy:violation', b)[0]?.data).toMatchObject({
        rule: 'max-denials',
        denials: 2,
        maxDenials: 1,
      });
      expect(w.named('ipc:drop', b).map((e) => e.data?.reason)).toEqual(['policy-violation']);
      await w.kernel.sched.run();
      expect(w.kernel.sched.service('/t/b')).toMatchObject({ state: 'running', restarts: 1 });
    });

    it('can be raised by the embedder', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.violation(b, 'too-chatty', { lines: 1000 });
      expect(b.state).toBe('killed');
      expect(w.named('policy:violation', b)[0]?.data).toEqual({ rule: 'too-chatty', lines: 1000 });
    });
  });

  describe('upgrade', () => {
    it('replaces the module at a path, moving queued messages to the new version', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(b, 'one');
      await w.kernel.sched.run();
      w.kernel.sched.signal(b, 'stop');
      for (const body of ['two', 'three']) w.kernel.sched.send('/t/b', body);
      const [next] = await w.kernel.sched.upgrade('/t/b', w.probeV2);
      expect(b.state).toBe('killed');
      expect(w.kernel.mounted('/t/b').map((m) => m.name)).toEqual(['probe', 'probe-v2']);
      // The stop carries over: nothing is delivered until cont.
      await w.kernel.sched.run();
      expect(w.logs(next!)).toEqual([]);
      w.kernel.sched.signal('/t/b', 'cont');
      w.kernel.sched.send('/t/b', 'four');
      await w.kernel.sched.run();
      expect(received(w.logs(b)).map((m) => `${m.version} ${m.body}`)).toEqual(['v1 one']);
      expect(received(w.logs(next!)).map((m) => `${m.version} ${m.body}`)).toEqual([
        'v2 two',
        'v2 three',
        'v2 four',
      ]);
      expect(w.named('ipc:drop')).toEqual([]);
      expect(w.named('sandbox:exit', b).at(-1)?.data?.reason).toMatch(/^upgraded to probe-v2/);
    });
  });
});
