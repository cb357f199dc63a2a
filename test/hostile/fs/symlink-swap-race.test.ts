/**
 * Attack: swap a directory or file for a symbolic link to the outside while the guest runs:
 * between two guest steps (the test swaps while the guest is writing to stdout), and inside a
 * single host call, between Keel's checks and its open (simulated by swapping from within the
 * backend, right before the open system call). Descriptor-relative, no-follow resolution means
 * the swapped-in link is seen as a link and refused, never followed.
 */
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostDir } from '../../../host/caps/fs/host.js';
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
  const originalOpenFile = HostDir.prototype.openFile;
  const originalOpenDir = HostDir.prototype.openDir;
  beforeAll(async () => {
    w = await world({ abi });
  });
  beforeEach(() => {
    canary = snapshot(w.canary);
  });
  afterEach(() => {
    HostDir.prototype.openFile = originalOpenFile;
    HostDir.prototype.openDir = originalOpenDir;
  });
  afterAll(() => w.close());

  const grants = () => [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })];

  it('refuses a directory swapped for a link to the outside between two guest steps', async () => {
    const swap = (text: string) => {
      if (text.includes('SWAP-ABS')) {
        renameSync(join(w.grant, 'd'), join(w.grant, 'd-was'));
        symlinkSync(w.canary, join(w.grant, 'd'));
      }
      if (text.includes('SWAP-REL')) {
        renameSync(join(w.grant, 'e'), join(w.grant, 'e-was'));
        symlinkSync('../canary', join(w.grant, 'e'));
      }
    };
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'mkdir',
        '/data/d',
        'write',
        '/data/d/secret',
        'mine',
        'mkdir',
        '/data/e',
        'say',
        'SWAP-ABS',
        'read',
        '/data/d/secret',
        'write',
        '/data/d/secret',
        'pwned',
        'write',
        '/data/d/planted',
        'pwned',
        'say',
        'SWAP-REL',
        'append',
        '/data/e/secret',
        'pwned',
        'unlink',
        '/data/e/secret',
        'rename',
        '/data/input.txt',
        '/data/e/moved',
      ],
      { grants: grants(), onStdout: swap },
    );
    expect(answer(result, 'write /data/d/secret')).toBe('err EPERM');
    expect(answer(result, 'read /data/d/secret')).toBe('err EPERM');
    expect(answer(result, 'write /data/d/planted')).toBe('err EPERM');
    expect(answer(result, 'append /data/e/secret')).toBe('err EPERM');
    expect(answer(result, 'unlink /data/e/secret')).toBe('err EPERM');
    expect(answer(result, 'rename /data/e/moved')).toBe('err EPERM');
    expect(readFileSync(join(w.grant, 'd-was', 'secret'), 'utf8')).toBe('mine');
    await expectUnharmed(w, canary);
  });

  it('refuses a file swapped for a link inside one call, between the checks and the open', async () => {
    writeFileSync(join(w.grant, 'victim'), 'victim');
    HostDir.prototype.openFile = function (this: HostDir, name, options) {
      if (name === 'victim') {
        renameSync(join(w.grant, 'victim'), join(w.grant, 'victim-was'));
        symlinkSync(join(w.canary, 'secret'), join(w.grant, 'victim'));
      }
      return originalOpenFile.call(this, name, options);
    };
    const result = await runGuest(w.kernel, 'fsprobe', ['write', '/data/victim', 'pwned'], {
      grants: grants(),
    });
    // O_NOFOLLOW on the final component: the kernel refuses to open the link.
    expect(answer(result, 'write /data/victim')).toBe('err ELOOP');
    await expectUnharmed(w, canary);
  });

  it('refuses a directory swapped for a link inside one call, in the middle of a path walk', async () => {
    mkdirSync(join(w.grant, 'mid'));
    writeFileSync(join(w.grant, 'mid', 'secret'), 'mine');
    let armed = true;
    HostDir.prototype.openDir = function (this: HostDir, name) {
      if (name === 'mid' && armed) {
        armed = false;
        renameSync(join(w.grant, 'mid'), join(w.grant, 'mid-was'));
        symlinkSync(w.canary, join(w.grant, 'mid'));
      }
      return originalOpenDir.call(this, name);
    };
    const result = await runGuest(w.kernel, 'fsprobe', ['write', '/data/mid/secret', 'pwned'], {
      grants: grants(),
    });
    expect(answer(result, 'write /data/mid/secret')).toBe('err EPERM');
    await expectUnharmed(w, canary);
  });
});
