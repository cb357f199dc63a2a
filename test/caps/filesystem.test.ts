/**
 * The wasi:filesystem provider at the interface level (what jco's glue calls), on both
 * backends: error codes as values, permissions, links, streams, cleanup.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Descriptor, wasiFilesystem } from '../../host/caps/wasi-filesystem.js';
import { KeelError } from '../../host/index.js';
import { fakeContext } from '../helpers/sandbox-context.js';
import { guestBytes, openFdCount, scratch, world } from './harness.js';

function preopens(
  scope: unknown,
  context = fakeContext(),
): { dirs: [Descriptor, string][]; context: ReturnType<typeof fakeContext> } {
  const parsed = wasiFilesystem.parseScope!('wasi:filesystem/preopens', scope);
  const linked = wasiFilesystem.link({ interface: 'wasi:filesystem/preopens', scope: parsed, context });
  return { dirs: (linked.getDirectories as () => [Descriptor, string][])(), context };
}

/** The WASI error code a call answers (the glue's `result` error), or 'ok'. */
function code(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (typeof error === 'string') return error;
    throw error;
  }
}

const RW = { read: true, write: true };
const CREATE = { create: true };
const enc = (s: string) => new TextEncoder().encode(s);

let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
});
afterEach(() => tmp.cleanup());

describe.each(['memory', 'host'] as const)('%s backend', (backend) => {
  const open = () => {
    const scope = {
      preopens: [{ guest: '/d', ...(backend === 'host' ? { host: tmp.dir, dirPerms: 'read-write' } : {}) }],
    };
    const { dirs, context } = preopens(scope);
    return { root: dirs[0]![0], context };
  };

  it('creates, writes, reads, lists, renames and removes', () => {
    const { root } = open();
    root.createDirectoryAt('sub');
    const file = root.openAt({}, 'sub/f', CREATE, RW);
    expect(file.write(enc('hello'), 0n)).toBe(5n);
    expect(file.write(enc('!'), 10n)).toBe(1n);
    const [bytes, eof] = file.read(100n, 0n);
    expect(new TextDecoder().decode(bytes)).toBe('hello\0\0\0\0\0!');
    expect(eof).toBe(true);
    expect(root.statAt({}, 'sub/f')).toMatchObject({ type: 'regular-file', size: 11n, linkCount: 1n });
    const stream = root.openAt({}, 'sub', {}, { read: true }).readDirectory();
    expect(stream.readDirectoryEntry()).toEqual({ type: 'regular-file', name: 'f' });
    expect(stream.readDirectoryEntry()).toBeUndefined();
    stream[Symbol.dispose]();
    root.renameAt('sub/f', root, 'g');
    expect(code(() => root.statAt({}, 'sub/f'))).toBe('no-entry');
    expect(code(() => root.removeDirectoryAt('sub/..'))).toBe('invalid');
    root.removeDirectoryAt('sub');
    root.unlinkFileAt('g');
    expect(code(() => root.unlinkFileAt('g'))).toBe('no-entry');
  });

  it('answers POSIX-like error codes as values', () => {
    const { root } = open();
    root.createDirectoryAt('a');
    root.openAt({}, 'a/f', CREATE, RW)[Symbol.dispose]();
    expect(code(() => root.createDirectoryAt('a'))).toBe('exist');
    expect(code(() => root.openAt({}, 'a/f', { create: true, exclusive: true }, RW))).toBe('exist');
    expect(code(() => root.openAt({}, 'a', {}, RW))).toBe('is-directory');
    expect(code(() => root.openAt({}, 'a/f', { directory: true }, { read: true }))).toBe('not-directory');
    expect(code(() => root.openAt({}, 'a/f/x', {}, { read: true }))).toBe('not-directory');
    expect(code(() => root.removeDirectoryAt('a'))).toBe('not-empty');
    expect(code(() => root.unlinkFileAt('a'))).toBe('is-directory');
    expect(code(() => root.renameAt('a', root, 'a/inside'))).toBe('invalid');
    expect(code(() => root.openAt({}, '../x', {}, { read: true }))).toBe('not-permitted');
    expect(code(() => root.openAt({}, '/x', {}, { read: true }))).toBe('not-permitted');
    expect(code(() => root.openAt({}, 'a/f', { create: true, directory: true }, { read: true }))).toBe(
      'invalid',
    );
  });

  it('follows links within the descriptor and refuses those that leave it', () => {
    const { root } = open();
    root.createDirectoryAt('a');
    root.openAt({}, 'a/f', CREATE, RW).write(enc('x'), 0n);
    root.symlinkAt('a', 'link');
    expect(root.readlinkAt('link')).toBe('a');
    expect(root.statAt({ symlinkFollow: true }, 'link/f').size).toBe(1n);
    expect(root.statAt({}, 'link').type).toBe('symbolic-link');
    expect(code(() => root.openAt({}, 'link', {}, { read: true }))).toBe('loop');
    expect(root.openAt({ symlinkFollow: true }, 'link', {}, { read: true }).getType()).toBe('directory');
    expect(code(() => root.symlinkAt('../out', 'bad'))).toBe('not-permitted');
    expect(code(() => root.symlinkAt('/etc', 'bad'))).toBe('not-permitted');
    root.symlinkAt('self', 'self');
    expect(code(() => root.openAt({ symlinkFollow: true }, 'self', {}, { read: true }))).toBe('loop');
    // A sub-directory descriptor is its own root.
    const a = root.openAt({}, 'a', {}, { read: true });
    expect(code(() => a.openAt({}, '../link', {}, { read: true }))).toBe('not-permitted');
  });

  it('tells objects apart and hashes metadata without revealing inode numbers', () => {
    const { root } = open();
    const f = root.openAt({}, 'f', CREATE, RW);
    const again = root.openAt({}, 'f', {}, { read: true });
    const other = root.openAt({}, 'g', CREATE, RW);
    expect(f.isSameObject(again)).toBe(true);
    expect(f.isSameObject(other)).toBe(false);
    expect(f.metadataHash()).toEqual(root.metadataHashAt({}, 'f'));
    expect(f.metadataHash()).not.toEqual(other.metadataHash());
  });

  it('streams read and write at offsets; a stream outlives its descriptor', () => {
    const { root, context } = open();
    const f = root.openAt({}, 'f', CREATE, RW);
    const out = f.writeViaStream(0n);
    out.write(enc('abc'));
    const append = f.appendViaStream();
    append.write(enc('def'));
    f[Symbol.dispose]();
    append.write(enc('g'));
    const input = root.openAt({}, 'f', {}, { read: true }).readViaStream(2n);
    expect(new TextDecoder().decode(input.read(100n))).toBe('cdefg');
    expect(() => input.read(1n)).toThrow(expect.objectContaining({ tag: 'closed' }));
    out[Symbol.dispose]();
    append[Symbol.dispose]();
    context.end();
  });

  it('reports a quota hit inside a stream as last-operation-failed with a filesystem code', () => {
    const scope = {
      bytesWritten: 4,
      preopens: [{ guest: '/d', ...(backend === 'host' ? { host: tmp.dir, dirPerms: 'read-write' } : {}) }],
    };
    const root = preopens(scope).dirs[0]![0];
    const out = root.openAt({}, 'f', CREATE, RW).writeViaStream(0n);
    out.write(enc('1234'));
    let failure: { tag: string; val: { code?: string } } | undefined;
    try {
      out.write(enc('5'));
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure?.tag).toBe('last-operation-failed');
    const types = wasiFilesystem.link({
      interface: 'wasi:filesystem/types',
      scope: undefined,
      context: fakeContext(),
    });
    expect((types.filesystemErrorCode as (e: unknown) => string)(failure!.val)).toBe('quota');
  });
});

