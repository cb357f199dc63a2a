import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. Vitest's default is one worker fewer than the cores, so on a
 * 2-core machine the whole suite ran in one worker; most files of the first group wait on
 * subprocesses (the CLI, npm, toolchains) or compute without timing anything, and run one per
 * core. The second group holds the files that time the host (CPU per unit of fuel, lateness
 * past a deadline, kill latency, heartbeats and rates across hosts) or start servers: they run
 * alone, as before, so that another file's load cannot fail them. A new directory of tests
 * lands in the second group unless it is named here.
 */
const PARALLEL = [
  'abi',
  'architecture',
  'caps',
  'cli',
  'fuzz',
  'guests',
  // Attacks whose bounds are seconds of wall time or bytes, never a rate or a ratio.
  'hostile/caps',
  'hostile/cli',
  'hostile/fs',
  'hostile/handles',
  'hostile/loader',
  'hostile/sdk',
  'kernel',
  'loader',
  'meter',
  'policy',
  'preview1',
  'sdk',
  'spec',
].map((dir) => `test/${dir}/**/*.test.ts`);

/**
 * Attack directories that hold both kinds: a file that reads a clock or a CPU counter, or
 * checks that work grows linearly, runs alone; the others run in the first group. Read from
 * each file's text so that a new timed attack lands alone without anyone remembering to list it.
 */
const MIXED = ['hostile/abi', 'hostile/host-args', 'hostile/preview1'];
const TIMES_THE_HOST = /performance\.now|hrtime|cpuUsage|Date\.now|fuelRatio|linear/;
const UNTIMED_IN_MIXED = MIXED.flatMap((dir) =>
  readdirSync(`test/${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${dir}/${name}`)
    .filter((file) => !TIMES_THE_HOST.test(readFileSync(file, 'utf8'))),
);

const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          include: [...PARALLEL, ...UNTIMED_IN_MIXED],
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ['test/**/*.test.ts'],
          exclude: [...PARALLEL, ...UNTIMED_IN_MIXED],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
