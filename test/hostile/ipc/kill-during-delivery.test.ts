/**
 * Attack (on the kernel's bookkeeping): kill a sandbox in the middle of a delivery, from a hook
 * that runs inside one of its host calls. The kill is immediate: the guest's next kernel call
 * unwinds it, whatever it did after the kill is not delivered, its mailbox is dropped, requests
 * waiting on it are answered `killed`, and the kernel and the other sandboxes carry on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

it('kills mid-delivery: nothing after the kill leaves the sandbox', async () => {
  const a = await w.spawn('/k/a', { peers: ['/k/b'] });
  const b = await w.spawn('/k/b');
  const requester = await w.spawn('/k/requester', { peers: ['/k/a'] });
  let sent = 0;
  w.kernel.on('ipc:send', (e) => {
    if (e.sandbox !== a.id || e.data?.kind !== 'message') return;
    // Kill `a` from inside its own send, after its third message.
    if (++sent === 3) w.kernel.sched.signal(a, 'kill');
  });
  w.kernel.sched.send(requester, 'request /k/a 10000 echo');
  await w.kernel.sched.run({ maxDeliveries: 1 });
  w.kernel.sched.send(a, 'queued-behind');
  w.kernel.sched.send(a, 'sendseq /k/b 10 m');
  // The request from `requester` is delivered first (it came first); then the sendseq.
  w.kernel.sched.send(b, 'quiet');
  const result = await w.kernel.sched.run();
  expect(result.reason).toBe('idle');
  expect(a.state).toBe('killed');
  // The third send was accepted before the kill; the fourth unwound the guest.
  expect(w.named('ipc:send', a).filter((e) => e.data?.kind === 'message')).toHaveLength(3);
  expect(w.logs(a).some((l) => l.startsWith('sendseq '))).toBe(false);
  expect(w.named('invoke:error', a).at(-1)?.error?.code).toBe('killed');
  expect(w.named('sandbox:exit', a)).toHaveLength(1);
  // b received what was sent before the kill, and lives.
  expect(w.kernel.sched.service(b)?.delivered).toBe(4);
  expect(b.state).toBe('ready');
  // The echo reply went out before the kill; the requester is fine.
  expect(received(w.logs(a)).map((m) => m.body)).toEqual(['echo', 'queued-behind', 'sendseq /k/b 10 m']);
  expect(w.logs(requester).some((l) => /^v1 reply \d+ 0 /.test(l))).toBe(true);
});

it('answers killed to a request queued behind the kill, and drops the rest of the mailbox', async () => {
  const victim = await w.spawn('/k/victim');
  const killer = w.kernel.on('ipc:deliver', (e) => {
    if (e.sandbox === victim.id && e.data?.kind === 'message') w.kernel.sched.signal(victim, 'kill');
  });
  w.kernel.sched.send(victim, 'first');
  const pending = w.kernel.sched.request(victim, 'echo', { timeoutMs: 10_000 });
  w.kernel.sched.send(victim, 'third');
  await w.kernel.sched.run();
  killer();
  await expect(pending).rejects.toMatchObject({ code: 'killed' });
  expect(w.named('ipc:drop', victim).map((e) => [e.data?.kind, e.data?.reason])).toEqual([
    ['request', 'kill'],
    ['message', 'kill'],
  ]);
  expect(w.logs(victim)).toEqual([]);
});

it('kills a sandbox that is being invoked directly, failing that call', async () => {
  const c = await w.spawn('/k/c', { peers: ['/k/b'] });
  const stop = w.kernel.on('ipc:send', (e) => {
    if (e.sandbox === c.id) w.kernel.sched.signal(c, 'kill');
  });
  await expect(
    c.invoke('keel:kernel/handler#handle', [new TextEncoder().encode('sendseq /k/b 5 z')]),
  ).rejects.toMatchObject({ code: 'killed' });
  stop();
  expect(c.state).toBe('killed');
  expect(w.named('ipc:send', c)).toHaveLength(1);
});
