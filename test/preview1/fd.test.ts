/**
 * preview1's descriptor functions, one `describe` per function, each errno case checked against
 * what Wasmtime's preview1 answers (crates/wasi/src/p1.rs), run on a C guest built with
 * Debian clang + wasi-libc (guests/c/p1probe: raw `__wasi_*` calls, one line per call).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { probe } from '../helpers/preview1.js';

const E = { BADF: 8, INVAL: 28, SPIPE: 70, NOTSUP: 58, NOTDIR: 54, ISDIR: 31, NAMETOOLONG: 37 };
/** Rights by bit number (witx `rights`). */
const R = (...bits: number[]) => bits.reduce((a, b) => a | (1n << BigInt(b)), 0n);
const FD_READ = 1;
const FD_WRITE = 6;
const FD_SEEK = 2;
const FD_READDIR = 14;
const FD_FILESTAT_SET_SIZE = 22;
const PATH_FILESTAT_SET_SIZE = 19;
const ALL = (1n << 30n) - 1n;
/** Open flags, rights and fdflags for the probe's `open`. */
const CREAT = '1';
const RW = String(R(FD_READ, FD_WRITE));

let kernel: Kernel;
let dir: string;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-p1-fd-'));
  writeFileSync(join(dir, 'f'), 'hello file');
  mkdirSync(join(dir, 'sub'));
  return () => rmSync(dir, { recursive: true, force: true });
});

const run = (script: string[], options: Parameters<typeof probe>[2] = {}) =>
  probe(kernel, script, { dir, ...options }).then((r) => r.lines);

describe('fd_write / fd_pwrite', () => {
  it('writes stdout and files; a zero-length write to a bad descriptor is EBADF', async () => {
    const lines = await run([
      'write',
      '1',
      'to stdout',
      'write',
      '99',
      '',
      'write',
      '0',
      '',
      'write',
      '3',
      'x',
      'open',
      '3',
      '0',
      'w',
      CREAT,
      RW,
      '0',
      'write',
      '4',
      'abc',
      'pwrite',
      '4',
      '10',
      'Z',
      'pwrite',
      '1',
      '0',
      'x',
      'tell',
      '4',
    ]);
    expect(lines).toEqual([
      'to stdoutwrite: e=0 n=9',
      `write: e=${E.BADF} n=0`,
      `write: e=${E.BADF} n=0`,
      `write: e=${E.BADF} n=0`,
      'open: e=0 fd=4',
      'write: e=0 n=3',
      'pwrite: e=0 n=1',
      `pwrite: e=${E.SPIPE} n=0`,
      // pwrite leaves the position where fd_write put it.
      'tell: e=0 pos=3',
    ]);
    expect(readFileSync(join(dir, 'w'), 'latin1')).toBe('abc\0\0\0\0\0\0\0Z');
  });

  it('appends with APPEND whatever the position, and pwrite then appends too (Linux semantics)', async () => {
    await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      '1',
      'write',
      '4',
      '+',
      'seek',
      '4',
      '0',
      'set',
      'write',
      '4',
      '!',
      'pwrite',
      '4',
      '0',
      '?',
    ]);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('hello file+!?');
  });

  it('is EBADF on a file opened read-only', async () => {
    const lines = await run(['open', '3', '0', 'f', '0', String(R(FD_READ)), '0', 'write', '4', 'x']);
    expect(lines[1]).toBe(`write: e=${E.BADF} n=0`);
  });
});

