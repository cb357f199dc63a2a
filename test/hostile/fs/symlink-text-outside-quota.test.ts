/**
 * Attack: make as many symbolic links as the files quota allows, each with the longest text a
 * link may hold (4,096 bytes), in an in-memory directory: the text is kept on the host's heap
 * for the sandbox's life, and a link counted as one file, never as bytes written: 10,000 links
 * hold 40 MB of text (10,000 x 4,016 bytes) past the byte quota (`bytesWritten`). A link's text now counts as bytes written.
 */
import { expect, it } from 'vitest';
import { type Descriptor, wasiFilesystem } from '../../../host/caps/wasi-filesystem.js';
import { fakeContext } from '../../helpers/sandbox-context.js';

/** 16 names of 250 bytes: 4,016 bytes, inside its directory. */
const TEXT = `${'x'.repeat(250)}/`.repeat(16);

function root(bytesWritten: number): Descriptor {
  const context = fakeContext('links');
  const scope = wasiFilesystem.parseScope!('wasi:filesystem/preopens', {
    preopens: [{ guest: '/m' }],
    bytesWritten,
  });
  const linked = wasiFilesystem.link({ interface: 'wasi:filesystem/preopens', scope, context });
  return (linked.getDirectories as () => [Descriptor, string][])()[0]![0];
}

/** Links made before the first refusal (its error code), at most `max`. */
function link(dir: Descriptor, max: number): { made: number; error?: unknown } {
  for (let i = 0; i < max; i++) {
    try {
      dir.symlinkAt(TEXT, `l${i}`);
    } catch (error) {
      return { made: i, error };
    }
  }
  return { made: max };
}

it("a link's text counts as bytes written: 64 KiB of quota holds 16 links of 4,016 bytes", () => {
  const dir = root(64 * 1024);
  const { made, error } = link(dir, 100);
  // Before: all 100 made (402 KB held past a quota of 64 KiB).
  expect(made).toBe(16);
  expect(error).toBe('quota');
  // What was made still reads back whole.
  expect(dir.readlinkAt('l15')).toBe(TEXT);
});

it('a link refused for another reason counts nothing', () => {
  const dir = root(8 * 1024);
  dir.symlinkAt(TEXT, 'a');
  expect(() => dir.symlinkAt(TEXT, 'a')).toThrow();
  // 4,016 of 8,192 bytes counted once: one more link fits.
  dir.symlinkAt(TEXT, 'b');
  expect(() => dir.symlinkAt(TEXT, 'c')).toThrow();
});
