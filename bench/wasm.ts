/**
 * The WebAssembly group: one small component (and the same work as an Extism plugin), run by
 * plain V8, Keel, jco's glue of both generations and the Extism JS SDK, side by side.
 *
 * Measures: host-to-guest calls (no arguments, scalars, a 1 KiB string in and out),
 * guest-to-host calls, instantiation (spawn), cold and warm load.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { wat } from '../scripts/lib/wat.js';
import { type CompareOptions, compare, type Variant } from './lib/measure.js';
import { mapCoreModules, withNonce } from './lib/nonce.js';
import type { Group, MeasureResult, SubjectInfo } from './lib/report.js';
import { timingRow } from './lib/report.js';
import {
  checkSubject,
  EXTISM_PLUGIN,
  EXTISM_RESET_EVERY,
  extismFunctions,
  extismSubject,
  jcoLoad,
  jcoSubject,
  KEEL_VARIANTS,
  keelInvokeSubject,
  keelSubject,
  loadInFreshKernel,
  plainSubject,
  type WasmSubject,
} from './lib/subjects.js';

export interface GroupOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Subjects to run by id (plain V8, the reference, always); all when absent. */
  subjects?: readonly string[] | undefined;
  /** Measures to run, by id or a prefix of ids before a dot (`wasm.call`); all when absent. */
  measures?: readonly string[] | undefined;
}

/** Whether `--measures` keeps measure `id`: named, or under a prefix named (`wasm.call` keeps `wasm.call.add`). */
export function keepsMeasure(filter: readonly string[] | undefined, id: string): boolean {
  return !filter || filter.some((f) => id === f || id.startsWith(`${f}.`));
}

/** Whether `--subjects` keeps subject `id` (plain V8, every ratio's reference, always). */
export function keepsSubject(filter: readonly string[] | undefined, id: string): boolean {
  return !filter || id === 'plain' || filter.includes(id);
}

/** Guest-to-host calls per guest call in the host-call measure. */
export const HOST_CALLS = 1000;
export const STRING = 'k'.repeat(1024);

/**
 * Spawns per sample of the spawn measure, the same count for every subject. V8 runs a full
 * collection by itself once about 1,000 new 64 KiB wasm memories are held after the last one (its
 * external-memory limit), so a sample sized by time held none, one or two of them as its subject's
 * calibrated count fell (plain V8: 480-2,017 spawns a sample, 25 or 46 us in the same load), and
 * the cell moved by 2x between runs. At 1,500, halfway between, every sample of a subject holds
 * the same number of them (bench/results/perf-spawn-2026-12-07-13.md).
 */
export const SPAWN_BATCH = 1500;

/** The spawn measure's options: a fixed count per sample, each sample paying for its own garbage. */
export function spawnOptions(quick: boolean): CompareOptions {
  return {
    samples: quick ? 7 : 31,
    batch: SPAWN_BATCH,
    warmupMs: quick ? 200 : 500,
    timer: 'cpu',
    reference: 'plain',
    collect: true,
  };
}

