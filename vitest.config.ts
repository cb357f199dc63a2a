import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. Vitest's default is one worker fewer than the cores, so on a
 * 2-core machine the whole suite ran in one worker; most files of the first group wait on
 * subprocesses (the CLI, npm, toolchains) or compute without timing anything, and run one per
 * core. The second group holds the files that time the host (CPU per unit of fuel, lateness
 * past a deadline, kill latency, heartbeats and rates across hosts) or start a lattice's servers
 * (nats-server, `keel up`): they run alone, as before, so that another file's load cannot fail
 * them (a local HTTP server answering a test, as test/caps/http's, is no reason). A new
 * directory of tests lands in the second group unless it is named here.
 */
const PARALLEL = [
  'abi',
  'architecture',
  'caps',
  'cli',
  // The component model's reference scripts: no clock, no rate.
  'conformance',
  'fuzz',
  'guests',
  // Attacks whose bounds are seconds of wall time or bytes, never a rate or a ratio.
  'hostile/cli',
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
];

/**
 * Attack directories that hold both kinds: a file that reads a clock or a CPU counter, or
 * checks that work grows linearly, runs alone; the others run in the first group. Read from
 * each file's text so that a new timed attack lands alone without anyone remembering to list it.
 */
const MIXED = ['hostile/abi', 'hostile/caps', 'hostile/fs', 'hostile/host-args', 'hostile/preview1'];
const TIMES_THE_HOST = /performance\.now|hrtime|cpuUsage|Date\.now|fuelRatio|spinRatios|linear|loadMs/;
/**
 * Directories of the second group whose files mostly wait on a clock (timers, deadlines, worker
 * threads), time the host or flood it: a file of them runs in the first group only when its text
 * names none of that: the event log's unit tests, the attacks that fuel alone bounds (counted
 * loops, recursion, a huge initial memory), the bench's checks of its committed results, the
 * scheduler's and IPC's deterministic runs, the HTTP and IPC attacks that a check refuses. Floods
 * of events or messages stay alone even when untimed (a million guest calls under another
 * file's load reach the 30 s default deadline), as do a test given a time budget of its own and
 * a guest built with AssemblyScript's compiler in the test (test/ipc/sdk: 5 s alone at load 5,
 * 45 s beside another file at load 9-15, 58-77 s at load 27).
 */
const MOSTLY_TIMED = [
  'bench',
  'events',
  'hostile/events',
  'hostile/http',
  'hostile/ipc',
  'hostile/meter',
  'ipc',
  'sched',
];
const WAITS_ON_A_CLOCK = /setTimeout|setInterval|deadline|timeout|sleep|placement|Worker|nats/i;
/** A flood (of calls, messages, events), a test's own time budget (`}, 30_000)`), a guest build. */
const FLOODS_OR_BUILDS = /flood|hog|\},\s*\d[\d_]*\s*\)|buildGuest/i;
/**
 * A file that says so in a line of its own (`// @alone: <why>`) runs in the second group
 * wherever it lives: one that holds gigabytes at its peak (a guest memory of 512 MiB and the
 * host's copy of it) must not meet another such file in the other fork.
 */
const MARKED_ALONE = /^\/\/ @alone: /m;
const testsOf = (dir: string) =>
  readdirSync(`test/${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${dir}/${name}`);
const notMarkedAlone = (file: string) => !MARKED_ALONE.test(readFileSync(file, 'utf8'));
const IN_PARALLEL = [
  ...PARALLEL.flatMap(testsOf),
  ...MIXED.flatMap(testsOf).filter((file) => !TIMES_THE_HOST.test(readFileSync(file, 'utf8'))),
  ...MOSTLY_TIMED.flatMap(testsOf).filter((file) => {
    const text = readFileSync(file, 'utf8');
    return !TIMES_THE_HOST.test(text) && !WAITS_ON_A_CLOCK.test(text) && !FLOODS_OR_BUILDS.test(text);
  }),
].filter(notMarkedAlone);

const shared: { testTimeout: number; hookTimeout: number; pool: 'forks'; setupFiles: string[] } = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks',
  // Names the test whose process's heap passes 1 GiB (a dead fork names none).
  setupFiles: ['./test/helpers/heap-watch.ts'],
};

export default defineConfig({
  test: {
    // The default output, then the files a dead worker left unfinished (test/helpers).
    reporters: ['default', './test/helpers/unfinished-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          include: IN_PARALLEL,
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ['test/**/*.test.ts'],
          exclude: IN_PARALLEL,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
