/**
 * The metering rewriter's throughput (MB/s of input) on real modules that ship inside our
 * dependencies: StarlingMonkey (componentize-js's engine, 9.6 MB of code) and jco's
 * wasm-tools core module. `meterModule` runs warm, one sample per module and subject per round,
 * interleaved (bench/lib/measure.ts), process CPU time.
 *
 *     npm run build && node --expose-gc dist/bench/rewriter.js [--quick] [--against DIR]
 *
 * `--against DIR` adds a second subject, `baseline`: the `meterModule` of another build's
 * `dist/` (e.g. the commit before a change of host/meter, built into a directory of its own),
 * so a change is measured before and after in one run. Prints a Markdown table; nothing is
 * written (commit the figures you quote, with the command).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { meterModule } from '../host/meter/index.js';
import { compare, machine, type Variant } from './lib/measure.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 5 : 15;

const MODULES = [
  'node_modules/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm',
  'node_modules/@bytecodealliance/jco/obj/wasm-tools.core.wasm',
];

type Meter = (bytes: Uint8Array) => Uint8Array;

async function baseline(): Promise<Meter | undefined> {
  const i = process.argv.indexOf('--against');
  if (i < 0) return undefined;
  const dir = resolve(process.argv[i + 1] ?? '');
  const mod = (await import(pathToFileURL(join(dir, 'host/meter/index.js')).href)) as { meterModule: Meter };
  return mod.meterModule;
}

async function main(): Promise<void> {
  const against = await baseline();
  const before = loadavg()[0]!.toFixed(2);
  const rows: string[] = [];
  for (const path of MODULES) {
    const file = repoPath(path);
    if (!existsSync(file)) continue;
    const bytes = new Uint8Array(readFileSync(file));
    const mb = bytes.length / 1e6;
    const variants: Variant[] = [{ subject: 'keel', op: () => meterModule(bytes) }];
    if (against) variants.push({ subject: 'baseline', op: () => against(bytes) });
    const timings = await compare(variants, { samples: SAMPLES, batch: 1, warmupOps: 3, collect: true });
    for (const t of timings) {
      const ms = t.ns.median / 1e6;
      rows.push(
        `| ${path.split('/').pop()} | ${mb.toFixed(1)} MB | ${t.subject} | ${ms.toFixed(1)} ms | ${(mb / (ms / 1000)).toFixed(0)} MB/s | ${(mb / (t.ns.min / 1e9)).toFixed(0)} MB/s | ${t.ratio.toFixed(3)} |`,
      );
    }
  }
  const m = machine();
  console.log(
    `rewriter throughput, ${new Date().toISOString()}, ${m.cpu} x${m.cores}, node ${process.version}`,
  );
  console.log(`command: node --expose-gc dist/bench/rewriter.js ${process.argv.slice(2).join(' ')}`);
  console.log(
    `load average before ${before}, after ${loadavg()[0]!.toFixed(2)}; ${SAMPLES} samples, CPU time\n`,
  );
  console.log('| module | size | subject | median | MB/s (median) | MB/s (best) | ratio to keel |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
