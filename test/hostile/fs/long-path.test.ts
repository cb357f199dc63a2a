/** Attack: exhaust the host with huge paths, names, component counts and `..` chains. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  expectUnharmed,
  fsGrant,
  hex,
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

  it('answers name-too-long before touching the filesystem, and leaks no descriptor', async () => {
    const fdsBefore = openFdCount();
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'rawopen',
        '3',
        hex('a'.repeat(5000)),
        'rawopen',
        '3',
        hex('n'.repeat(256)),
        'rawopen',
        '3',
        hex('a/'.repeat(300)),
        'rawopen',
        '3',
        hex('../'.repeat(1000)),
        'rawopen',
        '3',
        hex('x'.repeat(8000)),
        'rawopen',
        '3',
        hex(`${'é'.repeat(128)}`),
        'rawcreate',
        '3',
        hex('n'.repeat(255)),
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    expect(result.lines).toEqual([
      'rawopen (path): err ENAMETOOLONG',
      'rawopen (path): err ENAMETOOLONG',
      'rawopen (path): err ENAMETOOLONG',
      'rawopen (path): err ENAMETOOLONG',
      'rawopen (path): err ENAMETOOLONG',
      // 128 two-byte characters are 256 bytes: one over NAME_MAX.
      'rawopen (path): err ENAMETOOLONG',
      'rawcreate (path): ok',
    ]);
    expect(openFdCount()).toBeLessThanOrEqual(fdsBefore);
    await expectUnharmed(w, canary);
  });
});
