/**
 * Attack (redteam15b, unverified then): requests awaiting a reply belong to the service, found
 * by id in its `awaiting` map, so an older sandbox of a service, replaced by a successor under
 * the same name, might answer a request delivered to the successor (ids are sequential). It
 * cannot: the hand-over (`adopt`, host/sched/lifecycle.ts) ends the predecessor before the
 * successor gets any delivery, and a reply acts through `live`, which refuses a sandbox that
 * has ended (`killed`, fatal) before it looks up the request. A request the predecessor was
 * handed and did not answer stays answerable by the successor, by id (docs/ipc.md).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeelError } from '../../../host/index.js';
import { type IpcWorld, ipcWorld } from '../../ipc/harness.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ deterministic: true });
});
afterAll(() => w.close());

/** The request id of the last request delivered to `sandbox`. */
function deliveredRequest(sandboxId: string): bigint {
  const delivered = w
    .named('ipc:deliver')
    .filter((e) => e.data?.to === sandboxId && e.data?.request !== undefined);
  return BigInt(delivered.at(-1)!.data!.request as string);
}

it('a predecessor cannot reply to a request delivered to its successor; the successor can reply to its own and to the predecessor’s', async () => {
  const old = await w.spawn('/rp/svc');
  const oldPort = w.kernel.sched.port(old.id);
  // Handed to the old version, unanswered ('hold' is no command of the probe's).
  const first = w.kernel.sched.request('/rp/svc', 'hold', { timeoutMs: 60_000 });
  // One delivery each time: idle, the virtual clock would jump to the requests' timeouts.
  await w.kernel.sched.run({ maxDeliveries: 1 });
  const firstId = deliveredRequest(old.id);

  const [next] = await w.kernel.sched.upgrade('/rp/svc', w.probeV2);
  expect(old.state).toBe('killed');
  const second = w.kernel.sched.request('/rp/svc', 'hold', { timeoutMs: 60_000 });
  await w.kernel.sched.run({ maxDeliveries: 1 });
  const secondId = deliveredRequest(next!.id);
  expect(secondId).not.toBe(firstId);

  // The predecessor, through its own port (as its providers would act): refused, fatal, before
  // the request is looked up; through its exports: it has ended.
  let refused: unknown;
  try {
    oldPort.reply(secondId, new TextEncoder().encode('forged'));
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(KeelError);
  expect(refused).toMatchObject({ code: 'killed', details: { fatal: true } });
  await expect(old.invoke('handle', [`reply ${secondId} forged`])).rejects.toMatchObject({ code: 'killed' });

  // The successor answers both: its own, and by id the one its predecessor was handed.
  w.kernel.sched.send(next!, `reply ${secondId} real`);
  w.kernel.sched.send(next!, `reply ${firstId} late`);
  await w.kernel.sched.run({ maxDeliveries: 2 });
  expect(new TextDecoder().decode(await second)).toBe('real');
  expect(new TextDecoder().decode(await first)).toBe('late');
  expect(w.named('ipc:drop')).toEqual([]);
});
