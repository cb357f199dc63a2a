/**
 * Attack: send messages larger than allowed. The kernel refuses them with
 * `message-too-large` before queuing anything, for messages, requests, replies, publications
 * and the embedder's own sends; the limit is per sandbox (64 KiB by default).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('accepts 64 KiB exactly and refuses one byte more', async () => {
  const a = await w.spawn('/o/a', { peers: ['/o/b'] });
  const b = await w.spawn('/o/b');
  w.kernel.sched.send(b, 'quiet');
  w.kernel.sched.send(a, 'sendn /o/b 1 65536');
  w.kernel.sched.send(a, 'sendn /o/b 1 65537');
  await w.kernel.sched.run();
  expect(w.logs(a).filter((l) => l.startsWith('sendn'))).toEqual([
    'sendn ok sent=1',
    'sendn message-too-large sent=0',
  ]);
  expect(w.kernel.sched.service(b)?.delivered).toBe(2);
  expect(w.named('ipc:drop', a).at(-1)?.data).toMatchObject({ reason: 'message-too-large', bytes: 65537 });
});

it('applies the sender own, lower limit', async () => {
  const small = await w.spawn('/o/small', { peers: ['/o/b'], limits: { messageBytes: 100 } });
  w.kernel.sched.send(small, 'sendn /o/b 1 101');
  w.kernel.sched.send(small, 'sendn /o/b 1 100');
  await w.kernel.sched.run();
  expect(w.logs(small).filter((l) => l.startsWith('sendn'))).toEqual([
    'sendn message-too-large sent=0',
    'sendn ok sent=1',
  ]);
});

it('refuses oversized publications and embedder messages too', async () => {
  const pub = await w.spawn('/o/pub', { publish: ['big.*'], limits: { messageBytes: 8 } });
  w.kernel.sched.send(pub, 'publish big.one 123456789');
  await w.kernel.sched.run();
  expect(w.logs(pub)).toContain('publish message-too-large');
  expect(() => w.kernel.sched.send('/o/b', new Uint8Array(65537))).toThrow(
    expect.objectContaining({ code: 'message-too-large' }),
  );
  expect(() => w.kernel.sched.publish('big.two', new Uint8Array(65537))).toThrow(
    expect.objectContaining({ code: 'message-too-large' }),
  );
});
