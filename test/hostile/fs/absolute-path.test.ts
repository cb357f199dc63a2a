/** Attack: name a host path directly (absolute paths, doubled slashes), raw and through libc. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
  fsDenials,
  fsGrant,
  hex,
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

  it('refuses absolute paths with not-permitted; libc never even finds a preopen for them', async () => {
    const secret = `${w.canary}/secret`;
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'rawopen',
        '3',
        hex(secret),
        'rawopen',
        '3',
        hex(`/${secret}`),
        'rawopen',
        '3',
        hex('/etc/passwd'),
        'rawcreate',
        '3',
        hex(`${w.canary}/created`),
        'read',
        secret,
        'write',
        `${w.canary}/created`,
        'x',
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    const raw = result.lines.filter((l) => l.startsWith('raw'));
    expect(raw).toEqual([
      'rawopen (path): err EPERM',
      'rawopen (path): err EPERM',
      'rawopen (path): err EPERM',
      'rawcreate (path): err EPERM',
    ]);
    expect(answer(result, `read ${secret}`)).toBe('err ENOTCAPABLE');
    expect(answer(result, `write ${w.canary}/created`)).toBe('err ENOTCAPABLE');
    expect(fsDenials(w.events).map((d) => d.detail)).toEqual(Array(4).fill('absolute path'));
    await expectUnharmed(w, canary);
  });
});
