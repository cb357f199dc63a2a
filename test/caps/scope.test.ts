/** The grant helpers the CLI uses (`--dir`, `--env`) and the filesystem scope's validation. */
import { describe, expect, it } from 'vitest';
import {
  KeelError,
  parseDirFlag,
  parseDirFlags,
  parseEnvFlags,
  parseFilesystemScope,
} from '../../host/index.js';

describe('parseDirFlag', () => {
  it('turns HOST::GUEST into a read-write preopen grant', () => {
    expect(parseDirFlag('/srv/data::/data')).toEqual({
      interface: 'wasi:filesystem/preopens',
      scope: expect.objectContaining({
        preopens: [
          {
            host: '/srv/data',
            guest: '/data',
            dirPerms: 'read-write',
            filePerms: 'read-write',
            hardLinks: false,
          },
        ],
        hardLinks: false,
      }),
    });
  });

  it('turns HOST::GUEST:ro into a read-only preopen', () => {
    const scope = parseDirFlag('/srv/data::/data:ro').scope as { preopens: unknown[] };
    expect(scope.preopens).toEqual([
      { host: '/srv/data', guest: '/data', dirPerms: 'read', filePerms: 'read', hardLinks: false },
    ]);
  });

  it('grants hard links in one preopen with +links after the mode', () => {
    const scope = parseDirFlags(['/srv/a::/a:rw+links', '/srv/b::/b:ro+links', '/srv/c::/c']).scope as {
      preopens: { guest: string; dirPerms: string; hardLinks: boolean }[];
    };
    expect(scope.preopens.map((p) => [p.guest, p.dirPerms, p.hardLinks])).toEqual([
      ['/a', 'read-write', true],
      ['/b', 'read', true],
      ['/c', 'read-write', false],
    ]);
    // Without +links a preopen follows the scope's own default.
    const all = parseDirFlags(['/srv/c::/c'], { hardLinks: true }).scope as {
      preopens: { hardLinks: boolean }[];
    };
    expect(all.preopens[0]!.hardLinks).toBe(true);
  });

  it('maps HOST alone to the same guest path and makes relative host paths absolute', () => {
    const scope = parseDirFlag('/srv/x').scope as { preopens: { host: string; guest: string }[] };
    expect(scope.preopens[0]).toMatchObject({ host: '/srv/x', guest: '/srv/x' });
    const rel = parseDirFlag('rel::/r').scope as { preopens: { host: string }[] };
    expect(rel.preopens[0]!.host).toBe(`${process.cwd()}/rel`);
  });

  it('puts every --dir in one grant, with finite quotas', () => {
    const grant = parseDirFlags(['/a::/a', '/b::/b:ro']);
    const scope = grant.scope as {
      preopens: unknown[];
      bytesWritten: number;
      filesCreated: number;
      openDescriptors: number;
    };
    expect(scope.preopens).toHaveLength(2);
    expect(Number.isFinite(scope.bytesWritten) && Number.isFinite(scope.filesCreated)).toBe(true);
    expect(scope.openDescriptors).toBeGreaterThan(0);
  });

  it.each(['', '::/data', '/srv::', '/srv::/a\0b'])('refuses %j with invalid-argument', (spec) => {
    expect(() => parseDirFlag(spec)).toThrow(KeelError);
  });

  it('refuses a guest path granted twice', () => {
    expect(() => parseDirFlags(['/a::/x', '/b::/x'])).toThrow(/granted twice/);
  });
});

describe('parseFilesystemScope', () => {
  it('defaults host directories to read-only and in-memory ones to read-write', () => {
    const scope = parseFilesystemScope('wasi:filesystem/preopens', {
      preopens: [{ guest: '/h', host: '/srv' }, { guest: '/m' }],
    });
    expect(scope.preopens.map((p) => [p.dirPerms, p.filePerms])).toEqual([
      ['read', 'read'],
      ['read-write', 'read-write'],
    ]);
  });

  it('names the field at fault', () => {
    expect(() =>
      parseFilesystemScope('wasi:filesystem/preopens', { preopens: [{ guest: '/x', dirPerms: 'all' }] }),
    ).toThrow(/preopens\.0\.dirPerms/);
    expect(() => parseFilesystemScope('wasi:filesystem/preopens', { bytesWritten: -1 })).toThrow(
      /bytesWritten/,
    );
    expect(() => parseFilesystemScope('wasi:filesystem/preopens', { unknown: 1 })).toThrow(KeelError);
  });
});

describe('parseEnvFlags', () => {
  const host = { HOME: '/home/me', SECRET: 's3cret' };

  it('sets NAME=VALUE and passes NAME through from the host, nothing else', () => {
    expect(parseEnvFlags(['A=1', 'B=x=y', 'HOME', 'MISSING', 'EMPTY='], host)).toEqual({
      interface: 'wasi:cli/environment',
      scope: { env: { A: '1', B: 'x=y', HOME: '/home/me', EMPTY: '' }, args: [] },
    });
  });

  it.each(['', '=x', 'A\0B=1'])('refuses %j', (flag) => {
    expect(() => parseEnvFlags([flag], host)).toThrow(KeelError);
  });
});
