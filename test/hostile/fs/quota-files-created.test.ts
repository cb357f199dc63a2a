/** Attack: exhaust inodes (or host memory) by creating files and directories without end. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
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

  it('stops creation at the files-created quota with EDQUOT', async () => {
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'mkdir',
        '/data/many',
        'touchmany',
        '/data/many',
        '1000',
        'mkdir',
        '/data/more',
        'symlink',
        'x',
        '/data/l',
        'overwrite',
        '/data/input.txt',
        'still',
      ],
      {
        grants: [
          fsGrant({
            filesCreated: 25,
            preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }],
          }),
        ],
      },
    );
    expect(answer(result, 'mkdir /data/many')).toBe('ok');
    expect(answer(result, 'touchmany /data/many')).toBe('ok created=24 EDQUOT');
    expect(answer(result, 'mkdir /data/more')).toBe('err EDQUOT');
    expect(answer(result, 'symlink /data/l')).toBe('err EDQUOT');
    // Existing files can still be written.
    expect(answer(result, 'overwrite /data/input.txt')).toBe('ok 5');
    expect(readdirSync(join(w.grant, 'many'))).toHaveLength(24);
    await expectUnharmed(w, canary);
  });
});
