/**
 * Attack: message or request a peer the grant does not name. Refused with
 * `capability-denied` and a `capability:denied` event, checked before existence (a denied guest
 * cannot probe which sandboxes or paths exist); wildcards stay within their segments.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('denies peers outside the grant, existing or not, and lets granted ones through', async () => {
  const a = await w.spawn('/u/app/a', { peers: ['/u/app/*'] });
  const b = await w.spawn('/u/app/b');
  const secret = await w.spawn('/u/secret');
  const deep = await w.spawn('/u/app/x/deep');
  for (const target of [
    '/u/secret',
    '/u/missing',
    secret.id,
    'sbx_999',
    '/u/app/x/deep',
    deep.id,
    '/u/app',
  ]) {
    w.kernel.sched.send(a, `send ${target} hi`);
  }
  w.kernel.sched.send(a, 'send /u/app/b hi');
  w.kernel.sched.send(a, 'request /u/secret 100 hi');
  await w.kernel.sched.run();
  expect(w.logs(a).filter((l) => /^(send|request) /.test(l))).toEqual([
    ...Array(7).fill('send capability-denied'),
    'send ok',
    'request capability-denied id=0',
  ]);
  expect(received(w.logs(secret))).toEqual([]);
  expect(received(w.logs(deep))).toEqual([]);
  expect(received(w.logs(b)).map((m) => m.body)).toEqual(['hi']);
  const denied = w.named('capability:denied', a);
  expect(denied).toHaveLength(8);
  expect(denied[0]?.data).toEqual({ interface: 'keel:kernel/ipc', peer: '/u/secret', at: 'call' });
});

it('denies everything without a scope, and refuses malformed targets', async () => {
  const lonely = await w.spawn('/u/lonely');
  await w.spawn('/u/other');
  w.kernel.sched.send(lonely, 'send /u/other hi');
  w.kernel.sched.send(lonely, 'send ../u/other hi');
  w.kernel.sched.send(lonely, 'send /u/../other hi');
  await w.kernel.sched.run();
  expect(w.logs(lonely).filter((l) => l.startsWith('send '))).toEqual([
    'send capability-denied',
    'send invalid-argument',
    'send invalid-argument',
  ]);
});

it('refuses a bad scope at spawn, naming the field', async () => {
  w.kernel.mount('/u/bad', w.probe);
  await expect(
    w.kernel.spawn('/u/bad', {
      grants: ['keel:kernel/log', { interface: 'keel:kernel/ipc', scope: { peers: ['no spaces allowed'] } }],
    }),
  ).rejects.toMatchObject({
    code: 'invalid-argument',
    message: expect.stringMatching(/keel:kernel\/ipc at peers\.0/),
  });
});

it('with lazy denial and no ipc grant, answers capability-denied and the guest carries on', async () => {
  w.kernel.mount('/u/lazy', w.probe);
  const lazy = await w.kernel.spawn('/u/lazy', {
    grants: ['keel:kernel/log', 'keel:kernel/events'],
    denial: 'call',
  });
  w.kernel.sched.send(lazy, 'send /u/app/b hi');
  w.kernel.sched.send(lazy, 'id');
  await w.kernel.sched.run();
  expect(w.logs(lazy).filter((l) => /^(send|id) /.test(l))).toEqual([
    'send capability-denied',
    `id ok ${lazy.id}`,
  ]);
  expect(lazy.state).toBe('ready');
  expect(w.named('capability:denied', lazy).at(-1)?.data).toEqual({
    interface: 'keel:kernel/ipc',
    op: 'send',
    at: 'call',
  });
});
