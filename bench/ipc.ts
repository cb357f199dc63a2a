/**
 * The message-throughput slot. IPC (issue 5) brings its own bench in bench/ipc/; this group
 * runs it when it is there and says so when it is not.
 *
 * Contract: bench/ipc/index.ts exports
 *   `runIpcGroup(ctx: { quick: boolean; log(line: string): void }): Promise<Group>`
 * returning a group of this report's shape (bench/lib/report.ts), with measures in `per_s`
 * (messages per second) or `ns` (per message), every subject from the same run.
 */
import { existsSync } from 'node:fs';
import type { Group } from './lib/report.js';

export async function runIpcGroup(ctx: { quick: boolean; log: (line: string) => void }): Promise<Group> {
  const entry = new URL('./ipc/index.js', import.meta.url);
  if (!existsSync(entry)) {
    return {
      id: 'ipc',
      title: 'Messages between sandboxes',
      subjects: [],
      measures: [],
      notes: [],
      skipped:
        'bench/ipc is not in this tree yet (IPC, issue 5): message throughput is reported once it lands.',
    };
  }
  const mod = (await import(entry.href)) as { runIpcGroup?: typeof runIpcGroup };
  if (typeof mod.runIpcGroup !== 'function') {
    return {
      id: 'ipc',
      title: 'Messages between sandboxes',
      subjects: [],
      measures: [],
      notes: [],
      skipped: 'bench/ipc/index.ts does not export runIpcGroup (see bench/ipc.ts for the contract).',
    };
  }
  return mod.runIpcGroup(ctx);
}
