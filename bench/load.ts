/**
 * What `kernel.load` costs against a plain `WebAssembly.compile` of the same core modules, for
 * components of several sizes, measured so that both sides work under the same conditions.
 *
 *     npm run build && node --expose-gc dist/bench/load.js [--quick] [--no-collect] [--against DIR] [--write NAME]
 *
 * V8 keeps an in-process cache of compiled modules keyed by their bytes (its NativeModule
 * cache): compiling bytes it has compiled before, while that module is still alive, returns the
 * cached module (67 µs of CPU for the bench module against 480 µs for bytes it has not seen, at
 * load 8). Keel's rewrite is deterministic, so a warm Keel load compiles bytes V8 has seen too.
 * Two conditions are therefore measured, never mixed in one ratio:
 *
 * - **fresh bytes** (the honest figure): every sample loads a component whose core modules
 *   carry a custom section with a sample number of their own (`keel-bench-nonce`, kept by the
 *   metering pass), so neither V8 nor Keel has seen them. `plain` compiles those core modules;
 *   `cold` loads the component in a new kernel over an empty cache directory; `warm` loads it
 *   from a disk cache that a child process filled (so this process never compiled it).
 * - **same bytes** (what earlier reports called "plain compile"): the same bytes every sample,
 *   with a module of them kept alive, so V8 serves both sides from its cache. `warm` is a new
 *   kernel over the warm cache directory.
 *
 * Kernels are made before each sample and closed after the measure, untimed: `kernel` times
 * `new Kernel()` + `close()` on their own. CPU time of the whole process (user + system: V8's
 * compile threads included) is the primary timer; wall time is kept beside it (cold loads write
 * files). `--against DIR` adds `cold`/`warm` subjects of another build (a checkout whose `dist/`
 * is built), so a change is measured before and after in one run. `--write NAME` writes
 * bench/results/NAME.{json,md}; without it the table is printed only. `--no-collect` times each
 * sample without the full collections around it (see bench/README.md): on a machine loaded by
 * other processes, the two collections' noise exceeded a small module's compile.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KernelOptions } from '../host/index.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { compare, machine, type SubjectTiming, type Variant } from './lib/measure.js';
import { mapCoreModules, withNonce } from './lib/nonce.js';
import { ROOT, repoPath } from './lib/paths.js';

interface KernelLike {
  load(bytes: Uint8Array): Promise<unknown>;
  close(): Promise<void> | void;
}
type KernelClass = new (options: KernelOptions) => KernelLike;

const tick = (x: number) => (x + 1) >>> 0;
const benchHost = { name: 'bench-host', interfaces: ['keel:bench/host'], link: () => ({ tick }) };

interface Guest {
  name: string;
  /** What it is, for the report. */
  what: string;
  bytes: Uint8Array;
  samples: number;
  batch: number;
}

async function guests(quick: boolean): Promise<Guest[]> {
  const file = (path: string) => new Uint8Array(readFileSync(repoPath(path)));
  const list: Guest[] = [
    {
      name: 'bench',
      what: 'scripts/lib/fixtures.ts BENCH_WAT (the bench component of `npm run bench`)',
      bytes: await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'),
      samples: quick ? 7 : 15,
      batch: 4,
    },
    {
      name: 'c',
      what: 'guests/sdk-probe/c/probe.wasm (C, wasi-libc, preview1 adapter)',
      bytes: file('guests/sdk-probe/c/probe.wasm'),
      samples: quick ? 5 : 11,
      batch: 1,
    },
    {
      name: 'rust',
      what: 'guests/sdk-probe/rust/probe.wasm (Rust, wit-bindgen)',
      bytes: file('guests/sdk-probe/rust/probe.wasm'),
      samples: quick ? 5 : 11,
      batch: 1,
    },
  ];
  if (!quick) {
    list.push({
      name: 'js',
      what: 'guests/js/bench/build/bench.wasm (componentize-js 0.18.5: StarlingMonkey)',
      bytes: file('guests/js/bench/build/bench.wasm'),
      samples: 3,
      batch: 1,
    });
  }
  return list;
}

// --- the child that fills a cache directory without this process seeing the bytes ----------

async function kernelOf(tree: string): Promise<KernelClass> {
  const mod = (await import(pathToFileURL(join(tree, 'dist/host/index.js')).href)) as { Kernel: KernelClass };
  return mod.Kernel;
}

