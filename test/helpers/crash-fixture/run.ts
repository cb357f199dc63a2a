/**
 * Runs vitest on fixture files of this folder (named by filter), with their own config (forks,
 * the heap watch and the reporters as in the suite), in a child process: for the tests of the
 * suite's own harness (test/architecture/unfinished-reporter, heap-watch).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';

export function runFixtures(filters: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'test/helpers/crash-fixture/vitest.config.ts',
      ...filters,
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, timeout: 60_000 },
  );
}
