/**
 * The message-throughput group. IPC (issue 5) has its own bench, `bench/ipc/run.ts` (two
 * AssemblyScript sandboxes exchanging messages through the kernel's scheduler); this group runs
 * it as part of the suite, in a child process, and carries its figures into the report.
 *
 * Contract, either of:
 *   - bench/ipc/index.ts exports `runIpcGroup({ quick, log }): Promise<Group>` (this report's
 *     shape): used as is;
 *   - bench/ipc/run.ts is a command that writes bench/results/ipc-<date>[-quick].json with
 *     `throughput: { name, messages_per_s, min_per_s, max_per_s }[]`,
 *     `latency: { name, p50_us, p99_us }[]` and `baselines: { name, per_s }[]` (as it does).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './lib/paths.js';
import type { Group, MeasureResult } from './lib/report.js';
import { round } from './lib/report.js';

interface IpcReport {
  date: string;
  command: string;
  throughput: {
    name: string;
    messages_per_s: number;
    min_per_s: number;
    max_per_s: number;
    rounds: number;
  }[];
  latency: { name: string; samples: number; p50_us: number; p99_us: number; max_us: number }[];
  baselines: { name: string; per_s: number }[];
}

const TITLE = 'Messages between sandboxes (bench/ipc)';

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export function ipcGroup(report: IpcReport): Group {
  const throughput = report.throughput.map((t) => ({ id: `ipc-${slug(t.name)}`, label: t.name }));
  const baselines = report.baselines.map((b) => ({ id: `ipc-${slug(b.name)}`, label: b.name }));
  const latency = report.latency.map((l) => ({ id: `ipc-${slug(l.name)}`, label: l.name }));
  const measures: MeasureResult[] = [
    {
      id: 'ipc.throughput',
      title: 'messages/s through the kernel (and the same handler called without a mailbox)',
      unit: 'per_s',
      lower_is_better: false,
      rows: [
        ...report.throughput.map((t, i) => ({
          subject: throughput[i]!.id,
          value: round(t.messages_per_s),
          min: round(t.min_per_s),
          max: round(t.max_per_s),
          detail: { rounds: t.rounds },
        })),
        ...report.baselines.map((b, i) => ({ subject: baselines[i]!.id, value: round(b.per_s) })),
      ],
    },
    {
      id: 'ipc.latency',
      title: 'message latency, accepted to delivery (p50; p99 in the JSON)',
      unit: 'ns',
      lower_is_better: true,
      rows: report.latency.map((l, i) => ({
        subject: latency[i]!.id,
        value: round(l.p50_us * 1000),
        detail: { p99_ns: round(l.p99_us * 1000), max_ns: round(l.max_us * 1000), samples: l.samples },
      })),
    },
  ];
  return {
    id: 'ipc',
    title: TITLE,
    subjects: [...throughput, ...baselines, ...latency].map((s) => ({
      ...s,
      setup:
        'bench/ipc/run.ts: two guests/as/pingpong sandboxes, 16-byte messages (see bench/README.md, IPC)',
    })),
    measures,
    notes: [
      `Run by \`${report.command}\` in a child process of this run (${report.date}); its own files are bench/results/ipc-*.`,
    ],
  };
}

export async function runIpcGroup(ctx: { quick: boolean; log: (line: string) => void }): Promise<Group> {
  const entry = repoPath('dist/bench/ipc/index.js');
  if (existsSync(entry)) {
    const mod = (await import(entry)) as { runIpcGroup?: typeof runIpcGroup };
    if (typeof mod.runIpcGroup === 'function') return mod.runIpcGroup(ctx);
  }
  const command = repoPath('dist/bench/ipc/run.js');
  if (!existsSync(command)) {
    return {
      id: 'ipc',
      title: TITLE,
      subjects: [],
      measures: [],
      notes: [],
      skipped: 'bench/ipc is not in this tree (IPC, issue 5): message throughput is reported once it is.',
    };
  }
  ctx.log('  node dist/bench/ipc/run.js');
  const started = new Date();
  execFileSync(process.execPath, [command, ...(ctx.quick ? ['--quick'] : [])], {
    cwd: repoPath('.'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = join(
    repoPath('bench/results'),
    `ipc-${started.toISOString().slice(0, 10)}${ctx.quick ? '-quick' : ''}.json`,
  );
  const report = JSON.parse(readFileSync(file, 'utf8')) as IpcReport;
  if (new Date(report.date) < started) throw new Error(`ipc: ${file} was not written by this run`);
  return ipcGroup(report);
}