describe('fd_read / fd_pread', () => {
  it('reads files at the position, stdin until its end; stdio and directories are refused', async () => {
    const lines = await run(
      [
        'open',
        '3',
        '0',
        'f',
        '0',
        String(R(FD_READ)),
        '0',
        'read',
        '4',
        '5',
        'read',
        '4',
        '100',
        'read',
        '4',
        '10',
        'pread',
        '4',
        '4',
        '6',
        'read',
        '0',
        '3',
        'read',
        '0',
        '100',
        'read',
        '0',
        '10',
        'pread',
        '0',
        '1',
        '0',
        'read',
        '1',
        '1',
        'read',
        '3',
        '1',
        'pread',
        '3',
        '1',
        '0',
        'read',
        '42',
        '1',
      ],
      { stdin: new TextEncoder().encode('from stdin') },
    );
    expect(lines).toEqual([
      'open: e=0 fd=4',
      'read: e=0 n=5 hello',
      'read: e=0 n=5  file',
      'read: e=0 n=0 ',
      'pread: e=0 n=4 file',
      'read: e=0 n=3 fro',
      'read: e=0 n=7 m stdin',
      'read: e=0 n=0 ',
      `pread: e=${E.SPIPE} n=0 `,
      `read: e=${E.BADF} n=0 `,
      `read: e=${E.BADF} n=0 `,
      `pread: e=${E.BADF} n=0 `,
      `read: e=${E.BADF} n=0 `,
    ]);
  });

  it('is EBADF on a file opened write-only', async () => {
    const lines = await run(['open', '3', '0', 'f', '0', String(R(FD_WRITE)), '0', 'read', '4', '3']);
    expect(lines[1]).toBe(`read: e=${E.BADF} n=0 `);
  });
});

describe('fd_seek / fd_tell', () => {
  it('moves the position from the start, the current position and the end; before 0 is EINVAL', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      String(R(FD_READ)),
      '0',
      'seek',
      '4',
      '3',
      'set',
      'seek',
      '4',
      '2',
      'cur',
      'seek',
      '4',
      '-1',
      'end',
      'seek',
      '4',
      '100',
      'end',
      'seek',
      '4',
      '-1000',
      'cur',
      'seek',
      '4',
      '-1',
      'set',
      'tell',
      '4',
      'read',
      '4',
      '10',
    ]);
    expect(lines.slice(1)).toEqual([
      'seek: e=0 pos=3',
      'seek: e=0 pos=5',
      'seek: e=0 pos=9',
      'seek: e=0 pos=110',
      `seek: e=${E.INVAL} pos=0`,
      `seek: e=${E.INVAL} pos=0`,
      'tell: e=0 pos=110',
      'read: e=0 n=0 ',
    ]);
  });

  it('is ESPIPE on stdio, EBADF on a directory or a closed descriptor', async () => {
    const lines = await run([
      'seek',
      '0',
      '0',
      'cur',
      'seek',
      '1',
      '0',
      'set',
      'tell',
      '2',
      'seek',
      '3',
      '0',
      'cur',
      'tell',
      '3',
      'tell',
      '9',
    ]);
    expect(lines).toEqual([
      `seek: e=${E.SPIPE} pos=0`,
      `seek: e=${E.SPIPE} pos=0`,
      `tell: e=${E.SPIPE} pos=0`,
      `seek: e=${E.BADF} pos=0`,
      `tell: e=${E.BADF} pos=0`,
      `tell: e=${E.BADF} pos=0`,
    ]);
  });
});

