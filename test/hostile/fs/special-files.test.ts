/**
 * Attack: hang or reach a device through a special file placed in the grant (a FIFO with no
 * writer would block the kernel's thread on open). Only regular files and directories open.
 */
import { execFileSync } from 'node:child_process';
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
    execFileSync('mkfifo', [join(w.grant, 'fifo')]);
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  it('refuses to open a FIFO (without blocking) and still lets the guest stat it', async () => {
    const started = Date.now();
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      ['read', '/data/fifo', 'write', '/data/fifo', 'x', 'lstat', '/data/fifo'],
      {
        grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })],
      },
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(answer(result, 'read /data/fifo')).toBe('err EPERM');
    expect(answer(result, 'write /data/fifo')).toBe('err EPERM');
    expect(answer(result, 'lstat /data/fifo')).toMatch(/^ok other/);
    expect(fsDenials(w.events).every((d) => d.reason === 'special-file')).toBe(true);
    await expectUnharmed(w, canary);
  });
});
