/**
 * Attack (review16 M1): open listings of an in-memory directory between renames of its files.
 * c7d41cf's listings held a live iterator of the directory's `Map`; V8 keeps the hash table an
 * iterator was made on (every key and value in it) alive after the map is rebuilt, until the
 * iterator moves, and no quota counts renames (files created counts creates): 64 listings of
 * 1,000 names of 250 characters, each opened after 2,000 renames, held 40 MB of host heap (22 MB
 * when each listing was a copy). A listing holds a position in the directory's own array now.
 */
import { expect, it } from 'vitest';
import {
  type Descriptor,
  type DirectoryEntryStream,
  wasiFilesystem,
} from '../../../host/caps/wasi-filesystem.js';
import { fakeContext } from '../../helpers/sandbox-context.js';
import { heapUsed } from '../events/guests.js';

const FILES = 1_000;
const LISTINGS = 64;
const PASSES = 2;

const name = (gen: number, i: number) => `${gen}-${i}-`.padEnd(250, 'n');

function root(descriptors: number): Descriptor {
  const scope = wasiFilesystem.parseScope!('wasi:filesystem/preopens', {
    preopens: [{ guest: '/m' }],
    openDescriptors: descriptors,
  });
  const linked = wasiFilesystem.link({
    interface: 'wasi:filesystem/preopens',
    scope,
    context: fakeContext('listing'),
  });
  return (linked.getDirectories as () => [Descriptor, string][])()[0]![0];
}

it(`${LISTINGS} listings opened between renames hold none of the directory's old tables`, () => {
  const dir = root(LISTINGS + 1);
  for (let i = 0; i < FILES; i++)
    dir.openAt({}, name(0, i), { create: true }, { write: true })[Symbol.dispose]();
  const listings: DirectoryEntryStream[] = [];
  let gen = 0;
  const before = heapUsed();
  for (let l = 0; l < LISTINGS; l++) {
    const listing = dir.readDirectory();
    expect(listing.readDirectoryEntry()?.name).toBe(name(gen, 0));
    listings.push(listing);
    for (let p = 0; p < PASSES; p++, gen++)
      for (let i = 0; i < FILES; i++) dir.renameAt(name(gen, i), dir, name(gen + 1, i));
  }
  const held = heapUsed() - before;
  // Before: 40 MB.
  expect(held).toBeLessThan(2 * 1024 * 1024);
  // Every name a listing reads is one its directory has; each stops at what it was opened with.
  for (const listing of listings) expect(listing.readDirectoryEntry()).toBeUndefined();
  const fresh = dir.readDirectory();
  let n = 0;
  for (let e = fresh.readDirectoryEntry(); e; e = fresh.readDirectoryEntry()) {
    expect(e.name).toBe(name(gen, n));
    n++;
  }
  expect(n).toBe(FILES);
  for (const listing of [...listings, fresh]) listing[Symbol.dispose]();
});

it('a listing read across compactions lists each entry still there once, in order', () => {
  const dir = root(8);
  for (let i = 0; i < 200; i++) dir.openAt({}, `f${i}`, { create: true }, { write: true })[Symbol.dispose]();
  const listing = dir.readDirectory();
  const seen: string[] = [];
  for (let k = 0; k < 50; k++) seen.push(listing.readDirectoryEntry()!.name);
  // Remove every odd file and rename every file divisible by 10 (the renamed are added since):
  // the array is compacted while the listing is open.
  for (let i = 1; i < 200; i += 2) dir.unlinkFileAt(`f${i}`);
  for (let i = 0; i < 200; i += 10) dir.renameAt(`f${i}`, dir, `g${i}`);
  for (let e = listing.readDirectoryEntry(); e; e = listing.readDirectoryEntry()) seen.push(e.name);
  const expected = [
    ...Array.from({ length: 50 }, (_, i) => `f${i}`),
    ...Array.from({ length: 150 }, (_, i) => i + 50)
      .filter((i) => i % 2 === 0 && i % 10 !== 0)
      .map((i) => `f${i}`),
  ];
  expect(seen).toEqual(expected);
  listing[Symbol.dispose]();
});
