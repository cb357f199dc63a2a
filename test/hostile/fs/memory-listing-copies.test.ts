/**
 * Attack: fill an in-memory directory with the files the quota allows, then open as many
 * listings of it as descriptors allow (`read-directory`, one operation's price each) and keep
 * them. Each listing copied the directory's entries when it was opened: 256 listings of 10,000
 * entries held 184 MB of host heap (64 MiB is a sandbox's whole linear memory), and each copy
 * took 540-590 us of the kernel's thread (CPU, load 17-23) for 105,000 fuel, about 5.5 us of
 * compute (100x). A listing now reads the directory's own map as the guest reads it, up to the
 * last entry added before its open: 0.9 us an open, nothing held; 256 listings of 2,000 entries
 * held 37 MB before.
 */
import { expect, it } from 'vitest';
import type { SandboxContext } from '../../../host/caps/provider.js';
import {
  type Descriptor,
  type DirectoryEntryStream,
  wasiFilesystem,
} from '../../../host/caps/wasi-filesystem.js';
import { fakeContext } from '../../helpers/sandbox-context.js';
import { heapUsed } from '../events/guests.js';

const FILES = 2_000;
const LISTINGS = 256;

const context = (): SandboxContext => fakeContext('listing');

it(`${LISTINGS} listings of a directory of ${FILES} files hold no copy of its entries`, () => {
  const scope = wasiFilesystem.parseScope!('wasi:filesystem/preopens', {
    preopens: [{ guest: '/m' }],
    openDescriptors: LISTINGS + 1,
  });
  const linked = wasiFilesystem.link({ interface: 'wasi:filesystem/preopens', scope, context: context() });
  const root = (linked.getDirectories as () => [Descriptor, string][])()[0]![0];
  for (let i = 0; i < FILES; i++)
    root.openAt({}, `f${i}`, { create: true }, { write: true })[Symbol.dispose]();
  const listings: DirectoryEntryStream[] = [];
  const before = heapUsed();
  for (let i = 0; i < LISTINGS; i++) {
    const listing = root.readDirectory();
    expect(listing.readDirectoryEntry()).toEqual({ type: 'regular-file', name: 'f0' });
    listings.push(listing);
  }
  const held = heapUsed() - before;
  // Before: 37 MB (about 72 bytes an entry a listing).
  expect(held).toBeLessThan(2 * 1024 * 1024);
  // Each still lists the whole directory, in order.
  let n = 1;
  while (listings[0]!.readDirectoryEntry()) n++;
  expect(n).toBe(FILES);
  for (const listing of listings) listing[Symbol.dispose]();
});

it('a listing skips what was removed and leaves out what was added since it was opened', () => {
  const scope = wasiFilesystem.parseScope!('wasi:filesystem/preopens', { preopens: [{ guest: '/m' }] });
  const linked = wasiFilesystem.link({ interface: 'wasi:filesystem/preopens', scope, context: context() });
  const root = (linked.getDirectories as () => [Descriptor, string][])()[0]![0];
  for (const name of ['a', 'b', 'c'])
    root.openAt({}, name, { create: true }, { write: true })[Symbol.dispose]();
  const listing = root.readDirectory();
  expect(listing.readDirectoryEntry()?.name).toBe('a');
  root.unlinkFileAt('b');
  root.openAt({}, 'd', { create: true }, { write: true })[Symbol.dispose]();
  const rest: string[] = [];
  for (let e = listing.readDirectoryEntry(); e; e = listing.readDirectoryEntry()) rest.push(e.name);
  expect(rest).toEqual(['c']);
  expect(listing.readDirectoryEntry()).toBeUndefined();
  listing[Symbol.dispose]();
});

it('renaming each entry as it is listed ends: each is listed once', () => {
  const scope = wasiFilesystem.parseScope!('wasi:filesystem/preopens', { preopens: [{ guest: '/m' }] });
  const linked = wasiFilesystem.link({ interface: 'wasi:filesystem/preopens', scope, context: context() });
  const root = (linked.getDirectories as () => [Descriptor, string][])()[0]![0];
  for (const name of ['a', 'b', 'c'])
    root.openAt({}, name, { create: true }, { write: true })[Symbol.dispose]();
  const listing = root.readDirectory();
  const seen: string[] = [];
  for (let e = listing.readDirectoryEntry(); e && seen.length < 10; e = listing.readDirectoryEntry()) {
    seen.push(e.name);
    root.renameAt(e.name, root, `${e.name}.bak`);
  }
  expect(seen).toEqual(['a', 'b', 'c']);
  listing[Symbol.dispose]();
});
