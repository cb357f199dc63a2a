/**
 * The compute bench: CPU-bound kernels (C and AssemblyScript, `bench/compute/{c,as}`) run on
 * plain V8 and under every transform of `test/spec/transforms.ts`, side by side in one process,
 * and the time ratio transformed / plain per kernel and its geometric mean.
 *
 *     npm run build && node dist/bench/compute/run.js [--quick] [--rounds N] [--warmup N]
 *                                                   [--filter REGEX] [--no-write] [--check]
 *
 * Method: every subject (kernel x language) is instantiated once per variant (plain, then each
 * transform) and checked: `run(n)` must return the checksum that the native build of the C
 * source gave (kernels.json). After warm-up calls (at least 10 and 300 ms per variant, so that
 * V8 has tiered the code up to TurboFan; fewer skews the first variants badly), each round
 * times one `run(n)` per variant, in an order that rotates from round to round so that no
 * variant always runs first.
 *
 * Each call is timed twice: in process CPU time (`process.cpuUsage`, user + system) and in wall
 * time. CPU time is the primary figure: it does not count the time the process waits while
 * other processes hold the CPU, which on a shared machine makes wall times swing by ±20-50 %
 * while CPU times stay within about 1 %. (It counts every thread of the process; after warm-up
 * the kernels run alone: no compilation, and no garbage collection since they allocate no JS
 * objects.) Per variant: the median and the interquartile range; the ratio is median(variant)
 * / median(plain), with the interquartile range of the per-round ratios as its spread.
 * Results go to bench/results/compute-<date>[-quick].{json,md}.
 *
 * Targets (issue 3): geometric mean of the ratios at most 1.05, no kernel above 1.15. The
 * identity transform must show about 1.00: that is what validates the method.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateWith, TRANSFORMS, type Transform } from '../../test/spec/transforms.js';

export const TARGET_GEOMEAN = 1.05;
export const TARGET_MAX = 1.15;

/** One kernel of kernels.json. */
export interface KernelSpec {
  name: string;
  what: string;
  n: number;
  quickN: number;
  checksum: Record<string, number>;
}

interface Variant {
  name: string;
  run: (n: number) => number;
}

export interface Stats {
  median: number;
  p25: number;
  p75: number;
  min: number;
}

/** One variant's times in milliseconds: CPU (primary) and wall. */
export interface Times {
  cpu: Stats;
  wall: Stats;
}

export interface VariantResult extends Times {
  name: string;
  /** CPU median / plain CPU median: the figure the targets apply to. */
  ratio: number;
  /** Interquartile range of the per-round CPU ratios. */
  ratioP25: number;
  ratioP75: number;
  /** Wall median / plain wall median. */
  wallRatio: number;
}

export interface SubjectResult {
  subject: string;
  kernel: string;
  lang: string;
  n: number;
  checksum: number;
  plain: Times;
  variants: VariantResult[];
}

export interface TransformSummary {
  transform: string;
  geomean: number;
  max: number;
  worst: string;
  wallGeomean: number;
  meetsTargets: boolean;
}

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), min: s[0]! };
}

