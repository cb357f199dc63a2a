/**
 * Attack: follow symbolic links already in the grant that point outside it (absolute, relative,
 * as a directory on the way, chained, looping). Links are resolved within the grant or refused.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
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
    const at = (name: string) => join(w.grant, name);
    symlinkSync(join(w.canary, 'secret'), at('abs-link'));
    symlinkSync('../canary/secret', at('rel-escape'));
    symlinkSync('../canary', at('dir-escape'));
    symlinkSync('chain2', at('chain1'));
    symlinkSync('sub/../../canary/secret', at('chain2'));
    symlinkSync('loop2', at('loop1'));
    symlinkSync('loop1', at('loop2'));
    symlinkSync('input.txt', at('good-link'));
    mkdirSync(at('sub'));
    symlinkSync('../input.txt', at('sub/up-link'));
    symlinkSync('/proc/self/root/etc/passwd', at('proc-link'));
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('refuses links leading outside, follows links that stay inside', async () => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'read',
        '/data/abs-link',
        'read',
        '/data/rel-escape',
        'write',
        '/data/rel-escape',
        'pwned',
        'read',
        '/data/dir-escape/secret',
        'write',
        '/data/dir-escape/new',
        'pwned',
        'ls',
        '/data/dir-escape',
        'stat',
        '/data/dir-escape',
        'read',
        '/data/chain1',
        'read',
        '/data/loop1',
        'read',
        '/data/proc-link',
        'read',
        '/data/good-link',
        'read',
        '/data/sub/up-link',
        'lstat',
        '/data/abs-link',
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    expect(answer(result, 'read /data/abs-link')).toBe('err EPERM');
    expect(answer(result, 'read /data/rel-escape')).toBe('err EPERM');
    expect(answer(result, 'write /data/rel-escape')).toBe('err EPERM');
    expect(answer(result, 'read /data/dir-escape/secret')).toBe('err EPERM');
    expect(answer(result, 'write /data/dir-escape/new')).toBe('err EPERM');
    expect(answer(result, 'ls /data/dir-escape')).toBe('err EPERM');
    expect(answer(result, 'stat /data/dir-escape')).toBe('err EPERM');
    expect(answer(result, 'read /data/chain1')).toBe('err EPERM');
    expect(answer(result, 'read /data/loop1')).toBe('err ELOOP');
    expect(answer(result, 'read /data/proc-link')).toBe('err EPERM');
    expect(answer(result, 'read /data/good-link')).toBe('ok hello input ');
    expect(answer(result, 'read /data/sub/up-link')).toBe('ok hello input ');
    // Looking at a link is not following it.
    expect(answer(result, 'lstat /data/abs-link')).toMatch(/^ok symlink/);
    expect(new Set(fsDenials(w.events).map((d) => d.reason))).toEqual(new Set(['symlink', 'escape']));
    await expectUnharmed(w, canary);
  });
});
