/**
 * What a guest-to-host call costs once many sandboxes of one module have lived in the process.
 * The suite's call measures use one sandbox; each sandbox has its own wasm functions, so with
 * many the call sites in the shared glue and in the capability gate see many targets and V8
 * stops inlining them. Each case runs in its own child process (feedback is per process):
 * spawn and exercise N sandboxes, then time `call-host(1000)` on a fresh one.
 *
 *     npm run build && node dist/bench/many-sandboxes.js
 *
 * Writes bench/results/many-sandboxes-<date>.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_WAT, BENCH_WIT, componentFromWat, tempCacheDir } from '../scripts/lib/fixtures.js';
import { machine, stats } from './lib/measure.js';
import { repoPath } from './lib/paths.js';
import { KEEL_VARIANTS, keelSubject } from './lib/subjects.js';

const CALLS_PER_ROUND = 1000;
const ROUNDS = 15;
const LIVED = [0, 20, 200];

/** Child: ns per host call after `lived` sandboxes. */
async function child(variantId: string, lived: number): Promise<number> {
  const variant = KEEL_VARIANTS.find((v) => v.id === variantId)!;
  const subject = await keelSubject(
    await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'),
    variant,
    tempCacheDir(),
  );
  for (let i = 0; i < lived; i++) {
    const s = await subject.spawn();
    for (let j = 0; j < 50; j++) s.callHost(CALLS_PER_ROUND);
    s.close();
  }
  const s = await subject.spawn();
  for (let j = 0; j < 2000; j++) s.callHost(CALLS_PER_ROUND);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < 200; j++) s.callHost(CALLS_PER_ROUND);
    samples.push(Number(process.hrtime.bigint() - start) / (200 * CALLS_PER_ROUND));
  }
  return stats(samples).median;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    process.stdout.write(`${await child(process.argv[3]!, Number(process.argv[4]))}\n`);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const rows: { variant: string; lived: number; ns_per_call: number }[] = [];
  for (const variant of KEEL_VARIANTS) {
    for (const lived of LIVED) {
      const out = execFileSync(process.execPath, [self, '--child', variant.id, String(lived)], {
        encoding: 'utf8',
      });
      const ns = Number(out.trim().split('\n').at(-1));
      rows.push({ variant: variant.label, lived, ns_per_call: Number(ns.toFixed(2)) });
      console.log(`${variant.label}, ${lived} sandboxes before: ${ns.toFixed(2)} ns per guest-to-host call`);
    }
  }
  const date = new Date().toISOString();
  const command = 'npm run build && node dist/bench/many-sandboxes.js';
  const info = machine();
  const report = { date, command, machine: info, calls_per_round: CALLS_PER_ROUND, rounds: ROUNDS, rows };
  const day = date.slice(0, 10);
  writeFileSync(repoPath(`bench/results/many-sandboxes-${day}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    '# Guest-to-host calls after many sandboxes',
    '',
    `- Date: ${date} · command: \`${command}\``,
    `- Machine: ${info.cpu}, ${info.cores} cores, Node ${info.node} · load average ${info.load.join(' / ')}`,
    '',
    '| subject | sandboxes spawned before | ns per guest-to-host call (median of rounds) |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.variant} | ${r.lived} | ${r.ns_per_call} |`),
    '',
    'One child process per row: N sandboxes of the bench component are spawned, called and',
    'terminated, then a new one is timed (`call-host(1000)`: one host call plus a loop step).',
    '',
  ].join('\n');
  writeFileSync(repoPath(`bench/results/many-sandboxes-${day}.md`), md);
}

await main();