describe('fd_close / fd_renumber', () => {
  it('closes once (then EBADF), a preopen too, and reuses the highest freed number', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      '0',
      '0',
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'close',
      '4',
      'close',
      '4',
      'open',
      '3',
      '0',
      'f',
      '0',
      '0',
      '0',
      'close',
      '3',
      'fdstat',
      '3',
      'close',
      '77',
    ]);
    expect(lines).toEqual([
      'open: e=0 fd=4',
      'open: e=0 fd=5',
      'close: e=0',
      `close: e=${E.BADF}`,
      'open: e=0 fd=4',
      'close: e=0',
      `fdstat: e=${E.BADF} type=0 flags=0 base=0 inheriting=0`,
      `close: e=${E.BADF}`,
    ]);
  });

  it('renumbers onto an open descriptor only: an invalid target or source is EBADF', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      String(R(FD_READ)),
      '0',
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'renumber',
      '4',
      '9',
      'renumber',
      '9',
      '5',
      'renumber',
      '4',
      '4',
      'renumber',
      '4',
      '5',
      'fdstat',
      '4',
      'read',
      '5',
      '5',
      'renumber',
      '5',
      '4',
      'renumber',
      '0',
      '5',
      'fdstat',
      '0',
    ]);
    expect(lines).toEqual([
      'open: e=0 fd=4',
      'open: e=0 fd=5',
      `renumber: e=${E.BADF}`,
      `renumber: e=${E.BADF}`,
      'renumber: e=0',
      'renumber: e=0',
      `fdstat: e=${E.BADF} type=0 flags=0 base=0 inheriting=0`,
      'read: e=0 n=5 hello',
      `renumber: e=${E.BADF}`,
      'renumber: e=0',
      `fdstat: e=${E.BADF} type=0 flags=0 base=0 inheriting=0`,
    ]);
  });
});

describe('fd_fdstat_get / fd_fdstat_set_flags / fd_fdstat_set_rights', () => {
  it('reports stdio, a preopen, and files and directories as opened', async () => {
    const lines = await run([
      'fdstat',
      '0',
      'fdstat',
      '1',
      'fdstat',
      '2',
      'fdstat',
      '3',
      'open',
      '3',
      '0',
      'f',
      '0',
      String(R(FD_READ)),
      '0',
      'fdstat',
      '4',
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      String(1 | 4 | 16 | 2 | 8),
      'fdstat',
      '5',
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'fdstat',
      '6',
    ]);
    const hex = (n: bigint) => n.toString(16);
    expect(lines[0]).toBe(`fdstat: e=0 type=0 flags=0 base=${hex(R(FD_READ))} inheriting=${hex(R(FD_READ))}`);
    expect(lines[1]).toBe(
      `fdstat: e=0 type=0 flags=0 base=${hex(R(FD_WRITE))} inheriting=${hex(R(FD_WRITE))}`,
    );
    expect(lines[2]).toBe(lines[1]);
    // Wasmtime's hard-coded rights of a preopened directory.
    const preopen = R(9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 25, 26, 18, 20, 21, 23);
    const inheriting = preopen | R(0, 1, 2, 3, 4, 5, 6, 7, 8, 21, 22, 23, 27);
    expect(lines[3]).toBe(`fdstat: e=0 type=3 flags=0 base=${hex(preopen)} inheriting=${hex(inheriting)}`);
    const readOnly = ALL & ~R(FD_WRITE);
    expect(lines[5]).toBe(`fdstat: e=0 type=4 flags=0 base=${hex(readOnly)} inheriting=${hex(readOnly)}`);
    // APPEND | NONBLOCK | SYNC | DSYNC | RSYNC, reported back as opened.
    expect(lines[7]).toBe(`fdstat: e=0 type=4 flags=31 base=${hex(ALL)} inheriting=${hex(ALL)}`);
    // A directory: no seeking or resizing, and no writing (never opened for writing).
    const directory = ALL & ~R(FD_SEEK, FD_FILESTAT_SET_SIZE, PATH_FILESTAT_SET_SIZE, FD_WRITE);
    expect(lines[9]).toBe(`fdstat: e=0 type=3 flags=0 base=${hex(directory)} inheriting=${hex(directory)}`);
    expect(directory & R(FD_READDIR)).not.toBe(0n);
  });

  it('changes only APPEND and NONBLOCK, on files only; rights are ENOTSUP', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      '0',
      'setflags',
      '4',
      '5',
      'fdstat',
      '4',
      'setflags',
      '4',
      '16',
      'setflags',
      '1',
      '1',
      'setflags',
      '3',
      '1',
      'setflags',
      '4',
      '0',
      'fdstat',
      '4',
      'setrights',
      '4',
      '0',
      '0',
      'setrights',
      '3',
      '0',
      '0',
      'setrights',
      '1',
      '0',
      '0',
      'setrights',
      '9',
      '0',
      '0',
    ]);
    expect(lines.slice(1)).toEqual([
      'setflags: e=0',
      expect.stringMatching(/^fdstat: e=0 type=4 flags=5 /),
      `setflags: e=${E.INVAL}`,
      `setflags: e=${E.BADF}`,
      `setflags: e=${E.BADF}`,
      'setflags: e=0',
      expect.stringMatching(/^fdstat: e=0 type=4 flags=0 /),
      `setrights: e=${E.NOTSUP}`,
      `setrights: e=${E.NOTSUP}`,
      `setrights: e=${E.BADF}`,
      `setrights: e=${E.BADF}`,
    ]);
  });
});

