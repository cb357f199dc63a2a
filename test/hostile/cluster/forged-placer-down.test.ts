/**
 * Attack: end a sandbox placed on beta by making beta believe its placer (alpha) is down, or by
 * claiming to be its placer. A client that is not a kernel forges alpha's goodbye and a new
 * epoch of alpha (signed with a key nobody trusts) and replays alpha's recorded heartbeats; a
 * trusted host (mallory) orders the sandbox stopped and says goodbye itself. Beta keeps the
 * sandbox running through all of it; only alpha's own signed goodbye (or its silence) ends
 * the lease, with `cluster:expire`.
 */
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decode, Rejected } from '../../../host/cluster/envelope.js';
import { heartbeatSubject } from '../../../host/cluster/subjects.js';
import { FAST, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { grants, guestBytes } from '../../ipc/harness.js';
import { settle, withImpostor } from './harness.js';

describe.skipIf(skipWithoutNats())('forged placer down', () => {
  const world = withImpostor({ perHost: { beta: { accept: true } } });

  it('ends a lease only on the real placer’s own goodbye', async () => {
    const { a, m } = world();
    const [alpha, beta] = a.world.hosts as [(typeof a.world.hosts)[0], (typeof a.world.hosts)[0]];
    const placed = await alpha.lattice.place(
      guestBytes('probe'),
      { path: '/p/leased', grants: grants() },
      { host: 'beta' },
    );
    expect(placed.host).toBe('beta');
    const running = () => beta.kernel.sched.service('/p/leased')?.state === 'running';
    expect(running()).toBe(true);
    // alpha's heartbeats, recorded (they are signed, not encrypted): its epoch, and frames to replay.
    const beats: Uint8Array[] = [];
    const spy = a.raw.subscribe(heartbeatSubject(a.lattice, 'alpha'), {
      callback: (_e, msg) => void (beats.length < 5 && beats.push(msg.data.slice())),
    });
    await until(() => beats.length >= 2, 5_000, 'alpha’s heartbeats');
    spy.unsubscribe();
    const decoded = decode(beats[0]!);
    if (decoded instanceof Rejected) throw new Error('alpha sent a malformed heartbeat');
    const epoch = decoded.header.e;
    const hb = heartbeatSubject(a.lattice, 'alpha');
    // Forged: alpha's goodbye and a new epoch of alpha, signed by a stranger.
    a.raw.publish(hb, a.frame({ k: 'bye', d: undefined, f: undefined, e: epoch }));
    a.raw.publish(
      hb,
      a.frame({
        k: 'hb',
        d: undefined,
        f: undefined,
        e: 'fedcba9876543210',
        l: { sandboxes: 0, fuelPerSec: 0, rssBytes: 1 },
        sv: [],
      }),
    );
    // Replayed: alpha's own heartbeats again.
    for (const beat of beats) a.raw.publish(hb, beat);
    // A trusted host claims to be the placer, then leaves.
    m.send({ k: 'upl', r: '1', to: '/p/leased', f: undefined });
    const mallory = createPrivateKey(a.world.keys.mallory!.privateKey);
    a.raw.publish(
      heartbeatSubject(a.lattice, 'mallory'),
      a.frame(
        { h: 'mallory', k: 'bye', d: undefined, f: undefined, e: '0123456789abcdef' },
        undefined,
        mallory,
      ),
    );
    m.stop();
    await settle(a, 3 * FAST.downAfterMs);
    const count = (reason: string) =>
      beta.lattice.rejections().reduce((n, r) => n + (r.reason === reason ? r.count : 0), 0);
    expect(count('bad-signature')).toBeGreaterThanOrEqual(2);
    expect(count('replay')).toBeGreaterThanOrEqual(1);
    expect(count('not-placer')).toBe(1);
    expect(beta.lattice.hosts().find((h) => h.host === 'mallory')?.state).toBe('down');
    expect(beta.lattice.hosts().find((h) => h.host === 'alpha')?.state).toBe('up');
    expect(running()).toBe(true);
    expect(beta.named('cluster:expire')).toHaveLength(0);
    // The real placer leaves: its lease ends.
    await alpha.lattice.close();
    await until(() => !running(), 5_000, 'the lease to end');
    expect(beta.kernel.mounted('/p/leased')).toHaveLength(0);
    expect(beta.named('cluster:expire').map((e) => e.data)).toEqual([
      { path: '/p/leased', sandbox: placed.sandbox.split('@')[0], placer: 'alpha', reason: 'left' },
    ]);
  });
});