/** `--prepare TREE CACHEDIR FILE...`: load each component file with TREE's kernel into CACHEDIR. */
async function prepareChild(args: string[]): Promise<void> {
  const [tree, cacheDir, ...files] = args;
  const Kernel = await kernelOf(tree!);
  const kernel = new Kernel({ cacheDir: cacheDir!, providers: [benchHost] });
  for (const f of files) await kernel.load(new Uint8Array(readFileSync(f)));
  await kernel.close();
}

function prepare(tree: string, cacheDir: string, components: readonly Uint8Array[], scratch: string): void {
  const files = components.map((c, i) => {
    const f = join(scratch, `prep-${i}.wasm`);
    writeFileSync(f, c);
    return f;
  });
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--prepare', tree, cacheDir, ...files], {
    stdio: 'inherit',
  });
  for (const f of files) rmSync(f);
}

// --- the measure -----------------------------------------------------------------------------

interface Tree {
  tag: string;
  dir: string;
  Kernel: KernelClass;
}

async function measureGuest(
  guest: Guest,
  trees: readonly Tree[],
  scratch: string,
  collect: boolean,
): Promise<SubjectTiming[]> {
  // The warm-up runs one batch, then one batch per sample (and one spare).
  const ops = (guest.samples + 2) * guest.batch;
  let nonce = 0;
  const fresh = () => mapCoreModules(guest.bytes, (core) => withNonce(core, nonce++));
  const variants: Variant[] = [];
  const closing: KernelLike[] = [];
  // A pool of prepared items per subject, taken one per operation.
  const pooled = <T>(items: T[], run: (item: T) => Promise<unknown>) => {
    let next = 0;
    return () => run(items[next++]!);
  };

  // fresh bytes
  const plainPool = Array.from({ length: ops }, () => fresh().cores);
  variants.push({
    subject: 'plain',
    async: true,
    op: pooled(plainPool, (cores) =>
      Promise.all(cores.map((c) => WebAssembly.compile(c as Uint8Array<ArrayBuffer>))),
    ),
  });
  for (const tree of trees) {
    const kernel = (cacheDir: string) => {
      const k = new tree.Kernel({ cacheDir, providers: [benchHost] });
      closing.push(k);
      return k;
    };
    const coldPool = Array.from({ length: ops }, (_, i) => ({
      kernel: kernel(join(scratch, `${tree.tag}-cold-${guest.name}-${i}`)),
      bytes: fresh().component,
    }));
    variants.push({
      subject: `cold${tree.tag}`,
      async: true,
      op: pooled(coldPool, (x) => x.kernel.load(x.bytes)),
    });
    const warmDir = join(scratch, `${tree.tag}-warm-${guest.name}`);
    const warmBytes = Array.from({ length: ops }, () => fresh().component);
    prepare(tree.dir, warmDir, warmBytes, scratch);
    const warmPool = warmBytes.map((bytes) => ({ kernel: kernel(warmDir), bytes }));
    variants.push({
      subject: `warm${tree.tag}`,
      async: true,
      op: pooled(warmPool, (x) => x.kernel.load(x.bytes)),
    });
  }

  // same bytes: V8's cache serves both sides (a module of the bytes is kept alive)
  const same = fresh();
  const keep: unknown[] = await Promise.all(
    same.cores.map((c) => WebAssembly.compile(c as Uint8Array<ArrayBuffer>)),
  );
  variants.push({
    subject: 'plain (same bytes)',
    async: true,
    op: () => Promise.all(same.cores.map((c) => WebAssembly.compile(c.slice() as Uint8Array<ArrayBuffer>))),
  });
  for (const tree of trees) {
    const warmDir = join(scratch, `${tree.tag}-same-${guest.name}`);
    const holder = new tree.Kernel({ cacheDir: warmDir, providers: [benchHost] });
    closing.push(holder);
    keep.push(await holder.load(same.component));
    const pool = Array.from({ length: ops }, () => {
      const k = new tree.Kernel({ cacheDir: warmDir, providers: [benchHost] });
      closing.push(k);
      return k;
    });
    variants.push({
      subject: `warm${tree.tag} (same bytes)`,
      async: true,
      op: pooled(pool, (k) => k.load(same.component)),
    });
  }
  if (guest.name === 'bench') {
    const Kernel = trees[0]!.Kernel;
    variants.push({
      subject: 'kernel',
      async: true,
      op: async () => {
        const k = new Kernel({ cacheDir: scratch, providers: [benchHost] });
        await k.close();
      },
    });
  }
  const timings = await compare(variants, {
    samples: guest.samples,
    batch: guest.batch,
    warmupOps: 1,
    warmupMs: 0,
    timer: 'cpu',
    reference: 'plain',
    collect,
  });
  for (const k of closing) await k.close();
  keep.length = 0;
  return timings;
}

