/**
 * The repository root, found from this file whether it runs compiled (dist/bench/lib) or from
 * source (bench/lib, under vitest), and paths inside it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: repository root not found');
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();

/** A path inside the repository: `repoPath('guests/extism/bench.wasm')`. */
export const repoPath = (relative: string): string => join(ROOT, relative);
