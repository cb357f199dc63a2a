/**
 * WAT helpers for tests: `wat(source)` and `watFile(path)` for files in the repository.
 */
import { readFileSync } from 'node:fs';
import { wat } from '../../scripts/lib/wat.js';

export { wat };

/** Compile a WAT file from the repository (`guests/wat/...`). */
export async function watFile(path: string): Promise<Uint8Array> {
  const url = new URL(`../../${path}`, import.meta.url);
  return wat(readFileSync(url, 'utf8'), path);
}