export async function runWasmGroup({
  quick,
  log,
  subjects: subjectFilter,
  measures: measureFilter,
}: GroupOptions): Promise<Group> {
  const keeps = (id: string) => keepsMeasure(measureFilter, id);
  const kept = <T extends { subject: string }>(variants: T[]): T[] =>
    variants.filter((v) => keepsSubject(subjectFilter, v.subject));
  const calls: CompareOptions = {
    samples: quick ? 7 : 21,
    sampleMs: quick ? 4 : 15,
    warmupMs: quick ? 150 : 400,
    timer: 'cpu',
    reference: 'plain',
  };
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  const coreBytes = await wat(BENCH_WAT);
  const core = await WebAssembly.compile(coreBytes as Uint8Array<ArrayBuffer>);
  const cacheRoot = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  try {
    const plain = plainSubject(core);
    const keels = [];
    for (const v of KEEL_VARIANTS)
      keels.push(await keelSubject(component, v, join(cacheRoot, `warm-${v.id}`)));
    const keelInvoke = keelInvokeSubject(keels[0]!);
    const keelInvokeTimed = keelInvokeSubject(keels[0]!, true);
    const lean = await jcoSubject(component, 'jco-1.12.0');
    const current = await jcoSubject(component, 'jco-transpile-0.3.9');
    const extism = await extismSubject();
    const subjects: WasmSubject[] = [
      plain,
      ...keels,
      keelInvoke,
      keelInvokeTimed,
      lean,
      current,
      extism,
    ].filter((s) => keepsSubject(subjectFilter, s.id));
    for (const s of subjects) await checkSubject(s);

    const measures: MeasureResult[] = [];
    const instances = new Map<string, Awaited<ReturnType<WasmSubject['spawn']>>>();
    for (const s of subjects) instances.set(s.id, await s.spawn());
    const callMeasure = async (
      id: string,
      title: string,
      method: 'noop' | 'add' | 'shout' | 'callHost',
      expr: string,
      arg?: unknown,
      units = 1,
      note?: string,
      prelude?: string,
    ) => {
      if (!keeps(id)) return;
      log(`  ${title}`);
      // Every subject, Keel's unmetered variant included: its calls no longer slow the metered
      // one's (the timing loops share no feedback, and the fast path's function is inlined into
      // each loop: bench/results/perf-calls-2026-12-06-5.md).
      const taking = subjects;
      const variants: Variant[] = taking.map((s) => ({
        subject: s.id,
        self: { m: instances.get(s.id)![method], a: arg },
        expr,
        ...(prelude ? { prelude } : {}),
        async: s.async,
        units,
      }));
      const timings = await compare(variants, calls);
      measures.push({
        id,
        title,
        unit: 'ns',
        lower_is_better: true,
        reference: 'plain',
        rows: timings.map((t) => timingRow(t)),
        ...(note ? { note } : {}),
      });
    };
    await callMeasure('wasm.call.noop', 'call noop() (no arguments)', 'noop', 'x.m()');
    await callMeasure('wasm.call.add', 'call add(u32, u32) -> u32 (scalars)', 'add', 'x.m(i, 1)');
    // The same call with its function held in a local: the loop's shape alone moves a
    // nanosecond-scale call's ratio to plain by 0.3x (docs/benchmarks.md, Method).
    await callMeasure(
      'wasm.call.add.held',
      'call add(u32, u32) -> u32, the function held in a local',
      'add',
      'f(i, 1)',
      undefined,
      1,
      "the add call again, its function read into a local once before the loop (const f = x.m; f(i, 1)), as an embedder holds sandbox.fn('add'); the row above reads it from an object at every call (x.m(i, 1)). Every subject gets the same loop in both.",
      'const f = x.m;',
    );
    await callMeasure(
      'wasm.call.string',
      'call shout(string) -> string, 1 KiB in and out',
      'shout',
      'x.m(x.a)',
      STRING,
    );
    await callMeasure(
      'wasm.call.host',
      'guest-to-host call: tick(u32) -> u32, per call',
      'callHost',
      'x.m(x.a)',
      HOST_CALLS,
      HOST_CALLS,
      `call-host(${HOST_CALLS}) timed, divided by ${HOST_CALLS}: one host call plus the guest's loop step`,
    );
    for (const x of instances.values()) await x.close();

    // Instantiation: a new sandbox (instance, plugin) each time, closed right away.
    if (keeps('wasm.spawn')) {
      log('  spawn');
      const spawnVariants: Variant[] = subjects
        .filter((s) => !s.id.startsWith('keel-invoke'))
        .map((s) =>
          s.async || s.id.startsWith('keel')
            ? {
                subject: s.id,
                async: true,
                op: async () => {
                  const x = await s.spawn();
                  await x.close();
                },
              }
            : { subject: s.id, op: () => (s.spawn() as { close(): void }).close() },
        );
      const spawn = await compare(spawnVariants, spawnOptions(quick));
      measures.push({
        id: 'wasm.spawn',
        title: 'spawn: a new instance of the loaded module (and its teardown)',
        unit: 'ns',
        lower_is_better: true,
        reference: 'plain',
        rows: spawn.map((t) => timingRow(t)),
        note: `plain: new WebAssembly.Instance; Keel: kernel.spawn (grants checked, imports linked, instantiated) + terminate; jco: instantiate(); Extism: createPlugin from a compiled module + close. Each sample pays for its own garbage: ${SPAWN_BATCH} spawns, the same count for every subject, then a full collection, less an empty collection (bench/README.md, Method)`,
      });
    }

    // Loads. Cold: nothing cached anywhere, V8's in-process cache included: each sample starts
    // from bytes of its own (its core modules carry a custom section with a sample number).
    if (keeps('wasm.load.cold')) {
      log('  load (cold)');
      const extismBytes = readFileSync(EXTISM_PLUGIN);
      const { default: createPlugin } = await import('@extism/extism');
      let cold = 0;
      const freshComponent = () => mapCoreModules(component, (core) => withNonce(core, cold++)).component;
      const keelCold = (variant: (typeof KEEL_VARIANTS)[number]): Variant => ({
        subject: variant.id,
        async: true,
        op: () => loadInFreshKernel(freshComponent(), variant.options, join(cacheRoot, `cold-${cold++}`)),
      });
      const coldOptions: CompareOptions = {
        samples: quick ? 3 : 9,
        batch: 1,
        warmupOps: 1,
        warmupMs: 0,
        timer: 'wall',
        reference: 'plain',
      };
      const coldLoad = await compare(
        kept([
          {
            subject: 'plain',
            async: true,
            op: () => WebAssembly.compile(withNonce(coreBytes, cold++) as Uint8Array<ArrayBuffer>),
          },
          ...KEEL_VARIANTS.map(keelCold),
          {
            subject: 'jco-1.12',
            async: true,
            op: () => jcoLoad(freshComponent(), 'jco-1.12.0', `cold ${cold++}`),
          },
          {
            subject: 'jco-current',
            async: true,
            op: () => jcoLoad(freshComponent(), 'jco-transpile-0.3.9', `cold ${cold++}`),
          },
          {
            subject: 'extism',
            async: true,
            op: async () => {
              const plugin = await createPlugin(
                { wasm: [{ data: withNonce(new Uint8Array(extismBytes), cold++) }] },
                { useWasi: false, functions: extismFunctions() },
              );
              await plugin.close();
            },
          },
        ]),
        coldOptions,
      );
      measures.push({
        id: 'wasm.load.cold',
        title: 'load, cold: from bytes, nothing cached',
        unit: 'ns',
        lower_is_better: true,
        reference: 'plain',
        rows: coldLoad.map((t) => timingRow(t)),
        note: 'Every sample on bytes of its own (a custom section with a sample number in each core module), so V8 has not compiled them before: plain: WebAssembly.compile of the core module; Keel: new kernel with an empty cache directory, load (parse and plan the component, meter the core module, write the cache, compile); jco: transpile + import the glue + compile (a jco user does the transpile at build time); Extism: createPlugin from bytes (compile + instantiate: it has no separate load step) + close. Wall time (disk writes).',
      });
    }

    const keel = keels[0]!;
    if (keeps('wasm.load.warm')) {
      log('  load (warm)');
      const warmLoad = await compare(
        kept([
          {
            subject: 'plain',
            async: true,
            op: () => WebAssembly.compile(coreBytes.slice() as Uint8Array<ArrayBuffer>),
          },
          ...KEEL_VARIANTS.map(
            (v): Variant => ({
              subject: `${v.id}-disk`,
              async: true,
              op: () => loadInFreshKernel(component, v.options, join(cacheRoot, `warm-${v.id}`)),
            }),
          ),
          { subject: 'keel-memory', async: true, op: () => keel.kernel.load(component) },
        ]),
        {
          samples: quick ? 7 : 21,
          sampleMs: quick ? 10 : 30,
          warmupMs: 200,
          timer: 'wall',
          reference: 'plain',
        },
      );
      measures.push({
        id: 'wasm.load.warm',
        title: 'load, warm: the same bytes again',
        unit: 'ns',
        lower_is_better: true,
        reference: 'plain',
        rows: warmLoad.map((t) => timingRow(t)),
        note: 'plain: WebAssembly.compile of the same bytes again (V8 answers from its in-process cache, as it does for the metered module of Keel: bench/load.ts measures loads on fresh bytes); keel-disk: a new kernel loading from the disk cache of metered core modules (parse and plan, read, hash, compile); keel-memory: the same kernel again (compiled modules cached in memory). Wall time.',
      });
    }

    for (const k of keels) await k.kernel.close();
    const infos: SubjectInfo[] = [
      ...subjects.map((s) => ({ id: s.id, label: s.label, setup: s.setup })),
      ...KEEL_VARIANTS.map((v) => ({
        id: `${v.id}-disk`,
        label: `${v.label} (disk cache)`,
        setup: 'a new kernel over a warm cache directory',
      })),
      { id: 'keel-memory', label: 'Keel (in memory)', setup: 'the same kernel loading the same bytes again' },
    ];
    return {
      id: 'wasm',
      title: 'WebAssembly: one small component, six ways',
      subjects: infos,
      measures,
      notes: [
        `Extism JS SDK 1.0.3 never frees the blocks a call allocates (input, output) until plugin.reset(); a block's index lives in the top 16 bits of its 64-bit address, so a plugin fails after about 16,000 calls without a reset (extism/js-sdk#70, fixed after 1.0.3 by resetting on every call). The bench resets every ${EXTISM_RESET_EVERY} calls, which costs almost nothing per call.`,
        'The Extism plugin moves bytes through host calls (input_load_u64, store_u64: 8 bytes per call), as Extism PDKs do; a 1 KiB string costs about 260 host calls each way.',
      ],
    };
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}
