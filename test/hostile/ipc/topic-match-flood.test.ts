/**
 * Attack: publish on the longest topic there is (126 segments) while subscribers hold the
 * dearest patterns there are (80 `**` segments each, 250 per subscriber). Matching one such
 * pattern against such a topic walks pattern segments × topic segments (about 70 µs), for every
 * subscription of every subscriber, on every publication, none of which need match: a
 * publication cost one `message` (64,000 fuel, about 4 µs of compute) however much matching it
 * made. It is charged `topicMatch` per unit of matching (`matchUnits`: one per subscription, one
 * more per 64 segment pairs) before anything is queued, so a unit of fuel costs the host at most
 * 10x compute, its heap bounded.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keelComponent, subscriberComponent } from '../../../bench/fuel/guests.js';
import type { Kernel, ModuleHandle } from '../../../host/index.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

let kernel: Kernel;
let publisherModule: ModuleHandle;
beforeAll(async () => {
  kernel = floodKernel();
  publisherModule = await kernel.load(await keelComponent(), { name: 'publisher' });
  const subscriber = await kernel.load(await subscriberComponent(), { name: 'subscriber' });
  const bomb = Array(80).fill('**').join('.');
  for (let i = 0; i < 4; i++) {
    const sandbox = await kernel.spawn(subscriber, {});
    for (let p = 0; p < 250; p++) kernel.sched.subscribe(sandbox, `p${p}.${bomb}`);
  }
}, 300_000);
afterAll(() => kernel.close());

it(`a unit of fuel spent on matching costs the host at most ${FUEL_BOUND}x compute`, async () => {
  const publisher = await kernel.spawn(publisherModule, {
    grants: [
      'keel:kernel/log',
      { interface: 'keel:kernel/ipc', scope: { peers: [] } },
      { interface: 'keel:kernel/events', scope: { publish: ['bench.**'] } },
    ],
  });
  const topic = `bench${'.a'.repeat(125)}`;
  expect(topic.length).toBe(255);
  const before = heapUsed();
  const ratio = await fuelRatio(() => publisher.invokeSync('run', [3, 1, 0, topic]).fuel.used);
  expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
  expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
  publisher.terminate('done');
}, 120_000);