interface Result {
  guest: string;
  what: string;
  component_bytes: number;
  core_bytes: number[];
  subjects: {
    subject: string;
    cpu_us: number;
    cpu_us_min: number;
    wall_us: number;
    ratio_cpu: number;
    samples: number;
    batch: number;
  }[];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--prepare') return prepareChild(argv.slice(1));
  const quick = argv.includes('--quick');
  const collect = !argv.includes('--no-collect');
  const at = argv.indexOf('--against');
  const writeAt = argv.indexOf('--write');
  const trees: Tree[] = [{ tag: '', dir: ROOT, Kernel: await kernelOf(ROOT) }];
  if (at >= 0) {
    const dir = resolve(argv[at + 1] ?? '');
    trees[0]!.tag = ' [this]';
    trees.push({ tag: ' [against]', dir, Kernel: await kernelOf(dir) });
  }
  const before = loadavg().map((x) => x.toFixed(2));
  const scratch = mkdtempSync(join(tmpdir(), 'keel-bench-load-'));
  const results: Result[] = [];
  try {
    for (const guest of await guests(quick)) {
      process.stderr.write(`load: ${guest.name}\n`);
      const timings = await measureGuest(guest, trees, scratch, collect);
      const { cores } = mapCoreModules(guest.bytes, (c) => c);
      results.push({
        guest: guest.name,
        what: guest.what,
        component_bytes: guest.bytes.length,
        core_bytes: cores.map((c) => c.length),
        subjects: timings.map((t) => ({
          subject: t.subject,
          cpu_us: t.cpu_ns.median / 1000,
          cpu_us_min: t.cpu_ns.min / 1000,
          wall_us: t.wall_ns.median / 1000,
          ratio_cpu: t.ratio,
          samples: t.samples,
          batch: t.batch,
        })),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const after = loadavg().map((x) => x.toFixed(2));
  const m = machine();
  const command = `node --expose-gc dist/bench/load.js ${argv.join(' ')}`.trim();
  const lines = [
    `load: ${new Date().toISOString()}, ${m.cpu} x${m.cores}, node ${process.version}`,
    `command: ${command}`,
    `load average before ${before.join(' ')}, after ${after.join(' ')}; process CPU time (V8's compile threads included), median of the samples; ratio = median of per-round ratios to \`plain\` (fresh bytes)`,
    '',
  ];
  for (const r of results) {
    const plain = r.subjects.find((s) => s.subject === 'plain (same bytes)');
    lines.push(
      `### ${r.guest}: ${r.what}, component ${r.component_bytes} B, core modules ${r.core_bytes.join(' + ')} B`,
      '',
      '| subject | CPU median | CPU min | wall median | ratio to plain (fresh) | ratio to plain (same bytes) |',
      '|---|---|---|---|---|---|',
    );
    for (const s of r.subjects) {
      const same =
        s.subject.endsWith('(same bytes)') && plain ? `${(s.cpu_us / plain.cpu_us).toFixed(2)}x` : '';
      const freshRatio =
        s.subject.endsWith('(same bytes)') || s.subject === 'kernel' ? '' : `${s.ratio_cpu.toFixed(2)}x`;
      lines.push(
        `| ${s.subject} | ${s.cpu_us.toFixed(0)} µs | ${s.cpu_us_min.toFixed(0)} µs | ${s.wall_us.toFixed(0)} µs | ${freshRatio} | ${same} |`,
      );
    }
    lines.push('');
  }
  const text = lines.join('\n');
  console.log(text);
  if (writeAt >= 0) {
    const name = argv[writeAt + 1] ?? `load-${new Date().toISOString().slice(0, 10)}`;
    const dir = repoPath('bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.md`), `# Loads against plain compile\n\n${text}\n`);
    writeFileSync(
      join(dir, `${name}.json`),
      `${JSON.stringify({ date: new Date().toISOString(), command, machine: m, node: process.version, loadavg_before: before, loadavg_after: after, results }, null, 2)}\n`,
    );
  }
}

await main();