export function geomean(values: number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

const abort = () => {
  throw new Error('abort() called by an AssemblyScript kernel');
};

function instantiate(bytes: Uint8Array, transform?: Transform): Variant {
  const code = transform ? transform.transform(bytes) : bytes;
  const module = new WebAssembly.Module(code as Uint8Array<ArrayBuffer>);
  const imports = { ...transform?.extraImports(), env: { abort } } as WebAssembly.Imports;
  // A transform may instantiate itself (metered-defined adopts the module's own counter).
  const run = instantiateWith(transform, module, imports).exports.run as (n: number) => number;
  return { name: transform?.name ?? 'plain', run };
}

/** Times one call: [CPU ms, wall ms]. */
function timeOne(v: Variant, n: number): [number, number] {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  v.run(n);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return [(cpu.user + cpu.system) / 1000, wall];
}

/** Measures one subject on plain V8 and under each transform. */
export function measure(
  subject: string,
  bytes: Uint8Array,
  kernel: KernelSpec,
  lang: string,
  n: number,
  transforms: readonly Transform[],
  warmup: number,
  rounds: number,
): SubjectResult {
  const variants = [instantiate(bytes), ...transforms.map((t) => instantiate(bytes, t))];
  const expected = kernel.checksum[String(n)];
  for (const v of variants) {
    const got = v.run(n);
    if (got !== expected) throw new Error(`${subject} (${v.name}): run(${n}) = ${got}, expected ${expected}`);
  }
  // Warm up until V8 has tiered the code up: at least `warmup` calls and 300 ms per variant.
  for (const v of variants) {
    const until = Date.now() + 300;
    for (let w = 0; w < warmup || Date.now() < until; w++) v.run(n);
  }
  const cpu = variants.map(() => [] as number[]);
  const wall = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (r + k) % variants.length;
      const [c, w] = timeOne(variants[i]!, n);
      cpu[i]!.push(c);
      wall[i]!.push(w);
    }
  }
  const plain = { cpu: stats(cpu[0]!), wall: stats(wall[0]!) };
  return {
    subject,
    kernel: kernel.name,
    lang,
    n,
    checksum: expected!,
    plain,
    variants: variants.slice(1).map((v, j): VariantResult => {
      const own = { cpu: stats(cpu[j + 1]!), wall: stats(wall[j + 1]!) };
      const perRound = stats(cpu[j + 1]!.map((t, r) => t / cpu[0]![r]!));
      return {
        name: v.name,
        ...own,
        ratio: own.cpu.median / plain.cpu.median,
        ratioP25: perRound.p25,
        ratioP75: perRound.p75,
        wallRatio: own.wall.median / plain.wall.median,
      };
    }),
  };
}

