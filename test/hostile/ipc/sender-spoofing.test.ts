/**
 * Attack: claim to be another sandbox. The WIT gives a guest no way to name a sender: the
 * kernel stamps its id on everything it sends, whatever the body says. Replies cannot be forged
 * either: only the sandbox a request was delivered to can answer it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keelIpc } from '../../../host/caps/keel-ipc.js';
import { type IpcWorld, ipcWorld, received, text } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('stamps the real sender on a message whose body claims another', async () => {
  const victim = await w.spawn('/s/victim');
  const mallory = await w.spawn('/s/mallory', { peers: ['/s/*'] });
  w.kernel.sched.send(mallory, `send /s/bank from=${victim.id} transfer all`);
  const bank = await w.spawn('/s/bank');
  await w.kernel.sched.run();
  expect(received(w.logs(bank))).toEqual([
    { version: 'v1', sender: mallory.id, request: '0', body: `from=${victim.id} transfer all` },
  ]);
  expect(w.named('ipc:deliver', bank).at(-1)?.data?.from).toBe(mallory.id);
});

it('offers no sender parameter at any level: send takes a target and a body', () => {
  const fake = {
    sched: {},
  } as never;
  const linked = keelIpc.link({ interface: 'keel:kernel/ipc', scope: { peers: [] }, context: fake });
  expect((linked.send as (...a: unknown[]) => unknown).length).toBe(2);
  expect((linked.request as (...a: unknown[]) => unknown).length).toBe(3);
  expect((linked.reply as (...a: unknown[]) => unknown).length).toBe(2);
});

it('refuses a reply forged by a sandbox the request was not delivered to', async () => {
  const responder = await w.spawn('/s/responder');
  const forger = await w.spawn('/s/forger');
  w.kernel.sched.signal(responder, 'stop');
  const answer = w.kernel.sched.request('/s/responder', 'echo genuine', { timeoutMs: 10_000 });
  const id = w.named('ipc:send').findLast((e) => e.data?.kind === 'request')!.data!.request as string;
  // The forger guesses the id (ids are small counters) and answers first.
  w.kernel.sched.send(forger, `reply ${id} forged`);
  await w.kernel.sched.run({ maxDeliveries: 1 });
  expect(w.logs(forger)).toContain('reply no-such-target');
  w.kernel.sched.signal(responder, 'cont');
  await w.kernel.sched.run();
  expect(text(await answer)).toBe('v1 echo genuine');
});

it('stamps host on what the embedder sends, and kernel on its own notices', async () => {
  const watcher = await w.spawn('/s/watcher');
  const doomed = await w.spawn('/s/doomed');
  w.kernel.sched.link(watcher, doomed);
  w.kernel.sched.send(watcher, 'hello');
  w.kernel.sched.signal(doomed, 'kill');
  await w.kernel.sched.run();
  expect(w.logs(watcher)[0]).toBe('v1 msg host 0 hello');
  expect(w.logs(watcher).some((l) => l.startsWith('v1 event keel.down kernel '))).toBe(true);
});