describe('fd_filestat_get / fd_filestat_set_size / fd_filestat_set_times', () => {
  it('stats files and directories (dev 1, an inode), and stdio as an unknown zero', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      '0',
      'filestat',
      '4',
      'filestat',
      '3',
      'filestat',
      '1',
      'filestat',
      '8',
    ]);
    expect(lines[1]).toMatch(/^filestat: e=0 type=4 nlink=1 size=10 dev=1 ino=set /);
    expect(lines[2]).toMatch(/^filestat: e=0 type=3 nlink=\d+ size=\d+ dev=1 ino=set /);
    expect(lines[3]).toBe('filestat: e=0 type=0 nlink=0 size=0 dev=0 ino=0 mtim=0 atim=0');
    expect(lines[4]).toMatch(new RegExp(`^filestat: e=${E.BADF} `));
  });

  it('sets sizes on files opened for writing, and exact times in nanoseconds', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      '0',
      'setsize',
      '4',
      '3',
      'settimes',
      '4',
      '1000000000123456789',
      '1700000000987654321',
      '5',
      'filestat',
      '4',
      'settimes',
      '4',
      '1',
      '2',
      '3',
      'settimes',
      '4',
      '1',
      '2',
      '12',
      'setsize',
      '3',
      '0',
      'open',
      '3',
      '0',
      'f',
      '0',
      String(R(FD_READ)),
      '0',
      'setsize',
      '5',
      '1',
      'settimes',
      '1',
      '0',
      '0',
      '0',
    ]);
    expect(lines.slice(1)).toEqual([
      'setsize: e=0',
      'settimes: e=0',
      'filestat: e=0 type=4 nlink=1 size=3 dev=1 ino=set mtim=1700000000987654321 atim=1000000000123456789',
      `settimes: e=${E.INVAL}`,
      `settimes: e=${E.INVAL}`,
      `setsize: e=${E.BADF}`,
      'open: e=0 fd=5',
      `setsize: e=${E.BADF}`,
      `settimes: e=${E.BADF}`,
    ]);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('hel');
  });
});

describe('fd_advise / fd_allocate / fd_datasync / fd_sync', () => {
  it('advises and syncs files; allocate is ENOTSUP; directories are EBADF', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'f',
      '0',
      RW,
      '0',
      'advise',
      '4',
      '0',
      '10',
      '1',
      'advise',
      '4',
      '0',
      '10',
      '6',
      'advise',
      '3',
      '0',
      '10',
      '0',
      'allocate',
      '4',
      '0',
      '100',
      'allocate',
      '3',
      '0',
      '1',
      'datasync',
      '4',
      'sync',
      '4',
      'sync',
      '3',
      'datasync',
      '1',
    ]);
    expect(lines.slice(1)).toEqual([
      'advise: e=0',
      `advise: e=${E.INVAL}`,
      `advise: e=${E.BADF}`,
      `allocate: e=${E.NOTSUP}`,
      `allocate: e=${E.BADF}`,
      'datasync: e=0',
      'sync: e=0',
      `sync: e=${E.BADF}`,
      `datasync: e=${E.BADF}`,
    ]);
  });
});

