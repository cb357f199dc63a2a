/**
 * docs/architecture.md's module table names every file under host/, each in the row of its
 * folder, and names no file that does not exist; each file of host/sched and host/meter opens
 * with a comment saying what it owns (issue 17: a reader can find their way from the table and
 * the folder listing).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Source files under `dir`, relative to the repository (`host/kernel/kernel.ts`). */
function sources(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) files.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * The table's rows: the folder (first cell) and the files its last cell names, resolved against
 * the folder (a name starting with `host/` is already a full path).
 */
function tableFiles(markdown: string): { folders: string[]; files: string[] } {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Modules of the code'));
  if (!section) throw new Error('docs/architecture.md has no "Modules of the code" section');
  const folders: string[] = [];
  const files: string[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`(host(?:\/[\w-]+)*)`$/.exec(cells[1] ?? '')?.[1];
    if (!folder) continue;
    folders.push(folder);
    for (const m of (cells[cells.length - 2] ?? '').matchAll(/`([\w./-]+\.(?:ts|mts|js|mjs))`/g)) {
      const name = m[1]!;
      files.push(name.startsWith('host/') ? name : `${folder}/${name}`);
    }
  }
  return { folders, files };
}

describe('docs/architecture.md module table', () => {
  const table = tableFiles(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));
  const named = new Set(table.files);
  const actual = sources('host');

  it('names every file under host/', () => {
    expect(actual.filter((f) => !named.has(f))).toEqual([]);
  });

  it('names no file that does not exist', () => {
    const present = new Set(actual);
    expect([...named].filter((f) => !present.has(f))).toEqual([]);
  });

  it('has one row per folder of host/ and none for a folder that does not exist', () => {
    const folders = [...new Set(actual.map((f) => dirname(f)))].sort();
    expect([...table.folders].sort()).toEqual(folders);
  });

  it('fails on a table that leaves a file out or names one that is gone', () => {
    const doc = [
      '## Modules of the code',
      '| Folder | Concept | Files |',
      '|---|---|---|',
      '| `host/kernel` | the core | `kernel.ts` (the syscalls), `gone.ts`, `host/meter/index.ts` |',
      '## Layers',
    ].join('\n');
    const { files } = tableFiles(doc);
    expect(files).toEqual(['host/kernel/kernel.ts', 'host/kernel/gone.ts', 'host/meter/index.ts']);
    expect(files.filter((f) => !actual.includes(f))).toEqual(['host/kernel/gone.ts']);
    expect(
      actual.filter((f) => f.startsWith('host/kernel/sandbox') && !files.includes(f)).length,
    ).toBeGreaterThan(0);
  });
});

describe('opening comments', () => {
  for (const folder of ['host/sched', 'host/meter', 'host/kernel/sandbox']) {
    it(`every file of ${folder} opens with a comment saying what it owns`, () => {
      const bare = sources(folder).filter((f) => {
        const text = readFileSync(join(ROOT, f), 'utf8');
        const opening = /^\/\*\*\s*\n?\s*\*?\s*(\S[^\n]*)/.exec(text);
        return !opening || opening[1]!.length < 20;
      });
      expect(bare).toEqual([]);
    });
  }
});
