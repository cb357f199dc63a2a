/**
 * Attack: reach a file outside the grant through a hard link: one placed in the grant (its
 * other name is outside), one the guest creates, and one across two preopens of different
 * permissions. By default files with several links are refused and links cannot be created;
 * with `hardLinks: true`, links stay within one preopen.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    linkSync(join(w.canary, 'secret'), join(w.grant, 'hard'));
    mkdirSync(join(w.root, 'ro'));
    writeFileSync(join(w.root, 'ro', 'protected'), 'read only');
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('refuses to open a file that has another name, and to create links', async () => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'read',
        '/data/hard',
        'write',
        '/data/hard',
        'pwned',
        'overwrite',
        '/data/hard',
        'pw',
        'stat',
        '/data/hard',
        'link',
        '/data/input.txt',
        '/data/second',
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    expect(answer(result, 'read /data/hard')).toBe('err EPERM');
    // Opened without O_TRUNC and refused before truncating: the outside file keeps its bytes.
    expect(answer(result, 'write /data/hard')).toBe('err EPERM');
    expect(answer(result, 'overwrite /data/hard')).toBe('err EPERM');
    expect(answer(result, 'stat /data/hard')).toBe('ok file 11 nlink=2');
    expect(answer(result, 'link /data/second')).toBe('err EPERM');
    expect(existsSync(join(w.grant, 'second'))).toBe(false);
    expect(fsDenials(w.events).filter((d) => d.reason === 'hard-link')).toHaveLength(4);
    await expectUnharmed(w, canary);
  });

  it('with hardLinks granted, links only within one preopen, never from a read-only one', async () => {
    const roBefore = snapshot(join(w.root, 'ro'));
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'link',
        '/ro/protected',
        '/data/writable',
        'overwrite',
        '/data/writable',
        'pwned',
        'link',
        '/data/input.txt',
        '/data/twin',
        'read',
        '/data/twin',
      ],
      {
        grants: [
          fsGrant({
            hardLinks: true,
            preopens: [
              { guest: '/data', host: w.grant, dirPerms: 'read-write' },
              { guest: '/ro', host: join(w.root, 'ro'), dirPerms: 'read' },
            ],
          }),
        ],
      },
    );
    expect(answer(result, 'link /data/writable')).toBe('err EXDEV');
    expect(answer(result, 'overwrite /data/writable')).toBe('err ENOENT');
    expect(answer(result, 'link /data/twin')).toBe('ok');
    expect(answer(result, 'read /data/twin')).toBe('ok hello input ');
    expect(readFileSync(join(w.root, 'ro', 'protected'), 'utf8')).toBe('read only');
    expect(snapshot(join(w.root, 'ro'))).toEqual(roBefore);
    await expectUnharmed(w, canary);
  });
});
