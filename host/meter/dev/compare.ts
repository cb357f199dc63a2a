/**
 * Quick comparison of metering strategies against plain V8, on the small kernels in
 * `kernels.ts`. (The rewriter's throughput on real modules: test/meter/real-modules.test.ts.)
 *
 *   npm run build && node dist/host/meter/dev/compare.js [--runs 7]
 *
 * Prints, per kernel, the median time of plain V8 and of each strategy, and the ratios; then
 * the geometric mean. (The full compute suite with C and AssemblyScript kernels is bench/compute.)
 */
import wabtInit from 'wabt';
import { createMeterRuntime, type MeterOptions, meterModule } from '../index.js';
import { KERNELS } from './kernels.js';

type Run = (n: number) => unknown;

const VARIANTS: { name: string; options: MeterOptions | undefined }[] = [
  { name: 'plain', options: undefined },
  { name: 'local', options: { strategy: 'local' } },
  { name: 'global', options: { strategy: 'global' } },
];

function instantiate(bytes: Uint8Array, options: MeterOptions | undefined): Run {
  if (!options) {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports
      .run as Run;
  }
  const meter = createMeterRuntime({
    fuel: Number.MAX_SAFE_INTEGER,
    memoryBytes: 2 ** 31,
    tableElements: 1e6,
  });
  const metered = meterModule(bytes, options);
  const module = new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports.run as Run;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
  const wabt = await wabtInit();
  const ratios: Record<string, number[]> = {};
  console.log(
    `kernel                          ${VARIANTS.map((v) => v.name.padStart(9)).join(' ')}   ratios`,
  );
  for (const kernel of KERNELS) {
    const parsed = wabt.parseWat(kernel.name, kernel.wat, { bulk_memory: true });
    parsed.resolveNames();
    parsed.validate();
    const bytes = new Uint8Array(parsed.toBinary({}).buffer);
    parsed.destroy();
    const runsByVariant = VARIANTS.map((v) => instantiate(bytes, v.options));
    const results = runsByVariant.map((run) => String(run(kernel.n)));
    if (new Set(results).size !== 1) throw new Error(`${kernel.name}: results differ: ${results.join(', ')}`);
    // Warm up (tier up to TurboFan), then interleave the variants so drift hits all alike.
    for (let i = 0; i < 3; i++) for (const run of runsByVariant) run(kernel.n);
    const times: number[][] = VARIANTS.map(() => []);
    for (let i = 0; i < runs; i++) {
      runsByVariant.forEach((run, v) => {
        const start = performance.now();
        run(kernel.n);
        times[v]!.push(performance.now() - start);
      });
    }
    const medians = times.map(median);
    const base = medians[0]!;
    const line = VARIANTS.slice(1).map((v, i) => {
      const ratio = medians[i + 1]! / base;
      ratios[v.name] ??= [];
      ratios[v.name]!.push(ratio);
      return `${v.name} ${ratio.toFixed(3)}`;
    });
    console.log(
      `${kernel.name.padEnd(31)} ${medians.map((m) => `${m.toFixed(1)}ms`.padStart(9)).join(' ')}   ${line.join('  ')}`,
    );
  }
  for (const [name, list] of Object.entries(ratios)) {
    const geomean = Math.exp(list.reduce((s, r) => s + Math.log(r), 0) / list.length);
    console.log(`geomean ${name}: ${geomean.toFixed(3)}  max: ${Math.max(...list).toFixed(3)}`);
  }
}

await main();
