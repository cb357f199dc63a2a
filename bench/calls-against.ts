/**
 * The kernel's call and spawn paths, this build against another build's `dist/` in one process:
 * for a change of host/kernel measured before and after in one run. Both kernels run the same
 * guests (the core module guests/wat/add.wat and the adder component of scripts/lib/fixtures.ts),
 * metered, no observer; subjects interleaved round by round (bench/lib/measure.ts), process CPU
 * time:
 *
 * - scalar call: `add(i, 1)` through the typed fast path (`sandbox.fn`), core and component;
 * - invokeSync: the same through `sandbox.invokeSync` (JSON values, a full outcome);
 * - spawn: `kernel.spawn` of the module and `terminate`, inline.
 *
 *     npm run build && node --expose-gc dist/bench/calls-against.js DIR [--quick | --samples N]
 *
 * DIR is another checkout with its own `dist/` (e.g. `git worktree add DIR REF`, then
 * `npx tsc -p tsconfig.build.json` there). Prints a Markdown table; nothing is written.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kernel } from '../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { wat } from '../scripts/lib/wat.js';
import { compare, machine, type SubjectTiming, type Variant } from './lib/measure.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const samplesAt = process.argv.indexOf('--samples');
const SAMPLES = samplesAt > 0 ? Number(process.argv[samplesAt + 1]) : quick ? 7 : 21;
const ADD = 'docs:adder/add#add';

interface Build {
  name: string;
  kernel: Kernel;
  core: Awaited<ReturnType<Kernel['load']>>;
  component: Awaited<ReturnType<Kernel['load']>>;
}

async function build(name: string, entry: string, core: Uint8Array, component: Uint8Array): Promise<Build> {
  const { Kernel: K } = (await import(pathToFileURL(entry).href)) as { Kernel: typeof Kernel };
  const kernel = new K({ cacheDir: false });
  return { name, kernel, core: await kernel.load(core), component: await kernel.load(component) };
}

async function main(): Promise<void> {
  const dir = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--samples');
  if (!dir) throw new Error('usage: node --expose-gc dist/bench/calls-against.js DIR [--quick]');
  const core = await wat(readFileSync(repoPath('guests/wat/add.wat'), 'utf8'));
  const component = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const builds = [
    await build('baseline', join(resolve(dir), 'dist/host/index.js'), core, component),
    await build('keel', repoPath('dist/host/index.js'), core, component),
  ];
  const groups: { group: string; variants: Variant[]; collect?: boolean }[] = [];
  const calls: Variant[][] = [[], [], [], []];
  const spawns: Variant[][] = [[], []];
  for (const b of builds) {
    const c = await b.kernel.spawn(b.core);
    const k = await b.kernel.spawn(b.component);
    calls[0]!.push({ subject: b.name, expr: 'x(i, 1)', self: c.fn('add') });
    calls[1]!.push({ subject: b.name, expr: 'x(i, 1)', self: k.fn(ADD) });
    calls[2]!.push({ subject: b.name, expr: "x.invokeSync('add', [i, 1])", self: c });
    calls[3]!.push({ subject: b.name, expr: `x.invokeSync('${ADD}', [i, 1])`, self: k });
    for (const [n, m] of [b.core, b.component].entries()) {
      spawns[n]!.push({
        subject: b.name,
        async: true,
        op: async () => (await b.kernel.spawn(m)).terminate('bench'),
      });
    }
  }
  groups.push({ group: 'scalar call, core (fn)', variants: calls[0]! });
  groups.push({ group: 'scalar call, component (fn)', variants: calls[1]! });
  groups.push({ group: 'invokeSync, core', variants: calls[2]!, collect: true });
  groups.push({ group: 'invokeSync, component', variants: calls[3]!, collect: true });
  groups.push({ group: 'spawn + terminate, core', variants: spawns[0]!, collect: true });
  groups.push({ group: 'spawn + terminate, component', variants: spawns[1]!, collect: true });
  const before = loadavg()[0]!.toFixed(2);
  const results: [string, SubjectTiming[]][] = [];
  for (const g of groups) {
    results.push([
      g.group,
      await compare(g.variants, { samples: SAMPLES, sampleMs: 20, collect: g.collect ?? false }),
    ]);
  }
  const m = machine();
  console.log(`call paths, ${new Date().toISOString()}, ${m.cpu} x${m.cores}, node ${process.version}`);
  console.log(`command: node --expose-gc dist/bench/calls-against.js ${process.argv.slice(2).join(' ')}`);
  console.log(
    `load average before ${before}, after ${loadavg()[0]!.toFixed(2)}; ${SAMPLES} samples, CPU time\n`,
  );
  console.log(
    '| path | baseline (median, p25-p75) | keel (median, p25-p75) | keel / baseline (median, p25-p75) |',
  );
  console.log('|---|---|---|---|');
  const fmt = (ns: number) => (ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
  for (const [group, timings] of results) {
    const [base, keel] = timings as [SubjectTiming, SubjectTiming];
    console.log(
      `| ${group} | ${fmt(base.ns.median)} (${fmt(base.ns.p25)}-${fmt(base.ns.p75)}) | ${fmt(keel.ns.median)} (${fmt(keel.ns.p25)}-${fmt(keel.ns.p75)}) | ${keel.ratio.toFixed(3)} (${keel.ratio_p25.toFixed(3)}-${keel.ratio_p75.toFixed(3)}) |`,
    );
  }
  for (const b of builds) await b.kernel.close();
}

await main();
