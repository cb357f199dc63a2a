/**
 * The committed C guests are what their sources build: guests/c/builds.json records each
 * source's sha256 and each output's (scripts/build-c-guests.ts writes it; `--check` rebuilds
 * with the C toolchain and compares byte for byte). Here, without the toolchain: a source edited
 * without a rebuild, or an output that is not the recorded one, fails. Library guests (a
 * `<name>.wit` beside the source) have their own `<name>.build.json`, checked by test/abi.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const base = new URL('../../guests/c/', import.meta.url);
const sha256 = (file: URL) => createHash('sha256').update(readFileSync(file)).digest('hex');
const builds = JSON.parse(readFileSync(new URL('builds.json', base), 'utf8')) as Record<
  string,
  { source: string; outputs: Record<string, string> }
>;

describe('C guests', () => {
  it('are all recorded, sources and outputs', () => {
    const guests = readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !existsSync(new URL(`${d.name}/${d.name}.wit`, base)))
      .map((d) => d.name)
      .sort();
    expect(Object.keys(builds).sort()).toEqual(guests);
    for (const name of guests) {
      const files = readdirSync(new URL(`${name}/`, base)).sort();
      const recorded = [`${name}.c`, ...Object.keys(builds[name]!.outputs).map((s) => `${name}.${s}`)].sort();
      expect(files, name).toEqual(recorded);
    }
  });

  it.each(Object.keys(builds))('%s: the committed outputs are what its source built', (name) => {
    const build = builds[name]!;
    expect(sha256(new URL(`${name}/${name}.c`, base)), `${name}.c changed: rebuild`).toBe(build.source);
    for (const [suffix, hash] of Object.entries(build.outputs)) {
      expect(sha256(new URL(`${name}/${name}.${suffix}`, base)), `${name}.${suffix}`).toBe(hash);
    }
  });
});
