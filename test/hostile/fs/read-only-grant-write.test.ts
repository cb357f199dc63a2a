/** Attack: modify a read-only grant in every way WASI offers. Each ends in `read-only` (EROFS). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
  fsDenials,
  fsGrant,
  parseDir,
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
    mkdirSync(join(w.grant, 'empty'));
    writeFileSync(join(w.grant, 'existing'), 'unchanged');
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('refuses every write through a --dir HOST::GUEST:ro grant', async () => {
    const grantBefore = snapshot(w.grant);
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'write',
        '/ro/new',
        'x',
        'write',
        '/ro/existing',
        'x',
        'overwrite',
        '/ro/existing',
        'x',
        'append',
        '/ro/existing',
        'x',
        'mkdir',
        '/ro/dir',
        'rmdir',
        '/ro/empty',
        'unlink',
        '/ro/existing',
        'rename',
        '/ro/existing',
        '/ro/renamed',
        'symlink',
        'existing',
        '/ro/link',
        'read',
        '/ro/existing',
      ],
      { grants: [parseDir(`${w.grant}::/ro:ro`)] },
    );
    for (const op of [
      'write /ro/new',
      'write /ro/existing',
      'overwrite /ro/existing',
      'append /ro/existing',
      'mkdir /ro/dir',
      'rmdir /ro/empty',
      'unlink /ro/existing',
      'rename /ro/renamed',
      'symlink /ro/link',
    ]) {
      expect(answer(result, op), op).toBe('err EROFS');
    }
    expect(answer(result, 'read /ro/existing')).toBe('ok unchanged');
    expect(snapshot(w.grant)).toEqual(grantBefore);
    expect(fsDenials(w.events).every((d) => d.reason === 'read-only')).toBe(true);
    await expectUnharmed(w, canary);
  });

  it('with a read-only directory but writable files, edits files and creates nothing', async () => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      ['overwrite', '/d/existing', 'CHANGED', 'write', '/d/new', 'x', 'unlink', '/d/existing'],
      {
        grants: [
          fsGrant({ preopens: [{ guest: '/d', host: w.grant, dirPerms: 'read', filePerms: 'read-write' }] }),
        ],
      },
    );
    expect(answer(result, 'overwrite /d/existing')).toBe('ok 7');
    expect(answer(result, 'write /d/new')).toBe('err EROFS');
    expect(answer(result, 'unlink /d/existing')).toBe('err EROFS');
    await expectUnharmed(w, canary);
  });
});
