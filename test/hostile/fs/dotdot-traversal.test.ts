/** Attack: leave a grant with `..` (through libc, raw, and from a sub-directory descriptor). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    mkdirSync(join(w.grant, 'sub'));
    writeFileSync(join(w.grant, 'sub', 'f'), 'f');
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('ends every `..` escape in not-permitted, touching nothing outside the grant', async () => {
    const raw = [
      '..',
      '../canary/secret',
      'sub/../../canary/secret',
      './././../canary/secret',
      'sub/./../sub/../../canary',
    ];
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'read',
        '/data/../canary/secret',
        'read',
        '/data/sub/../../canary/secret',
        'write',
        '/data/../canary/secret',
        'pwned',
        'write',
        '/data/../canary/new',
        'pwned',
        'mkdir',
        '/data/../canary/newdir',
        'unlink',
        '/data/../canary/secret',
        'rename',
        '/data/input.txt',
        '/data/../canary/moved',
        ...raw.flatMap((p) => ['rawopen', '3', hex(p)]),
        ...raw.flatMap((p) => ['rawcreate', '3', hex(p)]),
        // A descriptor for a sub-directory is its own root: `..` may not leave it either.
        'opendir',
        '/data/sub',
        'rawopen',
        '4',
        hex('../input.txt'),
        'rawopen',
        '4',
        hex('../../canary/secret'),
        'read',
        '/data/sub/../input.txt',
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    expect(answer(result, 'read /data/../canary/secret')).toBe('err EPERM');
    expect(answer(result, 'read /data/sub/../../canary/secret')).toBe('err EPERM');
    expect(answer(result, 'write /data/../canary/secret')).toBe('err EPERM');
    expect(answer(result, 'write /data/../canary/new')).toBe('err EPERM');
    expect(answer(result, 'mkdir /data/../canary/newdir')).toBe('err EPERM');
    expect(answer(result, 'unlink /data/../canary/secret')).toBe('err EPERM');
    expect(answer(result, 'rename /data/../canary/moved')).toBe('err EPERM');
    const rawAnswers = result.lines.filter((l) => l.startsWith('raw'));
    expect(rawAnswers.slice(0, raw.length * 2)).toEqual(
      Array(raw.length * 2).fill(expect.stringMatching(/: err EPERM$/)),
    );
    expect(answer(result, 'opendir /data/sub')).toBe('ok fd=4');
    expect(rawAnswers.slice(raw.length * 2)).toEqual([
      'rawopen (path): err EPERM',
      'rawopen (path): err EPERM',
    ]);
    // Within the grant, `..` that stays inside the path's own base is fine.
    expect(answer(result, 'read /data/sub/../input.txt')).toBe('ok hello input ');
    expect(fsDenials(w.events).every((d) => d.reason === 'escape' && d.code === 'not-permitted')).toBe(true);
    expect(fsDenials(w.events).length).toBeGreaterThanOrEqual(17);
    await expectUnharmed(w, canary);
  });
});
