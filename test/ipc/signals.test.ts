/**
 * Signals: stop and cont pause and resume deliveries; int and term reach on-signal (term then
 * ends the sandbox); kill ends it at once and drops its mailbox. Every signal is an event.
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

  const bodies = (logs: string[]) => received(logs).map((m) => m.body);

  describe('signals', () => {
    it('stop holds deliveries and cont resumes them, in order', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      for (const body of ['one', 'two', 'three']) w.kernel.sched.send(b, body);
      expect(await w.kernel.sched.run()).toMatchObject({ reason: 'idle', deliveries: 0 });
      expect(w.kernel.sched.service(b)).toMatchObject({ state: 'stopped', queued: 3 });
      w.kernel.sched.signal(b, 'cont');
      await w.kernel.sched.run();
      expect(bodies(w.logs(b))).toEqual(['one', 'two', 'three']);
      expect(w.named('signal:sent', b).map((e) => e.data?.signal)).toEqual(['stop', 'cont']);
      expect(w.named('signal:delivered', b).map((e) => e.data)).toEqual([
        { signal: 'stop', action: 'kernel', service: 'b' },
        { signal: 'cont', action: 'kernel', service: 'b' },
      ]);
    });

    it('int reaches on-signal ahead of queued mail, and the sandbox lives on', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(b, 'before');
      w.kernel.sched.signal(b, 'int');
      await w.kernel.sched.run();
      expect(w.logs(b)[0]).toBe('v1 signal 2');
      expect(bodies(w.logs(b))).toEqual(['before']);
      expect(b.state).toBe('ready');
      expect(w.named('signal:delivered', b).at(-1)?.data).toMatchObject({ signal: 'int', action: 'handler' });
    });

    it('term reaches on-signal, then ends the sandbox and drops its mailbox', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.send(b, 'queued-1');
      w.kernel.sched.send(b, 'queued-2');
      w.kernel.sched.signal(b, 'term');
      await w.kernel.sched.run();
      expect(w.logs(b)).toEqual(['v1 signal 3']);
      expect(b.state).toBe('killed');
      expect(w.named('ipc:drop', b).map((e) => e.data?.reason)).toEqual(['term', 'term']);
      expect(w.kernel.sched.service(b)).toBeUndefined();
      expect(() => w.kernel.sched.send('/t/b', 'late')).toThrow(
        expect.objectContaining({ code: 'no-such-target' }),
      );
    });

    it('term waits while the sandbox is stopped, and is delivered on cont', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      w.kernel.sched.signal(b, 'term');
      await w.kernel.sched.run();
      expect(b.state).toBe('ready');
      w.kernel.sched.signal(b, 'cont');
      await w.kernel.sched.run();
      expect(w.logs(b)).toEqual(['v1 signal 3']);
      expect(b.state).toBe('killed');
    });

    it('kill is immediate, even while stopped: no on-signal, the mailbox dropped as ipc:drop', async () => {
      const b = await w.spawn('/t/b');
      w.kernel.sched.signal(b, 'stop');
      for (let i = 0; i < 5; i++) w.kernel.sched.send(b, `m${i}`);
      w.kernel.sched.signal(b, 'kill');
      expect(b.state).toBe('killed');
      await w.kernel.sched.run();
      expect(w.logs(b)).toEqual([]);
      const drops = w.named('ipc:drop', b);
      expect(drops.map((e) => e.data?.reason)).toEqual(Array(5).fill('kill'));
      expect(drops.every((e) => e.status === 'dropped')).toBe(true);
      expect(w.named('sandbox:exit', b).at(-1)?.data).toMatchObject({ state: 'killed' });
    });

    it('ends a sandbox that has no handler on int or term (the default action)', async () => {
      const hello = await w.kernel.load(
        new URL('../../guests/as/hello/hello.wasm', import.meta.url).pathname,
      );
      const plain = await w.kernel.spawn(hello, { grants: ['keel:kernel/log'] });
      w.kernel.sched.signal(plain, 'int');
      expect(plain.state).toBe('killed');
      expect(w.named('signal:delivered', plain).at(-1)?.data).toMatchObject({
        signal: 'int',
        action: 'default',
      });
    });

    it('refuses an unknown signal', async () => {
      const b = await w.spawn('/t/b');
      expect(() => w.kernel.sched.signal(b, 'hup' as never)).toThrow(
        expect.objectContaining({ code: 'invalid-argument' }),
      );
    });
  });
});
