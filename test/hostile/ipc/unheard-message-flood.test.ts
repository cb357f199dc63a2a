/**
 * Attack: send messages nobody will read, in a loop: publish on a topic nobody subscribes to,
 * send to a peer that does not exist, send to a peer whose mailbox is full. The scheduler routes
 * each, checks the grant, and refuses or drops it with an event (3–11 µs of the host's CPU on
 * this machine), and each cost a call (133 fuel: up to 970x compute per unit). A call of
 * `keel:kernel/ipc` or `keel:kernel/events` costs `message`, refused or not, so a unit of fuel
 * costs the host at most 10 times what compute does (bench/results/fuel-latest.json), its heap
 * bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keelComponent } from '../../../bench/fuel/guests.js';
import type { Kernel, Limits, ModuleHandle } from '../../../host/index.js';
import { FUEL_BOUND, floodKernel, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

let kernel: Kernel;
let module: ModuleHandle;
beforeAll(async () => {
  kernel = floodKernel();
  module = await kernel.load(await keelComponent(), { name: 'unheard' });
}, 120_000);
afterAll(() => kernel.close());

const spawn = (limits: Partial<Limits> = {}) =>
  kernel.spawn(module, {
    limits,
    grants: [
      'keel:kernel/log',
      { interface: 'keel:kernel/ipc', scope: { peers: ['*'] } },
      { interface: 'keel:kernel/events', scope: { publish: ['bench.*'] } },
    ],
  });

// [attack, op (1 send, 2 publish), body bytes, calls per run, to: 'full' or a name nobody has]
const FLOODS: [string, number, number, number, string?][] = [
  ['publish on a topic nobody hears', 2, 0, 2_000],
  ['send to a peer that does not exist', 1, 0, 500, 'nobody'],
  ['send to a sandbox id nobody has', 1, 0, 500, 'sbx_999999999'],
  ['send to a mount path nobody mounts', 1, 0, 500, '/nobody'],
  ['send to a peer whose mailbox is full', 1, 0, 500, 'full'],
];

describe('unheard message flood', () => {
  for (const [name, op, size, n, to] of FLOODS) {
    it(`${name}: a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const sender = await spawn();
      const peer = await spawn(to === 'full' ? { mailboxLength: 1 } : {});
      const target = to === 'full' || to === undefined ? peer.id : to;
      const before = heapUsed();
      const ratio = await fuelRatio(() => sender.invokeSync('run', [op, n, size, target]).fuel.used);
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(32 * 1024 * 1024);
      sender.terminate('done');
      peer.terminate('done');
    });
  }
});

/**
 * `nobody` is no sandbox id nor mount path: the scheduler refused it as a malformed name by
 * catching the `KeelError` its parser threw, whose stack cost more than the rest of the refusal
 * (8.6 µs a send, 3.9 for an id nobody has, load 6). It is a value now. Timed interleaved in one
 * process, CPU time, the median of 7 rounds: a malformed name costs the host about what a
 * well-formed one does (2.2x before).
 */
it('a send to a malformed name costs the host no more than a send to an id nobody has', async () => {
  const sender = await spawn();
  const cost = (to: string) => {
    const cpu = process.cpuUsage();
    let fuel = 0;
    for (let i = 0; i < 10; i++) fuel += sender.invokeSync('run', [1, 500, 0, to]).fuel.used;
    const spent = process.cpuUsage(cpu);
    return ((spent.user + spent.system) * 1000) / fuel;
  };
  cost('nobody');
  cost('sbx_999999999');
  const ratios: number[] = [];
  for (let round = 0; round < 7; round++) {
    const malformed = cost('nobody');
    ratios.push(malformed / cost('sbx_999999999'));
  }
  const median = ratios.sort((a, b) => a - b)[3]!;
  expect(median, ratios.map((r) => r.toFixed(2)).join(' ')).toBeLessThan(1.5);
  sender.terminate('done');
});