describe('host backend', () => {
  it('closes every descriptor when the sandbox ends', () => {
    mkdirSync(join(tmp.dir, 'x'));
    writeFileSync(join(tmp.dir, 'x', 'f'), 'f');
    const before = openFdCount();
    const { dirs, context } = preopens({ preopens: [{ guest: '/d', host: tmp.dir }] });
    const root = dirs[0]![0];
    for (let i = 0; i < 10; i++) root.openAt({}, 'x/f', {}, { read: true });
    root.openAt({}, 'x', {}, { read: true }).readDirectory();
    expect(openFdCount()).toBeGreaterThan(before);
    context.end();
    expect(openFdCount()).toBe(before);
  });

  it('fails the spawn of a grant whose host directory does not exist, leaking nothing', async () => {
    const w = await world();
    try {
      const module = await w.kernel.load(guestBytes('stdio'));
      const before = openFdCount();
      const spawn = w.kernel.spawn(module, {
        grants: [
          'wasi:cli/*',
          {
            interface: 'wasi:filesystem/preopens',
            scope: {
              preopens: [
                { guest: '/a', host: w.grant },
                { guest: '/b', host: join(w.root, 'missing') },
              ],
            },
          },
        ],
      });
      await expect(spawn).rejects.toThrow(KeelError);
      await expect(spawn).rejects.toMatchObject({ code: 'invalid-argument' });
      expect(openFdCount()).toBe(before);
    } finally {
      await w.close();
    }
  });

  it('refuses a read-only grant every mutation, and a descriptor its missing rights', () => {
    writeFileSync(join(tmp.dir, 'f'), 'f');
    const root = preopens({ preopens: [{ guest: '/d', host: tmp.dir }] }).dirs[0]![0];
    expect(root.getFlags()).toEqual({ read: true, mutateDirectory: false });
    expect(code(() => root.openAt({}, 'f', {}, RW))).toBe('read-only');
    expect(code(() => root.openAt({}, 'f', { truncate: true }, { read: true }))).toBe('read-only');
    expect(code(() => root.createDirectoryAt('x'))).toBe('read-only');
    expect(code(() => root.setTimesAt({}, 'f', { tag: 'now' }, { tag: 'now' }))).toBe('read-only');
    const f = root.openAt({}, 'f', {}, { read: true });
    expect(code(() => f.write(enc('x'), 0n))).toBe('bad-descriptor');
    expect(code(() => f.setSize(0n))).toBe('bad-descriptor');
    expect(code(() => f.openAt({}, 'x', {}, { read: true }))).toBe('not-directory');
    expect(code(() => root.read(1n, 0n))).toBe('is-directory');
  });
});