export function summarize(results: SubjectResult[], transforms: readonly Transform[]): TransformSummary[] {
  return transforms.map((t) => {
    const of = (r: SubjectResult) => r.variants.find((v) => v.name === t.name)!;
    const ratios = results.map((r) => of(r).ratio);
    const gm = geomean(ratios);
    const max = Math.max(...ratios);
    const worst = results[ratios.indexOf(max)]!.subject;
    const wallGeomean = geomean(results.map((r) => of(r).wallRatio));
    return {
      transform: t.name,
      geomean: gm,
      max,
      worst,
      wallGeomean,
      meetsTargets: gm <= TARGET_GEOMEAN && max <= TARGET_MAX,
    };
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const spread = (s: Stats) => `±${((50 * (s.p75 - s.p25)) / s.median).toFixed(1)}%`;

function main(): void {
  const root = findRoot();
  const quick = process.argv.includes('--quick');
  const rounds = Number(arg('rounds') ?? (quick ? 9 : 25));
  const warmup = Number(arg('warmup') ?? 10);
  const filter = new RegExp(arg('filter') ?? '.');
  const spec = JSON.parse(readFileSync(join(root, 'bench/compute/kernels.json'), 'utf8')) as {
    kernels: KernelSpec[];
    toolchain: Record<string, string>;
  };
  const command = `node dist/bench/compute/run.js ${process.argv.slice(2).join(' ')}`.trim();
  console.log(
    `compute bench: ${TRANSFORMS.map((t) => t.name).join(', ')} vs plain V8; ${rounds} rounds after >= ${warmup} warm-up calls${quick ? ' (quick sizes)' : ''}; CPU time`,
  );
  const results: SubjectResult[] = [];
  for (const kernel of spec.kernels) {
    for (const lang of ['c', 'as']) {
      const subject = `${lang}-${kernel.name}`;
      if (!filter.test(subject)) continue;
      const bytes = new Uint8Array(readFileSync(join(root, 'bench/compute/wasm', `${subject}.wasm`)));
      const n = quick ? kernel.quickN : kernel.n;
      const r = measure(subject, bytes, kernel, lang, n, TRANSFORMS, warmup, rounds);
      results.push(r);
      const cols = r.variants
        .map(
          (v) =>
            `${v.name} ${fmt(v.cpu.median)} ms = ${v.ratio.toFixed(3)}x (wall ${v.wallRatio.toFixed(3)}x)`,
        )
        .join(', ');
      console.log(
        `  ${subject.padEnd(14)} plain ${fmt(r.plain.cpu.median)} ms ${spread(r.plain.cpu)}; ${cols}`,
      );
    }
  }
  const summary = summarize(results, TRANSFORMS);
  for (const s of summary) {
    console.log(
      `  ${s.transform}: geomean ${s.geomean.toFixed(3)} (target <= ${TARGET_GEOMEAN}), max ${s.max.toFixed(3)} on ${s.worst} (target <= ${TARGET_MAX}): ${s.meetsTargets ? 'meets the targets' : 'MISSES the targets'}; wall-time geomean ${s.wallGeomean.toFixed(3)}`,
    );
  }
  const date = new Date();
  const report: Report = {
    date: date.toISOString(),
    command,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
      node: process.version,
      v8: process.versions.v8,
    },
    method: { rounds, warmup, quick, timer: 'process CPU time (primary), wall time' },
    toolchain: spec.toolchain,
    targets: { geomean: TARGET_GEOMEAN, max: TARGET_MAX },
    summary,
    results,
  };
  if (!process.argv.includes('--no-write')) {
    const dir = join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `compute-${date.toISOString().slice(0, 10)}${quick ? '-quick' : ''}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, markdown(report));
    console.log(`wrote ${base}.{json,md}`);
  }
  if (process.argv.includes('--check') && summary.some((s) => !s.meetsTargets)) process.exitCode = 1;
}

interface Report {
  date: string;
  command: string;
  machine: {
    cpu: string;
    cpus: number;
    memoryGiB: number;
    os: string;
    loadAverage: number[];
    node: string;
    v8: string;
  };
  method: { rounds: number; warmup: number; quick: boolean; timer: string };
  toolchain: Record<string, string>;
  targets: { geomean: number; max: number };
  summary: TransformSummary[];
  results: SubjectResult[];
}

function markdown(r: Report): string {
  const names = r.summary.map((s) => s.transform);
  const m = r.machine;
  const lines = [
    `# Compute bench, ${r.date.slice(0, 10)}`,
    '',
    `- Command: \`${r.command}\``,
    `- Machine: ${m.cpu} (${m.cpus} CPUs, ${m.memoryGiB} GiB), ${m.os}; load average at the end ${m.loadAverage.join(', ')}`,
    `- Node ${m.node} (V8 ${m.v8}); kernels built with ${r.toolchain.c} and ${r.toolchain.as}`,
    `- Method: at least ${r.method.warmup} warm-up calls and 300 ms per variant, then ${r.method.rounds} rounds of one call per variant (rotating order). Times are process CPU time in ms (median ± half the interquartile range); ratio = median / plain median (interquartile range of the per-round ratios); wall = the same ratio in wall time, which other load on the machine disturbs.`,
    `- Targets: geometric mean <= ${r.targets.geomean}, no kernel > ${r.targets.max}.`,
    '',
    `| kernel | n | plain ms | ${names.map((n) => `${n} ms | ${n} / plain | wall`).join(' | ')} |`,
    `| --- | ---: | ---: | ${names.map(() => '---: | ---: | ---:').join(' | ')} |`,
  ];
  for (const s of r.results) {
    const cells = s.variants.map(
      (v) =>
        `${fmt(v.cpu.median)} ${spread(v.cpu)} | ${v.ratio.toFixed(3)} (${v.ratioP25.toFixed(3)}–${v.ratioP75.toFixed(3)}) | ${v.wallRatio.toFixed(3)}`,
    );
    lines.push(
      `| ${s.subject} | ${s.n} | ${fmt(s.plain.cpu.median)} ${spread(s.plain.cpu)} | ${cells.join(' | ')} |`,
    );
  }
  lines.push(
    `| **geometric mean** | | | ${r.summary.map((s) => ` | **${s.geomean.toFixed(3)}** | ${s.wallGeomean.toFixed(3)}`).join(' | ')} |`,
    '',
  );
  for (const s of r.summary) {
    lines.push(
      `- \`${s.transform}\`: geometric mean **${s.geomean.toFixed(3)}**, max ${s.max.toFixed(3)} (${s.worst}): ${s.meetsTargets ? 'meets the targets' : '**misses the targets**'}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
