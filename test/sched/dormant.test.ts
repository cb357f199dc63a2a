/**
 * A sandbox spawned from a module handle without scheduling options is dormant: the scheduler
 * makes its service, entry and mailbox only when it first needs them (idle memory, issue 12).
 * These tests fail if the records were never made when needed, made from another sandbox's
 * state, or made in an order that changes who is delivered first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../host/index.js';
import { Service } from '../../host/sched/service.js';
import { liveObjects } from '../helpers/live-objects.js';
import { grants, type IpcWorld, ipcWorld, received } from '../ipc/harness.js';

const HANDLE = 'keel:kernel/handler#handle';
const encode = (text: string) => new TextEncoder().encode(text);

describe('dormant sandboxes', () => {
  let w: IpcWorld;
  beforeEach(async () => {
    w = await ipcWorld({ deterministic: true });
  });
  afterEach(() => w.close());

  const spawn = (name: string, extra: Record<string, unknown> = {}): Promise<Sandbox> =>
    w.kernel.spawn(w.probe, { grants: grants({ peers: ['*'] }), name, ...extra });

  it('get a mailbox of their own, bounded by their own limits, when first sent to', async () => {
    const small = await spawn('small', { limits: { mailboxLength: 2 } });
    const large = await spawn('large');
    for (let i = 0; i < 3; i++) w.kernel.sched.send(large, `m${i}`);
    w.kernel.sched.send(small, 'a');
    w.kernel.sched.send(small, 'b');
    expect(() => w.kernel.sched.send(small, 'c')).toThrow(expect.objectContaining({ code: 'mailbox-full' }));
    expect(w.kernel.sched.service(small)).toMatchObject({ sandbox: small.id, queued: 2 });
    expect(w.kernel.sched.service(large)).toMatchObject({ sandbox: large.id, queued: 3 });
    await w.kernel.sched.run();
    expect(received(w.logs(small)).map((m) => m.body)).toEqual(['a', 'b']);
    expect(received(w.logs(large)).map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
  });

  it('keep their spawn order: ties go to the oldest, whichever was sent to first', async () => {
    const older = await spawn('older');
    const newer = await spawn('newer');
    w.kernel.sched.send(newer, 'to-newer');
    w.kernel.sched.send(older, 'to-older');
    await w.kernel.sched.run();
    const delivered = w.named('ipc:deliver').map((e) => e.sandbox);
    expect(delivered).toEqual([older.id, newer.id]);
    expect(w.kernel.sched.services().map((s) => s.sandbox)).toEqual([older.id, newer.id]);
  });

  it('are listed, resolved by name (the oldest first) and summarised without being woken', async () => {
    const first = await spawn('same');
    const second = await spawn('same', { sched: { weight: 2 } });
    const list = w.kernel.sched.services();
    expect(list.map((s) => [s.sandbox, s.state, s.queued, s.weight])).toEqual([
      [first.id, 'running', 0, 1],
      [second.id, 'running', 0, 2],
    ]);
    w.kernel.sched.send('same', 'hello');
    await w.kernel.sched.run();
    expect(received(w.logs(first)).map((m) => m.body)).toEqual(['hello']);
    expect(received(w.logs(second))).toEqual([]);
  });

  it('count what they send from an export call against their own service', async () => {
    const sender = await spawn('sender');
    const target = await spawn('target');
    await sender.invoke(HANDLE, [encode(`send ${target.id} hi`)]);
    expect(w.kernel.sched.service(sender)).toMatchObject({ sent: 1, queued: 0 });
    expect(w.kernel.sched.service(target)).toMatchObject({ sent: 0, queued: 1 });
    await w.kernel.sched.run();
    expect(received(w.logs(target))).toEqual([
      { version: 'v1', sender: sender.id, request: '0', body: 'hi' },
    ]);
  });

  it('take a signal for themselves alone', async () => {
    const stopped = await spawn('stopped');
    const other = await spawn('other');
    w.kernel.sched.signal(stopped, 'stop');
    w.kernel.sched.send(stopped, 'held');
    w.kernel.sched.send(other, 'free');
    await w.kernel.sched.run();
    expect(received(w.logs(stopped))).toEqual([]);
    expect(received(w.logs(other)).map((m) => m.body)).toEqual(['free']);
    expect(w.kernel.sched.service(stopped)).toMatchObject({ state: 'stopped', queued: 1 });
    expect(w.kernel.sched.service(other)).toMatchObject({ state: 'running', queued: 0 });
  });

  it("are read without being woken: service(), services() and the port's fuelLeft keep no records", async () => {
    const idle = await spawn('idle', { limits: { fuel: 5_000_000 } });
    const sched = w.kernel.sched;
    expect(sched.holdsRecords(idle.id)).toBe(false);
    expect(sched.service(idle)).toMatchObject({ sandbox: idle.id, state: 'running', queued: 0 });
    expect(sched.service(idle.id)).toMatchObject({ sandbox: idle.id });
    expect(sched.service('idle')).toMatchObject({ sandbox: idle.id });
    expect(sched.services().map((s) => s.sandbox)).toEqual([idle.id]);
    const left = sched.port(idle.id).fuelLeft();
    expect(left > 0n && left === BigInt(idle.fuel().remaining)).toBe(true);
    expect(sched.holdsRecords(idle.id)).toBe(false);
    // A write still makes them, and the answers read them from then on.
    sched.send(idle, 'now');
    expect(sched.holdsRecords(idle.id)).toBe(true);
    expect(sched.service(idle)).toMatchObject({ sandbox: idle.id, queued: 1 });
    await sched.run();
    expect(received(w.logs(idle)).map((m) => m.body)).toEqual(['now']);
  });

  it('are never respawned nor upgraded: no path, no restart policy', async () => {
    const mounted = await w.spawn('/t/b');
    const crashes = await spawn('crashes');
    const loose = await spawn('loose');
    w.kernel.sched.send(crashes, 'trap');
    await w.kernel.sched.run();
    expect(crashes.state).toBe('poisoned');
    expect(w.named('sandbox:restart')).toEqual([]);
    const successors = await w.kernel.sched.upgrade('/t/b', w.probeV2);
    expect(successors.map((s) => s.module.name)).toEqual(['probe-v2']);
    expect(mounted.state).toBe('killed');
    expect(loose.state).toBe('ready');
    w.kernel.sched.send(loose, 'still v1');
    await w.kernel.sched.run();
    expect(received(w.logs(loose)).map((m) => `${m.version} ${m.body}`)).toEqual(['v1 still v1']);
  });

  it('end as any service does, and a dormant one that ended is not sent to', async () => {
    const ended = await spawn('ended');
    const alive = await spawn('alive');
    ended.terminate('done');
    expect(w.kernel.sched.services().map((s) => [s.sandbox ?? s.history[0], s.state])).toEqual([
      [ended.id, 'ended'],
      [alive.id, 'running'],
    ]);
    expect(() => w.kernel.sched.send(ended.id, 'late')).toThrow(
      expect.objectContaining({ code: 'no-such-target' }),
    );
    w.kernel.sched.send(alive, 'still');
    await w.kernel.sched.run();
    expect(received(w.logs(alive)).map((m) => m.body)).toEqual(['still']);
  });

  it('end without records: none is made only to be ended, and none is kept after', async () => {
    const ended: Sandbox[] = [];
    for (let i = 0; i < 6; i++) ended.push(await spawn(`e${i}`));
    ended[1]!.terminate('done');
    ended[4]!.terminate('done');
    const kept = await spawn('kept');
    for (const sandbox of ended) sandbox.terminate('done');
    // Only the summary makes services for them, and keeps none.
    expect(await liveObjects(Service.prototype)).toBe(0);
    expect(w.kernel.sched.services().map((s) => [s.sandbox ?? s.history[0], s.state, s.queued])).toEqual([
      ...ended.map((s) => [s.id, 'ended', 0]),
      [kept.id, 'running', 0],
    ]);
    expect(w.kernel.sched.services()[1]).toMatchObject({
      name: 'e1',
      history: [ended[1]!.id],
      weight: 1,
      ended: {
        reason: 'killed',
        failure: false,
        drop: true,
        message: `sandbox ${ended[1]!.id} was killed: done`,
      },
    });
    expect(await liveObjects(Service.prototype)).toBe(0);
  });
});
