/**
 * Attack: publish in a loop to a topic many sandboxes subscribe to. One call makes the host
 * queue the body for every subscriber and then deliver it to each (an envelope, the lowering
 * of topic, sender and body, a call into the subscriber: several µs each), and a publication
 * cost one `message` however many it reached: 200 subscribers made a unit of fuel cost the host
 * hundreds of times what compute does. The fan-out is charged per recipient before anything is
 * queued (`recipient`, `messageByte` per recipient, `topicMatch` per subscription looked at;
 * docs/fuel.md), so a unit costs the host at most 10x compute whether the subscribers keep up
 * or their mailboxes are full, with the heap bounded; and a publisher that cannot pay for the
 * whole fan-out is refused whole: nobody receives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keelComponent, subscriberComponent } from '../../../bench/fuel/guests.js';
import type { Kernel, ModuleHandle, Sandbox } from '../../../host/index.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const SUBSCRIBERS = 200;

let kernel: Kernel;
let publisherModule: ModuleHandle;
const subscribers: Sandbox[] = [];
beforeAll(async () => {
  kernel = floodKernel();
  publisherModule = await kernel.load(await keelComponent(), { name: 'publisher' });
  const subscriber = await kernel.load(await subscriberComponent(), { name: 'subscriber' });
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const sandbox = await kernel.spawn(subscriber, {});
    kernel.sched.subscribe(sandbox, 'bench.*');
    subscribers.push(sandbox);
  }
}, 300_000);
afterAll(() => kernel.close());

const publisher = (fuel?: number) =>
  kernel.spawn(publisherModule, {
    ...(fuel !== undefined ? { limits: { fuel } } : {}),
    grants: [
      'keel:kernel/log',
      { interface: 'keel:kernel/ipc', scope: { peers: [] } },
      { interface: 'keel:kernel/events', scope: { publish: ['bench.*'] } },
    ],
  });

const delivered = () => subscribers.reduce((n, s) => n + (kernel.sched.service(s)?.delivered ?? 0), 0);

describe('publish fan-out flood', () => {
  it(`to ${SUBSCRIBERS} subscribers that keep up: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
    const flooder = await publisher();
    const flood = async () => {
      const used = flooder.invokeSync('run', [2, 4, 16, '']).fuel.used;
      await kernel.sched.run();
      return used;
    };
    // The steady state of a flood: the delivery path compiled and optimized.
    for (let i = 0; i < 50; i++) await flood();
    const before = heapUsed();
    const ratio = await fuelRatio(flood);
    expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
    expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
    flooder.terminate('done');
  }, 120_000);

  it(`to ${SUBSCRIBERS} subscribers whose mailboxes are full: likewise`, async () => {
    const flooder = await publisher();
    const before = heapUsed();
    // Nothing is delivered: the first publications fill the flooder's share of every mailbox,
    // the rest are dropped at each subscriber.
    const ratio = await fuelRatio(() => flooder.invokeSync('run', [2, 4, 16, '']).fuel.used);
    expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
    // Bounded by the mailboxes (the flooder's share of each), not by the number of publications.
    expect(heapUsed() - before).toBeLessThan(64 * 1024 * 1024);
    flooder.terminate('done');
    await kernel.sched.run();
  }, 120_000);

  it('refuses a publication whose fan-out the publisher cannot pay for, whole', async () => {
    await kernel.sched.run();
    const before = delivered();
    // Enough for the call and a few recipients, not for all of them.
    const poor = await publisher(200_000);
    expect(() => poor.invokeSync('run', [2, 1, 0, ''])).toThrow(
      expect.objectContaining({ code: 'fuel-exhausted' }),
    );
    await kernel.sched.run();
    expect(delivered()).toBe(before);
  });
});
