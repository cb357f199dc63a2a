/** Attack: fill the disk (or the host's memory, for in-memory directories) by writing without end. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
  fsDenials,
  fsGrant,
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

  const LIMIT = 256 * 1024;

  it.each([
    ['a host directory', (w: World) => ({ guest: '/data', host: w.grant, dirPerms: 'read-write' })],
    ['an in-memory directory', () => ({ guest: '/data' })],
  ])('stops writes to %s at the bytes-written quota with EDQUOT', async (_, preopen) => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'bigwrite',
        '/data/big',
        String(64 * 1024 * 1024),
        'write',
        '/data/small',
        'more',
        'read',
        '/data/input.txt',
      ],
      { grants: [fsGrant({ bytesWritten: LIMIT, preopens: [preopen(w)] })] },
    );
    const written = /written=(\d+) EDQUOT/.exec(answer(result, 'bigwrite /data/big') ?? '');
    expect(written).not.toBeNull();
    expect(Number(written![1])).toBeLessThanOrEqual(LIMIT);
    expect(answer(result, 'write /data/small')).toBe('err EDQUOT');
    if ('host' in preopen(w)) expect(statSync(join(w.grant, 'big')).size).toBeLessThanOrEqual(LIMIT);
    expect(fsDenials(w.events).some((d) => d.reason === 'quota' && d.code === 'quota')).toBe(true);
    await expectUnharmed(w, canary);
  });
});
