/**
 * Attack: one sandbox tries to reach another's files: its in-memory directory (same guest
 * path, different sandbox) and its host directory (a sibling of its own grant).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  answer,
  expectUnharmed,
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
    mkdirSync(join(w.root, 'a'));
    mkdirSync(join(w.root, 'b'));
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('keeps in-memory directories private to each sandbox', async () => {
    const mem = [fsGrant({ preopens: [{ guest: '/tmp' }] })];
    const a = await runGuest(
      w.kernel,
      'fsprobe',
      ['write', '/tmp/a-secret', 'from a', 'read', '/tmp/a-secret'],
      { grants: mem },
    );
    expect(answer(a, 'read /tmp/a-secret')).toBe('ok from a');
    const b = await runGuest(w.kernel, 'fsprobe', ['read', '/tmp/a-secret', 'ls', '/tmp'], { grants: mem });
    expect(answer(b, 'read /tmp/a-secret')).toBe('err ENOENT');
    expect(answer(b, 'ls /tmp')).toBe('ok');
    await expectUnharmed(w, canary);
  });

  it('keeps host grants apart: a sibling directory is outside the grant', async () => {
    const grantOf = (who: string) => [
      fsGrant({ preopens: [{ guest: '/data', host: join(w.root, who), dirPerms: 'read-write' }] }),
    ];
    await runGuest(w.kernel, 'fsprobe', ['write', '/data/a-secret', 'from a'], { grants: grantOf('a') });
    const aBefore = snapshot(join(w.root, 'a'));
    const b = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'read',
        '/data/../a/a-secret',
        'write',
        '/data/../a/a-secret',
        'pwned',
        'rawopen',
        '3',
        hex('../a/a-secret'),
        'rawopen',
        '3',
        hex(join(w.root, 'a', 'a-secret')),
      ],
      { grants: grantOf('b') },
    );
    expect(answer(b, 'read /data/../a/a-secret')).toBe('err EPERM');
    expect(answer(b, 'write /data/../a/a-secret')).toBe('err EPERM');
    expect(b.lines.filter((l) => l.startsWith('rawopen'))).toEqual([
      'rawopen (path): err EPERM',
      'rawopen (path): err EPERM',
    ]);
    expect(snapshot(join(w.root, 'a'))).toEqual(aBefore);
    expect(readFileSync(join(w.root, 'a', 'a-secret'), 'utf8')).toBe('from a');
    await expectUnharmed(w, canary);
  });
});
