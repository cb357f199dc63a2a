/**
 * Attack: exhaust the host process's descriptors by opening files and never closing them. The
 * sandbox's quota answers first; everything it held is closed when it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
  fsGrant,
  openFdCount,
  runGuest,
  snapshot,
  type World,
  world,
} from '../../caps/harness.js';

describe.each(ABIS)('through %s', (abi) => {
  let w: World;
  let canary: Record<string, string>;
  beforeAll(async () => {
    w = await world({ abi });
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('stops opening at the descriptor quota and releases every descriptor at the end', async () => {
    // Warm up (transpile, cache files) so that the count below measures the sandbox only.
    await runGuest(w.kernel, 'fsprobe', []);
    const before = openFdCount();
    let during = 0;
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      ['hold', '100000', '/data/input.txt', 'say', 'COUNT', 'ls', '/data', 'hold', '5', '/mem/x'],
      {
        grants: [
          fsGrant({ openDescriptors: 32, preopens: [{ guest: '/data', host: w.grant }, { guest: '/mem' }] }),
        ],
        onStdout: (text) => {
          if (text.includes('COUNT')) during = openFdCount();
        },
      },
    );
    expect(answer(result, 'hold /data/input.txt')).toBe('ok opened=32 EDQUOT');
    expect(answer(result, 'ls /data')).toBe('err EDQUOT');
    expect(during - before).toBeLessThanOrEqual(32 + 2);
    expect(openFdCount()).toBeLessThanOrEqual(before);
    await expectUnharmed(w, canary);
  });
});
