/**
 * Attack: a guest on alpha floods a sandbox on beta with as many bytes as one turn of alpha's
 * event loop lets the lattice hand to NATS (`outboundBytes`), so that its neighbours' sends in
 * the same turn would find nothing left and fail with `mailbox-full`. Each sender has a fair
 * share of the turn's bytes (at most a quarter of them, and at most half of what the others
 * left): the flooder is refused past its share, the neighbour's messages go through, and
 * alpha holds no more than `outboundBytes` a turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announced, until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { received } from '../../ipc/harness.js';
import { type Attack, attack } from './harness.js';

const OUTBOUND = 64 * 1024;
const ROUNDS = 10;

describe.skipIf(skipWithoutNats())('outbound bytes taken by one sender', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ limits: { outboundBytes: OUTBOUND } });
  }, 30_000);
  afterAll(() => a?.close());

  it("leaves its neighbours' sends their share of each turn", async () => {
    const [alpha, beta] = a.world.hosts as [Attack['world']['hosts'][0], Attack['world']['hosts'][0]];
    const sink = await beta.spawn('/o/sink');
    const other = await beta.spawn('/o/other');
    beta.kernel.sched.send(sink, 'quiet');
    const flooder = await alpha.spawn('/o/flooder', { peers: ['/o/sink'] });
    const neighbour = await alpha.spawn('/o/neighbour', { peers: ['/o/other'] });
    await announced(a.world, '/o/sink', 'beta');
    await announced(a.world, '/o/other', 'beta');
    const before = process.memoryUsage().heapUsed;
    // Each round, in one turn of the event loop: the flooder tries to send twice the turn's
    // bytes, then the neighbour sends three messages of the same size.
    const handle = (sandbox: typeof flooder, command: string) =>
      sandbox.invokeSync('keel:kernel/handler#handle', [new TextEncoder().encode(command)]);
    for (let i = 0; i < ROUNDS; i++) {
      handle(flooder, `flood /o/sink 128 ${OUTBOUND / 64}`);
      handle(neighbour, `sendn /o/other 3 ${OUTBOUND / 64}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await until(
      () =>
        alpha.logs(flooder).filter((l) => l.startsWith('flood ')).length === ROUNDS &&
        alpha.logs(neighbour).filter((l) => l.startsWith('sendn ')).length === ROUNDS,
      10_000,
      'the rounds',
    );
    // The neighbour was never refused.
    expect(alpha.logs(neighbour).filter((l) => l.startsWith('sendn '))).toEqual(
      Array(ROUNDS).fill('sendn ok sent=3'),
    );
    await until(() => received(beta.logs(other)).length === 3 * ROUNDS, 10_000, "the neighbour's messages");
    // The flooder was refused past its share: at most a quarter of the turn's bytes each round.
    for (const line of alpha.logs(flooder).filter((l) => l.startsWith('flood '))) {
      const ok = Number(/ok=(\d+)/.exec(line)![1]);
      expect(ok).toBeGreaterThan(0);
      expect(ok * (OUTBOUND / 64)).toBeLessThanOrEqual(OUTBOUND / 4);
    }
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
  });
});
