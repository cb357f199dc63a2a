/**
 * Metered compute before and after a change of the metering pass, in one process: each compute
 * kernel runs plain, metered by another build of Keel (`--before DIR`, a tree whose `dist/` is
 * built, e.g. `git worktree add /tmp/before main && cd /tmp/before && npm run build`), and
 * metered by this one, interleaved round by round, process CPU time; the ratios to plain are
 * medians, as in bench/compute/run.ts. On a loaded machine only ratios taken this way separate
 * a change from the load's noise.
 *
 *     npm run build && node dist/bench/compute/ab.js --before DIR [--rounds 11] [--filter REGEX]
 *       [--quick] [--big-slice]
 *
 * `--big-slice` gives the counter the whole budget (`sliceFuel` = 2^52), so that no refill
 * runs, as bench/compute/refill.ts does.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as after from '../../host/meter/index.js';
import { repoPath } from '../lib/paths.js';
import type { KernelSpec } from './run.js';

type Meter = Pick<typeof after, 'meterModule' | 'createMeterRuntime'>;
type Run = (n: number) => number;

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(flag('--rounds') ?? 11);
const FILTER = new RegExp(flag('--filter') ?? '.');
const QUICK = args.includes('--quick');
const LIMITS = {
  fuel: Number.MAX_SAFE_INTEGER,
  memoryBytes: 65536 * 65536,
  tableElements: 10_000_000,
  ...(args.includes('--big-slice') ? { sliceFuel: 2 ** 52 } : {}),
};

function instantiate(bytes: Uint8Array, meter?: Meter): Run {
  const code = meter ? meter.meterModule(bytes) : bytes;
  const imports: WebAssembly.Imports = {
    env: {
      abort: () => {
        throw new Error('abort() called by an AssemblyScript kernel');
      },
    },
  };
  if (meter)
    imports.keel = meter.createMeterRuntime(LIMITS).imports.keel as unknown as WebAssembly.ModuleImports;
  return new WebAssembly.Instance(new WebAssembly.Module(code as Uint8Array<ArrayBuffer>), imports).exports
    .run as Run;
}

function cpuMs(run: Run, n: number): number {
  const start = process.cpuUsage();
  run(n);
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  const dir = flag('--before');
  if (!dir) throw new Error('usage: node dist/bench/compute/ab.js --before DIR (a tree with dist/ built)');
  const before = (await import(pathToFileURL(join(resolve(dir), 'dist/host/meter/index.js')).href)) as Meter;
  const spec = JSON.parse(readFileSync(repoPath('bench/compute/kernels.json'), 'utf8')) as {
    kernels: (KernelSpec & { name: string; n: number; quickN: number })[];
  };
  console.log(`load average before: ${loads()}; ${ROUNDS} rounds${QUICK ? ', quick sizes' : ''}`);
  console.log('| kernel | before | after | after / before |');
  console.log('| --- | ---: | ---: | ---: |');
  const logs: [number[], number[]] = [[], []];
  for (const kernel of spec.kernels) {
    for (const lang of ['c', 'as']) {
      const subject = `${lang}-${kernel.name}`;
      if (!FILTER.test(subject)) continue;
      const n = QUICK ? kernel.quickN : kernel.n;
      const bytes = new Uint8Array(readFileSync(repoPath(`bench/compute/wasm/${subject}.wasm`)));
      const variants = [instantiate(bytes), instantiate(bytes, before), instantiate(bytes, after)];
      const expected = kernel.checksum[String(n)];
      for (const run of variants) {
        if (run(n) !== expected) throw new Error(`${subject}: run(${n}) is not ${expected}`);
      }
      for (const run of variants) {
        const until = Date.now() + 300;
        for (let w = 0; w < 3 || Date.now() < until; w++) run(n);
      }
      const times = variants.map(() => [] as number[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < variants.length; k++) {
          const v = (round + k) % variants.length;
          times[v]!.push(cpuMs(variants[v]!, n));
        }
      }
      const plain = median(times[0]!);
      const a = median(times[1]!) / plain;
      const b = median(times[2]!) / plain;
      logs[0].push(Math.log(a));
      logs[1].push(Math.log(b));
      console.log(`| ${subject} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(3)} |`);
    }
  }
  const geomean = (l: number[]) => Math.exp(l.reduce((s, x) => s + x, 0) / l.length);
  const [g0, g1] = [geomean(logs[0]), geomean(logs[1])];
  console.log(`| geometric mean | ${g0.toFixed(3)} | ${g1.toFixed(3)} | ${(g1 / g0).toFixed(3)} |`);
  console.log(`load average after: ${loads()}`);
}

await main();
