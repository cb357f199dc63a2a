/**
 * Attack: a guest is granted a writable directory that holds the kernel's own cache directory
 * (a home directory, with the cache in ~/.cache/keel), the cache itself, a directory inside it,
 * or a link to one of them. Keel runs what its cache holds (metered core modules, the CLI's V8
 * code cache), so the guest could plant code that runs as Keel later. The kernel refuses such a
 * grant at spawn, for every embedder (the library, `keel up`, `keel run`), with
 * `invalid-argument` naming the cache; a read-only grant of it, or another directory, still runs.
 */
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABIS, answer, fsGrant, parseDir, runGuest, type World, world } from '../../caps/harness.js';

describe.each(ABIS)('through %s', (abi) => {
  let w: World;
  let home: string;
  let cache: string;
  beforeAll(async () => {
    // The kernel's cache lives inside a directory the embedder might grant.
    const base = join(process.env.TMPDIR ?? '/tmp', `keel-protected-${process.pid}-${abi}`);
    home = join(base, 'home');
    cache = join(home, '.cache', 'keel');
    mkdirSync(join(cache, 'inner'), { recursive: true });
    symlinkSync(cache, join(base, 'link-to-cache'));
    w = await world({ abi, cacheDir: cache });
    // Load once, so that the cache holds what the kernel writes there itself.
    await runGuest(w.kernel, 'fsprobe', ['read', '/g/nothing'], { grants: [parseDir(`${w.grant}::/g:ro`)] });
  });
  afterAll(async () => {
    await w.close();
    const { rmSync } = await import('node:fs');
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it.each([
    ['a directory holding the cache', () => home],
    ['the cache directory itself', () => cache],
    ['a directory inside the cache', () => join(cache, 'inner')],
    ['a symbolic link to the cache', () => join(home, '..', 'link-to-cache')],
  ])('refuses a writable grant of %s', async (_, dir) => {
    const before = readdirSync(cache).sort();
    const run = runGuest(w.kernel, 'fsprobe', ['write', '/g/planted', 'x'], {
      grants: [parseDir(`${dir()}::/g`)],
    });
    await expect(run).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/would let the guest write Keel's cache directory/),
    });
    expect(readdirSync(cache).sort()).toEqual(before);
  });

  it('refuses it when only files are writable', async () => {
    const grant = fsGrant({
      preopens: [{ guest: '/g', host: home, dirPerms: 'read', filePerms: 'read-write' }],
    });
    await expect(runGuest(w.kernel, 'fsprobe', ['read', '/g/x'], { grants: [grant] })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });

  it('runs with a read-only grant of it, or with another directory', async () => {
    const readOnly = await runGuest(w.kernel, 'fsprobe', ['read', '/g/nothing'], {
      grants: [parseDir(`${home}::/g:ro`)],
    });
    expect(answer(readOnly, 'read /g/nothing')).toMatch(/^err /);
    const other = await runGuest(w.kernel, 'fsprobe', ['write', '/g/file', 'x'], {
      grants: [parseDir(`${w.grant}::/g`)],
    });
    expect(answer(other, 'write /g/file')).toMatch(/^ok/);
  });
});
