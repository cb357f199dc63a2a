/**
 * The scheduler's cost per message, this build against another build's `dist/` in one process:
 * the ping-pong of bench/ipc/run.ts (two AssemblyScript sandboxes, 1 and 64 messages in flight)
 * through each build's kernel, rounds interleaved, process CPU time per message delivered. For
 * a change of host/sched measured before and after in one run.
 *
 *     npm run build && node dist/bench/ipc/against.js DIR [--rounds 12]
 */
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kernel, Sandbox } from '../../host/index.js';
import { repoPath } from '../lib/paths.js';

const MESSAGES = 5_000;

async function setup(entry: string): Promise<{ kernel: Kernel; a: Sandbox }> {
  const { Kernel: K } = (await import(pathToFileURL(entry).href)) as { Kernel: typeof Kernel };
  const kernel = new K({ cacheDir: join(tmpdir(), 'keel-bench-cache') });
  const module = await kernel.load(
    new Uint8Array(readFileSync(repoPath('guests/as/pingpong/pingpong.wasm'))),
    {
      name: 'pingpong',
    },
  );
  kernel.mount('/bench/a', module);
  kernel.mount('/bench/b', module);
  const grants = ['keel:kernel/log', { interface: 'keel:kernel/ipc', scope: { peers: ['/bench/*'] } }];
  const a = await kernel.spawn('/bench/a', { grants, name: 'a' });
  const b = await kernel.spawn('/bench/b', { grants, name: 'b', limits: { mailboxSenderPercent: 100 } });
  kernel.sched.send(b, 'serve');
  await kernel.sched.run();
  return { kernel, a };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { rounds: { type: 'string' } },
    allowPositionals: true,
  });
  const rounds = Number(values.rounds ?? 12);
  if (!positionals[0])
    throw new Error('usage: node dist/bench/ipc/against.js DIR (another build, with its dist/)');
  const builds = {
    baseline: join(resolve(positionals[0]), 'dist/host/index.js'),
    keel: repoPath('dist/host/index.js'),
  };
  const subjects = {
    baseline: await setup(builds.baseline),
    keel: await setup(builds.keel),
  };
  const ns: Record<string, Record<number, number[]>> = {
    baseline: { 1: [], 64: [] },
    keel: { 1: [], 64: [] },
  };
  const load = loadavg()[0]!.toFixed(2);
  for (let round = 0; round < rounds + 2; round++) {
    for (const window of [1, 64]) {
      for (const name of round % 2 ? (['keel', 'baseline'] as const) : (['baseline', 'keel'] as const)) {
        const { kernel, a } = subjects[name];
        kernel.sched.send(a, `start /bench/b ${MESSAGES} ${window}`);
        const cpu = process.cpuUsage();
        const result = await kernel.sched.run();
        const used = process.cpuUsage(cpu);
        if (result.deliveries !== 2 * MESSAGES + 1) throw new Error(`${result.deliveries} deliveries`);
        // The first two rounds warm up.
        if (round >= 2) ns[name]![window]!.push(((used.user + used.system) * 1000) / (2 * MESSAGES));
      }
    }
  }
  console.log(
    `load average before ${load}, after ${loadavg()[0]!.toFixed(2)}; ${rounds} rounds of ${2 * MESSAGES} messages`,
  );
  console.log('| ping-pong | baseline ns/msg (median, min) | keel ns/msg (median, min) | keel / baseline |');
  console.log('|---|---|---|---|');
  for (const window of [1, 64]) {
    const b = ns.baseline![window]!;
    const k = ns.keel![window]!;
    console.log(
      `| ${window} in flight | ${median(b).toFixed(0)}, ${Math.min(...b).toFixed(0)} | ${median(k).toFixed(0)}, ${Math.min(...k).toFixed(0)} | ${(median(k) / median(b)).toFixed(3)} |`,
    );
  }
  for (const { kernel } of Object.values(subjects)) await kernel.close();
}

await main();