describe('fd_prestat_get / fd_prestat_dir_name', () => {
  it('describes preopens only; a short buffer is ENAMETOOLONG, another directory ENOTDIR', async () => {
    const lines = await run([
      'prestat',
      '3',
      'prestatname',
      '3',
      '5',
      'prestatname',
      '3',
      '0',
      'prestatname',
      '3',
      '4',
      'prestat',
      '1',
      'prestat',
      '4',
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'prestat',
      '4',
      'prestatname',
      '4',
      '10',
      'prestatname',
      '9',
      '10',
    ]);
    expect(lines).toEqual([
      'prestat: e=0 tag=0 len=5',
      'prestatname: e=0 name=/data',
      `prestatname: e=${E.NAMETOOLONG} name=`,
      `prestatname: e=${E.NAMETOOLONG} name=`,
      `prestat: e=${E.BADF} tag=0 len=0`,
      `prestat: e=${E.BADF} tag=0 len=0`,
      'open: e=0 fd=4',
      `prestat: e=${E.BADF} tag=0 len=0`,
      `prestatname: e=${E.NOTDIR} name=`,
      `prestatname: e=${E.BADF} name=`,
    ]);
  });
});

describe('fd_readdir', () => {
  it('lists . and .. first, then the entries with their cookies, and resumes from any cookie', async () => {
    writeFileSync(join(dir, 'sub', 'a'), '');
    mkdirSync(join(dir, 'sub', 'b'));
    const lines = await run([
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'readdir',
      '4',
      '4096',
      '0',
      'readdir',
      '4',
      '4096',
      '2',
      'readdir',
      '4',
      '4096',
      '3',
      'readdir',
      '4',
      '4096',
      '99',
      'readdir',
      '1',
      '4096',
      '0',
      'open',
      '3',
      '0',
      'f',
      '0',
      '0',
      '0',
      'readdir',
      '5',
      '4096',
      '0',
    ]);
    const entries = lines[1]!.match(/\[[^\]]*\]/g)!;
    expect(lines[1]).toMatch(/^readdir: e=0 used=\d+ /);
    expect(entries.slice(0, 2)).toEqual(['[. type=3 next=1]', '[.. type=3 next=2]']);
    // The entries come in the host's order; their cookies follow it.
    const rest = entries
      .slice(2)
      .map((e) => e.replace(/next=\d+/, 'next=?'))
      .sort();
    expect(rest).toEqual(['[a type=4 next=?]', '[b type=3 next=?]']);
    expect(entries.slice(2).map((e) => e.match(/next=(\d+)/)![1])).toEqual(['3', '4']);
    expect(lines[2]!.match(/\[[^\]]*\]/g)).toHaveLength(2);
    expect(lines[3]!.match(/\[[^\]]*\]/g)).toHaveLength(1);
    expect(lines[4]).toBe('readdir: e=0 used=0');
    expect(lines[5]).toBe(`readdir: e=${E.BADF} used=0`);
    expect(lines[7]).toBe(`readdir: e=${E.BADF} used=0`);
  });

  it('fills a small buffer exactly, cutting the last entry, as Wasmtime does', async () => {
    const lines = await run([
      'open',
      '3',
      '0',
      'sub',
      '2',
      '0',
      '0',
      'readdir',
      '4',
      '30',
      '0',
      'readdir',
      '4',
      '50',
      '0',
      'readdir',
      '4',
      '51',
      '0',
    ]);
    // 24 bytes of dirent for `.`, its 1-byte name, then 5 bytes of the next dirent.
    expect(lines[1]).toBe('readdir: e=0 used=30 [. type=3 next=1]');
    // Two dirents and `.`, then one byte of `..`.
    expect(lines[2]).toBe('readdir: e=0 used=50 [. type=3 next=1] [. type=3 next=2]');
    expect(lines[3]).toBe('readdir: e=0 used=51 [. type=3 next=1] [.. type=3 next=2]');
  });
});
