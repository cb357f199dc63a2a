/**
 * Attack: create a symbolic link that points outside the grant, then follow it (or leave it for
 * a host program to follow). A guest may only create relative links that stay inside the
 * directory holding them, so no link it makes can ever lead outside a grant.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
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

  it('refuses links that leave their directory and keeps the ones that do not', async () => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'symlink',
        join(w.canary, 'secret'),
        '/data/abs',
        'symlink',
        '../canary/secret',
        '/data/rel',
        'symlink',
        'x/../../canary',
        '/data/sneaky',
        'mkdir',
        '/data/d',
        'symlink',
        '../input.txt',
        '/data/d/up',
        'symlink',
        '/data/input.txt',
        '/data/guest-abs',
        'read',
        '/data/abs',
        'read',
        '/data/rel',
        'symlink',
        'input.txt',
        '/data/ok',
        'read',
        '/data/ok',
        'symlink',
        'd/../input.txt',
        '/data/ok2',
        'read',
        '/data/ok2',
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    for (const link of ['abs', 'rel', 'sneaky', 'd/up', 'guest-abs']) {
      expect(answer(result, `symlink /data/${link}`), link).toBe('err EPERM');
    }
    expect(answer(result, 'read /data/abs')).toBe('err ENOENT');
    expect(answer(result, 'symlink /data/ok')).toBe('ok');
    expect(answer(result, 'read /data/ok')).toBe('ok hello input ');
    expect(answer(result, 'read /data/ok2')).toBe('ok hello input ');
    // The only links on the host are the two harmless ones.
    const links = readdirSync(w.grant, { recursive: true })
      .map(String)
      .filter((p) => lstatSync(join(w.grant, p)).isSymbolicLink());
    expect(links.sort()).toEqual(['ok', 'ok2']);
    expect(readlinkSync(join(w.grant, 'ok2'))).toBe('d/../input.txt');
    expect(fsDenials(w.events).filter((d) => d.reason === 'symlink')).toHaveLength(5);
    await expectUnharmed(w, canary);
  });
});
