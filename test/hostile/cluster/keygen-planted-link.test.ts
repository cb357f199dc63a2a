/**
 * Attack: someone who can write to the directory where an operator will make a host's key plants
 * a symbolic link at the key's name, pointing to a file of their choosing (that does not exist
 * yet, so a check for an existing file does not see it). `keel cluster keygen` must not follow
 * it: the private key would be written where the attacker reads it. It refuses, writes no
 * private key anywhere, and never prints it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, scratchDir } from '../../cli/harness.js';

describe('keygen and a planted link', () => {
  it('refuses to write the private key through a link', () => {
    const dir = scratchDir('keygen-link');
    const keys = join(dir, 'keys');
    const loot = join(dir, 'attacker');
    mkdirSync(keys);
    mkdirSync(loot);
    symlinkSync(join(loot, 'stolen.key'), join(keys, 'host-a.key'));
    const result = spawnSync(process.execPath, [BIN, 'cluster', 'keygen', 'host-a', '--dir', keys], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('never overwrites');
    expect(existsSync(join(loot, 'stolen.key'))).toBe(false);
    expect(readdirSync(loot)).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
  }, 40_000);
});
