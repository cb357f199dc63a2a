/**
 * preview1's path functions, one `describe` per function and each errno case, against what
 * Wasmtime's preview1 answers (on Linux), run on the C probe (guests/c/p1probe) over a host
 * directory preopened as /data (fd 3). Trailing slashes, links and timestamps included.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { probe, script } from '../helpers/preview1.js';

const E = {
  BADF: 8,
  EXIST: 20,
  ILSEQ: 25,
  INVAL: 28,
  ISDIR: 31,
  LOOP: 32,
  NOENT: 44,
  NOTDIR: 54,
  NOTEMPTY: 55,
  PERM: 63,
  XDEV: 75,
};
const FOLLOW = '1';
const CREAT = 1;
const DIRECTORY = 2;
const EXCL = 4;
const TRUNC = 8;
const READ = String(1n << 1n);
const RW = String((1n << 1n) | (1n << 6n));

let kernel: Kernel;
let dir: string;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-p1-path-'));
  writeFileSync(join(dir, 'f'), 'file');
  mkdirSync(join(dir, 'd'));
  return () => rmSync(dir, { recursive: true, force: true });
});

const run = (text: string, options: Parameters<typeof probe>[2] = {}) =>
  probe(kernel, script(text), { dir, ...options }).then((r) => r.lines);

describe('path_open', () => {
  it('opens, creates, truncates and refuses as Wasmtime does', async () => {
    const lines = await run(`
      open 3 0 f 0 ${READ} 0
      open 3 0 new ${CREAT} ${RW} 0
      open 3 0 new ${CREAT | EXCL} ${RW} 0
      open 3 0 missing 0 ${READ} 0
      open 3 0 d ${DIRECTORY} 0 0
      open 3 0 f ${DIRECTORY} 0 0
      open 3 0 f/ 0 ${READ} 0
      open 3 0 d/ 0 0 0
      open 3 0 d 0 ${RW} 0
      open 3 0 d ${CREAT} 0 0
      open 3 0 x ${DIRECTORY | CREAT} 0 0
      open 3 0 d ${DIRECTORY | TRUNC} 0 0
      open 4 0 anything 0 0 0
      open 1 0 anything 0 0 0
      open 42 0 anything 0 0 0
      open 3 0 /etc/passwd 0 ${READ} 0
      open 3 0 d/../../f 0 ${READ} 0
      open 3 0 hex:662f0078 0 ${READ} 0
      open 3 0 f ${TRUNC} 0 0
    `);
    expect(lines).toEqual([
      'open: e=0 fd=4',
      'open: e=0 fd=5',
      `open: e=${E.EXIST} fd=-1`,
      `open: e=${E.NOENT} fd=-1`,
      'open: e=0 fd=6',
      `open: e=${E.NOTDIR} fd=-1`,
      `open: e=${E.NOTDIR} fd=-1`,
      'open: e=0 fd=7',
      `open: e=${E.ISDIR} fd=-1`,
      `open: e=${E.ISDIR} fd=-1`,
      `open: e=${E.INVAL} fd=-1`,
      `open: e=${E.INVAL} fd=-1`,
      // A file as the base: ENOTDIR (path_open only); stdio and closed numbers: EBADF.
      `open: e=${E.NOTDIR} fd=-1`,
      `open: e=${E.BADF} fd=-1`,
      `open: e=${E.BADF} fd=-1`,
      `open: e=${E.PERM} fd=-1`,
      `open: e=${E.PERM} fd=-1`,
      // The path stops at the NUL (wasi/api.h passes a C string): "f/", a file with a slash.
      `open: e=${E.NOTDIR} fd=-1`,
      'open: e=0 fd=8',
    ]);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('');
  });

  it('never follows a final symbolic link unless asked: ELOOP', async () => {
    symlinkSync('d', join(dir, 'to-d'));
    symlinkSync('f', join(dir, 'to-f'));
    symlinkSync('loop', join(dir, 'loop'));
    const lines = await run(`
      open 3 0 to-d ${DIRECTORY} 0 0
      open 3 0 to-f 0 0 0
      open 3 ${FOLLOW} to-d ${DIRECTORY} 0 0
      open 3 ${FOLLOW} to-f 0 ${READ} 0
      open 3 ${FOLLOW} to-f ${DIRECTORY} 0 0
      open 3 ${FOLLOW} loop 0 0 0
      open 3 0 to-d/ 0 0 0
    `);
    expect(lines).toEqual([
      `open: e=${E.LOOP} fd=-1`,
      `open: e=${E.LOOP} fd=-1`,
      'open: e=0 fd=4',
      'open: e=0 fd=5',
      `open: e=${E.NOTDIR} fd=-1`,
      `open: e=${E.LOOP} fd=-1`,
      'open: e=0 fd=6',
    ]);
  });

  it('reports the flags it was opened with, and appends with APPEND', async () => {
    const lines = await run(`open 3 0 f 0 ${RW} 17 fdstat 4 write 4 +`);
    expect(lines[1]).toMatch(/^fdstat: e=0 type=4 flags=17 /);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('file+');
  });
});

describe('path_create_directory / path_remove_directory / path_unlink_file', () => {
  it('creates and removes, with the errnos of Linux for each kind of entry', async () => {
    writeFileSync(join(dir, 'd', 'inside'), '');
    const lines = await run(`
      mkdir 3 new
      mkdir 3 new
      mkdir 3 f
      mkdir 3 newer/
      rmdir 3 d
      rmdir 3 f
      rmdir 3 f/
      rmdir 3 new/
      rmdir 3 missing
      unlink 3 d
      unlink 3 d/
      unlink 3 f/
      unlink 3 missing
      unlink 3 f
      mkdir 1 x
      open 3 0 d/inside 0 0 0
      mkdir 4 x
    `);
    expect(lines).toEqual([
      'mkdir: e=0',
      `mkdir: e=${E.EXIST}`,
      `mkdir: e=${E.EXIST}`,
      'mkdir: e=0',
      `rmdir: e=${E.NOTEMPTY}`,
      `rmdir: e=${E.NOTDIR}`,
      `rmdir: e=${E.NOTDIR}`,
      'rmdir: e=0',
      `rmdir: e=${E.NOENT}`,
      `unlink: e=${E.ISDIR}`,
      `unlink: e=${E.ISDIR}`,
      `unlink: e=${E.NOTDIR}`,
      `unlink: e=${E.NOENT}`,
      'unlink: e=0',
      `mkdir: e=${E.BADF}`,
      'open: e=0 fd=4',
      // Only a directory descriptor is a base: a file is EBADF here.
      `mkdir: e=${E.BADF}`,
    ]);
  });

  it('removes a directory given with a trailing slash, never one a link points at', async () => {
    symlinkSync('d', join(dir, 'to-d'));
    const lines = await run('rmdir 3 to-d/ rmdir 3 to-d unlink 3 to-d/ rmdir 3 d/');
    expect(lines).toEqual([
      `rmdir: e=${E.NOTDIR}`,
      `rmdir: e=${E.NOTDIR}`,
      `unlink: e=${E.ISDIR}`,
      'rmdir: e=0',
    ]);
    expect(lstatSync(join(dir, 'to-d')).isSymbolicLink()).toBe(true);
  });
});

describe('path_filestat_get / path_filestat_set_times', () => {
  it('stats the entry or, when asked, what a link points at', async () => {
    symlinkSync('f', join(dir, 'to-f'));
    const lines = await run(`
      pstat 3 0 f
      pstat 3 0 d
      pstat 3 0 to-f
      pstat 3 ${FOLLOW} to-f
      pstat 3 0 missing
      pstat 1 0 f
    `);
    expect(lines[0]).toMatch(/^pstat: e=0 type=4 nlink=1 size=4 dev=1 ino=set /);
    expect(lines[1]).toMatch(/^pstat: e=0 type=3 /);
    expect(lines[2]).toMatch(/^pstat: e=0 type=7 nlink=1 size=1 /);
    expect(lines[3]).toMatch(/^pstat: e=0 type=4 nlink=1 size=4 /);
    expect(lines[4]).toMatch(new RegExp(`^pstat: e=${E.NOENT} `));
    expect(lines[5]).toMatch(new RegExp(`^pstat: e=${E.BADF} `));
  });

  it('sets exact nanosecond times on the entry or on what a link points at; time with NOW is EINVAL', async () => {
    symlinkSync('f', join(dir, 'to-f'));
    const lines = await run(`
      psettimes 3 0 f 1600000000111111111 1600000000222222222 5
      pstat 3 0 f
      psettimes 3 0 to-f 0 1500000000333333333 4
      pstat 3 0 to-f
      pstat 3 0 f
      psettimes 3 ${FOLLOW} to-f 0 1400000000444444444 4
      pstat 3 0 f
      psettimes 3 0 f 1 1 12
      psettimes 3 0 f 1 1 3
      psettimes 3 0 f 0 0 10
    `);
    expect(lines[0]).toBe('psettimes: e=0');
    expect(lines[1]).toMatch(/ mtim=1600000000222222222 atim=1600000000111111111$/);
    expect(lines[3]).toMatch(/^pstat: e=0 type=7 .* mtim=1500000000333333333 /);
    expect(lines[4]).toMatch(/ mtim=1600000000222222222 atim=1600000000111111111$/);
    expect(lines[6]).toMatch(/ mtim=1400000000444444444 atim=1600000000111111111$/);
    expect(lines.slice(7, 9)).toEqual([`psettimes: e=${E.INVAL}`, `psettimes: e=${E.INVAL}`]);
    expect(lines[9]).toBe('psettimes: e=0');
  });
});

describe('path_link', () => {
  it('is refused without hard links granted (EPERM), and made with them (one inode)', async () => {
    expect(await run('link 3 0 f 3 f2')).toEqual([`link: e=${E.PERM}`]);
    const lines = await run(`link 3 0 f 3 f2 open 3 0 f 0 0 0 open 3 0 f2 0 0 0 ino 4 ino 5 pstat 3 0 f`, {
      links: true,
    });
    expect(lines[0]).toBe('link: e=0');
    expect(lines[3]).toMatch(/^ino: e=0 ino=[1-9]/);
    expect(lines[3]).toBe(lines[4]);
    expect(lines[5]).toMatch(/^pstat: e=0 type=4 nlink=2 /);
  });

  it('links entries, never directories, and never follows a link (EINVAL when asked)', async () => {
    symlinkSync('dangling', join(dir, 'sym'));
    const lines = await run(
      `
      link 3 0 f 3 f
      link 3 0 f 3 d
      link 3 0 d 3 d2
      link 3 0 f 3 new/
      link 3 0 f/ 3 new
      link 3 0 sym 3 sym2
      link 3 ${FOLLOW} sym 3 sym3
      link 3 0 missing 3 m2
    `,
      { links: true },
    );
    expect(lines).toEqual([
      `link: e=${E.EXIST}`,
      `link: e=${E.EXIST}`,
      `link: e=${E.PERM}`,
      `link: e=${E.NOENT}`,
      `link: e=${E.NOTDIR}`,
      'link: e=0',
      `link: e=${E.INVAL}`,
      `link: e=${E.NOENT}`,
    ]);
    expect(lstatSync(join(dir, 'sym2')).isSymbolicLink()).toBe(true);
  });
});

describe('path_symlink / path_readlink', () => {
  it('creates links whose text stays inside their directory, with the trailing-slash rules of Linux', async () => {
    const lines = await run(`
      symlink f 3 to-f
      symlink d/../f 3 also-f
      symlink missing 3 dangling
      symlink f 3 to-f
      symlink f 3 d
      symlink f 3 new/
      symlink f 3 d/
      symlink f 3 f/
      symlink /etc/passwd 3 abs
      symlink ../outside 3 out
      readlink 3 to-f 64
      readlink 3 also-f 3
      readlink 3 f 64
      readlink 3 missing 64
      readlink 1 to-f 64
    `);
    expect(lines).toEqual([
      'symlink: e=0',
      'symlink: e=0',
      'symlink: e=0',
      `symlink: e=${E.EXIST}`,
      `symlink: e=${E.EXIST}`,
      `symlink: e=${E.NOENT}`,
      `symlink: e=${E.EXIST}`,
      `symlink: e=${E.NOTDIR}`,
      `symlink: e=${E.PERM}`,
      `symlink: e=${E.PERM}`,
      'readlink: e=0 n=1 f',
      // Truncated to the buffer, as Wasmtime does.
      'readlink: e=0 n=3 d/.',
      `readlink: e=${E.INVAL} n=0 `,
      `readlink: e=${E.NOENT} n=0 `,
      `readlink: e=${E.BADF} n=0 `,
    ]);
  });
});

describe('path_rename', () => {
  it('renames files and directories with the semantics of rename(2)', async () => {
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), '');
    const lines = await run(`
      rename 3 f 3 g
      rename 3 g 3 d
      rename 3 d 3 full
      rename 3 d 3 g
      mkdir 3 empty
      rename 3 d 3 empty
      rename 3 empty/ 3 e2
      rename 3 e2 3 e3/
      rename 3 g/ 3 h
      rename 3 g 3 h/
      rename 3 missing 3 x
      rename 3 e3 3 e3/inside
    `);
    expect(lines).toEqual([
      'rename: e=0',
      `rename: e=${E.ISDIR}`,
      `rename: e=${E.NOTEMPTY}`,
      `rename: e=${E.NOTDIR}`,
      'mkdir: e=0',
      'rename: e=0',
      'rename: e=0',
      'rename: e=0',
      `rename: e=${E.NOTDIR}`,
      `rename: e=${E.NOTDIR}`,
      `rename: e=${E.NOENT}`,
      `rename: e=${E.INVAL}`,
    ]);
  });

  it('never moves an entry between two preopens (EXDEV)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'keel-p1-other-'));
    try {
      const { parseDirFlags } = await import('../../host/index.js');
      const lines = await probe(kernel, script('rename 3 f 4 f link 3 0 f 4 f2'), {
        grants: [parseDirFlags([`${dir}::/data:rw+links`, `${other}::/other:rw+links`])],
      }).then((r) => r.lines);
      expect(lines).toEqual([`rename: e=${E.XDEV}`, `link: e=${E.XDEV}`]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('paths', () => {
  it('refuses invalid UTF-8 (EILSEQ) and names with NUL or backslashes', async () => {
    const lines = await run('open 3 0 hex:ff 0 0 0 mkdir 3 hex:c0af mkdir 3 a\\b');
    expect(lines).toEqual([`open: e=${E.ILSEQ} fd=-1`, `mkdir: e=${E.ILSEQ}`, `mkdir: e=${E.ILSEQ}`]);
  });
});
