/**
 * Layers point one way (STYLE.md, docs/architecture.md "Layers"): no import cycle between the
 * files of host/, type-only imports and dynamic `import()` included; the kernel does not import
 * the built-in provider list; the scheduler does not import the kernel that wires it in.
 * A small scanner of relative imports, no dependency.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = join(ROOT, 'host');

/** Relative specifiers a source imports: `import/export ... from`, `import '...'`, `import('...')`. */
const IMPORT_RE =
  /(?:^|[\n;])\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|[\n;])\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Each file's imports of other files under `root`. */
function importGraph(root: string): Map<string, Set<string>> {
  const files = sources(root);
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, new Set<string>()]));
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const base = resolve(dirname(file), (m[1] ?? m[2] ?? m[3])!);
      const target = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`].find(
        (c) => known.has(c),
      );
      if (target && target !== file) graph.get(file)!.add(target);
    }
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), each as its edges. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const stack: string[] = [];
  const info = new Map<string, { index: number; low: number; on: boolean }>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    const vi = { index: next, low: next, on: true };
    next++;
    info.set(v, vi);
    stack.push(v);
    for (const w of graph.get(v)!) {
      const wi = info.get(w);
      if (!wi) {
        connect(w);
        vi.low = Math.min(vi.low, info.get(w)!.low);
      } else if (wi.on) vi.low = Math.min(vi.low, wi.index);
    }
    if (vi.low !== vi.index) return;
    const scc = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      info.get(w)!.on = false;
      scc.add(w);
    } while (w !== v);
    if (scc.size < 2) return;
    const edges: string[] = [];
    for (const f of scc) for (const t of graph.get(f)!) if (scc.has(t)) edges.push(`${rel(f)} -> ${rel(t)}`);
    found.push(edges.sort());
  };
  for (const f of graph.keys()) if (!info.has(f)) connect(f);
  return found;
}

const rel = (f: string) => relative(ROOT, f);

describe('architecture: imports point one way', () => {
  const graph = importGraph(HOST);

  it('has no import cycle in host/', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('the kernel does not import the built-in provider list', () => {
    const list = join(HOST, 'caps/index.ts');
    const importers = [...graph].filter(([f, to]) => f.startsWith(join(HOST, 'kernel/')) && to.has(list));
    expect(importers.map(([f]) => rel(f))).toEqual([]);
  });

  it('the scheduler does not import the kernel that wires it in', () => {
    const kernel = join(HOST, 'kernel/kernel.ts');
    const importers = [...graph].filter(([f, to]) => f.startsWith(join(HOST, 'sched/')) && to.has(kernel));
    expect(importers.map(([f]) => rel(f))).toEqual([]);
  });

  it('the scanner finds a cycle through a type import, a re-export and a dynamic import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-cycles-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './sub/b.js';\nexport const a = 1;\n");
      writeFileSync(join(dir, 'sub/b.ts'), "export { c } from '../c.js';\nexport type B = number;\n");
      writeFileSync(join(dir, 'c.ts'), "export const c = async () => import('./a.js');\n");
      writeFileSync(join(dir, 'd.ts'), "import './c.js';\n");
      const found = cycles(importGraph(dir));
      expect(found).toHaveLength(1);
      expect(found[0]).toHaveLength(3);
      expect(importGraph(dir).get(join(dir, 'd.ts'))).toEqual(new Set([join(dir, 'c.ts')]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
