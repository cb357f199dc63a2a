/**
 * The compute group: the compute suite's kernels (bench/compute, C and AssemblyScript) on
 * plain V8 and under every transform of test/spec/transforms.ts (`identity`, which validates
 * the method at 1.00, and `metered`, Keel's rewriter: added here if that file does not
 * register it yet), in this run.
 * The kernels, their checks and the method are the compute suite's own (bench/compute/run.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MeterApi, metered, TRANSFORMS as REGISTERED, type Transform } from '../test/spec/transforms.js';
import {
  type KernelSpec,
  measure,
  type SubjectResult,
  summarize,
  TARGET_GEOMEAN,
  TARGET_MAX,
} from './compute/run.js';
import { repoPath } from './lib/paths.js';
import type { Group, MeasureResult } from './lib/report.js';
import { round } from './lib/report.js';

const COMPUTE = repoPath('bench/compute');

export async function runComputeGroup({
  quick,
  log,
}: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Group> {
  const spec = JSON.parse(readFileSync(join(COMPUTE, 'kernels.json'), 'utf8')) as {
    kernels: KernelSpec[];
    toolchain: Record<string, string>;
  };
  const rounds = quick ? 5 : 15;
  // Keel's rewriter, through the metered transform of test/spec/transforms.ts, when that file
  // does not register it itself yet.
  const TRANSFORMS: readonly Transform[] = REGISTERED.some((t) => t.name === 'metered')
    ? REGISTERED
    : [...REGISTERED, metered((await import('../host/meter/index.js')) as unknown as MeterApi)];
  const results: SubjectResult[] = [];
  for (const kernel of spec.kernels) {
    for (const lang of ['c', 'as']) {
      const subject = `${lang}-${kernel.name}`;
      log(`  ${subject}`);
      const bytes = new Uint8Array(readFileSync(join(COMPUTE, 'wasm', `${subject}.wasm`)));
      const n = quick ? kernel.quickN : kernel.n;
      results.push(measure(subject, bytes, kernel, lang, n, TRANSFORMS, 10, rounds));
    }
  }
  const summary = summarize(results, TRANSFORMS);
  const measures: MeasureResult[] = TRANSFORMS.map((t) => {
    const s = summary.find((x) => x.transform === t.name)!;
    return {
      id: `compute.${t.name}`,
      title: `compute: CPU time under ${t.name} / plain V8`,
      unit: 'x',
      lower_is_better: true,
      rows: [
        ...results.map((r) => {
          const v = r.variants.find((x) => x.name === t.name)!;
          return {
            subject: r.subject,
            value: round(v.ratio),
            p25: round(v.ratioP25),
            p75: round(v.ratioP75),
            detail: {
              n: r.n,
              plain_cpu_ms: round(r.plain.cpu.median),
              transformed_cpu_ms: round(v.cpu.median),
              wall_ratio: round(v.wallRatio),
            },
          };
        }),
        {
          subject: 'geomean',
          value: round(s.geomean),
          detail: {
            max: round(s.max),
            worst: s.worst,
            wall_geomean: round(s.wallGeomean),
            meets_targets: s.meetsTargets,
          },
        },
      ],
      note: `targets: geometric mean <= ${TARGET_GEOMEAN}, no kernel above ${TARGET_MAX}`,
    };
  });
  const registered = REGISTERED.some((t) => t.name === 'metered');
  return {
    id: 'compute',
    title: 'Compute: metered / plain V8, CPU time',
    subjects: [
      ...results.map((r) => ({
        id: r.subject,
        label: r.subject,
        setup: `${spec.kernels.find((k) => k.name === r.kernel)?.what} (${r.lang === 'c' ? spec.toolchain.c : spec.toolchain.as}), n = ${r.n}`,
      })),
      { id: 'geomean', label: 'geometric mean', setup: 'over all kernels' },
    ],
    measures,
    notes: [
      `${rounds} rounds after at least 10 warm-up calls and 300 ms per variant, one call per variant per round in rotating order; ratio of process CPU time medians (bench/compute/run.ts).`,
      `metered: Keel's rewriter (host/meter) with ample limits, through metered() of test/spec/transforms.ts${registered ? '' : ', added by this suite since that file does not register it yet'}; identity: a copy of the bytes, which must come out at 1.00 and so validates the method.`,
    ],
  };
}
