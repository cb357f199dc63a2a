/**
 * `node dist/bench/startup-builds.js <before> <after> [--rounds N]`: the start-up of two builds of
 * the `keel` command, interleaved in one run, so that a change to how the CLI is built or
 * bundled is measured against the build before it under the same load. Each of `<before>` and
 * `<after>` is a directory holding a build (`bin/keel.js` and `dist/`, e.g. a worktree of the
 * commit before, built with `npm run build`, or an installed package); each gets its own cache
 * directory. Subjects: `keel --help`, `keel run --help`, `keel run` of the trivial module with
 * its code cache written, and without it (`KEEL_NO_COMPILE_CACHE=1`, as the first run of a
 * build). Each figure is a fresh process (as bench/startup.ts measures), the two builds in turn
 * within each round, alternating which goes first; the ratio is after/before per round, its
 * median. Prints a markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** A core module exporting `run: () -> i32` (returns 42), no imports (bench/startup.ts's). */
const TRIVIAL = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);

/** CPU time of the whole process (user + system, all threads), written on descriptor 3 at exit. */
const CPU_PRELOAD = `process.on('exit', () => {
  const u = process.cpuUsage();
  require('node:fs').writeSync(3, String((u.user + u.system) / 1000));
});
`;

interface Subject {
  id: string;
  args: (bin: string, cache: string) => string[];
  env?: Record<string, string>;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '21' } },
});
if (positionals.length !== 2) throw new Error('usage: startup-builds.js <before> <after> [--rounds N]');
const builds = positionals.map((dir) => resolve(dir));
const rounds = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), 'keel-startup-builds-'));
const wasm = join(dir, 'trivial.wasm');
writeFileSync(wasm, TRIVIAL);
const preload = join(dir, 'cpu.cjs');
writeFileSync(preload, CPU_PRELOAD);

const SUBJECTS: Subject[] = [
  { id: '`keel --help`', args: (bin) => [bin, '--help'] },
  { id: '`keel run --help`', args: (bin) => [bin, 'run', '--help'] },
  {
    id: '`keel run trivial.wasm --invoke run`, code cache written',
    args: (bin, cache) => [bin, 'run', wasm, '--invoke', 'run', '--cache-dir', cache],
  },
  {
    id: 'the same without the code cache (`KEEL_NO_COMPILE_CACHE=1`)',
    args: (bin, cache) => [bin, 'run', wasm, '--invoke', 'run', '--cache-dir', cache],
    env: { KEEL_NO_COMPILE_CACHE: '1' },
  },
];

function once(args: string[], env: Record<string, string> | undefined): { wall: number; cpu: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', preload, ...args], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return { wall, cpu: Number(String(result.output[3])) };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const bins = builds.map((b) => join(b, 'bin/keel.js'));
const caches = builds.map((_, i) => join(dir, `cache-${i}`));
// Each build's code cache written first (the run subjects' first round would pay it otherwise).
for (const [i, bin] of bins.entries())
  once([bin, 'run', wasm, '--invoke', 'run', '--cache-dir', caches[i]!], {});

const load = loadavg().map((l) => l.toFixed(2));
const samples = SUBJECTS.map(() => [[], []] as { wall: number; cpu: number }[][]);
for (let round = 0; round < rounds; round++) {
  for (const [s, subject] of SUBJECTS.entries()) {
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const b of order) samples[s]![b]!.push(once(subject.args(bins[b]!, caches[b]!), subject.env));
  }
}
const loadAfter = loadavg().map((l) => l.toFixed(2));
rmSync(dir, { recursive: true, force: true });

const ms = (x: number) => `${x.toFixed(1)} ms`;
const lines = [
  `\`node dist/bench/startup-builds.js ${positionals.join(' ')} --rounds ${rounds}\`, ${new Date().toISOString()}, Node ${process.version}; load average ${load.join(' ')} before, ${loadAfter.join(' ')} after.`,
  '',
  '| subject | wall before | wall after | after/before wall | CPU before | CPU after | after/before CPU |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const [s, subject] of SUBJECTS.entries()) {
  const [before, after] = samples[s]!;
  const ratio = (key: 'wall' | 'cpu') => median(after!.map((a, i) => a[key] / before![i]![key]));
  const m = (xs: { wall: number; cpu: number }[], key: 'wall' | 'cpu') => median(xs.map((x) => x[key]));
  lines.push(
    `| ${subject.id} | ${ms(m(before!, 'wall'))} | ${ms(m(after!, 'wall'))} | ${ratio('wall').toFixed(3)} | ${ms(m(before!, 'cpu'))} | ${ms(m(after!, 'cpu'))} | ${ratio('cpu').toFixed(3)} |`,
  );
}
console.log(lines.join('\n'));
