/**
 * The placements a suite runs on: `describe.each(PLACEMENTS)` and a kernel made with
 * `{ placement }` run the same tests inline and in worker threads (issue: one suite, both).
 */
import type { SandboxPlacement } from '../../host/index.js';

export const PLACEMENTS: readonly SandboxPlacement[] = ['inline', 'worker'];

/**
 * Keel's own preview1 imports read guest memory from the kernel's thread, so a worker sandbox
 * runs a preview1 module as a component made with the adapter (docs/placement.md).
 */
export function preview1For(placement: SandboxPlacement): 'keel' | 'adapter' {
  return placement === 'worker' ? 'adapter' : 'keel';
}
