/**
 * The JavaScript group: the same JavaScript (guests/js/bench/bench.js) run by
 *   - V8 itself, in the host's own context (the floor; no isolation at all);
 *   - Keel, as a componentize-js (StarlingMonkey) component;
 *   - isolated-vm, in its own V8 isolate;
 *   - quickjs-emscripten, in its own QuickJS runtime (QuickJS compiled to wasm).
 * The other engines get the file with its `import` line removed and `export` keywords dropped,
 * and `tick` defined as a global that calls the host, so the function bodies are identical.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../host/index.js';
import { type CompareOptions, compare, type Variant } from './lib/measure.js';
import { repoPath } from './lib/paths.js';
import type { Group, MeasureResult, SubjectInfo } from './lib/report.js';
import { timingRow } from './lib/report.js';
import { benchHostProvider, KEEL_VARIANTS, loadInFreshKernel, tick } from './lib/subjects.js';
import { HOST_CALLS, STRING } from './wasm.js';

export const JS_SOURCE = repoPath('guests/js/bench/bench.js');
export const JS_COMPONENT = repoPath('guests/js/bench/build/bench.wasm');
/** fib(FIB) is the compute measure. */
export const FIB = 20;

export interface JsInstance {
  noop(): unknown;
  add(a: number, b: number): unknown;
  shout(s: string): unknown;
  callHost(n: number): unknown;
  fib(n: number): unknown;
  close(): void;
}

export interface JsSubject extends SubjectInfo {
  spawn(): JsInstance | Promise<JsInstance>;
}

/** bench.js as a plain script: no import, no exports; `tick` is a global. */
export function plainScript(): string {
  return readFileSync(JS_SOURCE, 'utf8')
    .replace(/^import .*$/m, '')
    .replace(/^export /gm, '');
}

const NAMES = ['noop', 'add', 'shout', 'callHost', 'fib'] as const;

export function v8Subject(source: string): JsSubject {
  return {
    id: 'v8-js',
    label: 'V8 (same isolate)',
    setup:
      "the script as the body of a new Function(tick, ...) in the host's own context, functions called directly: V8 with its JIT and no isolation at all (the floor). Not node:vm: its contexts route every global lookup through interceptors, which makes them slower than isolated-vm",
    spawn() {
      const make = new Function('tick', `${source}\nreturn { ${NAMES.join(', ')} };`) as (
        t: typeof tick,
      ) => Omit<JsInstance, 'close'>;
      return { ...make(tick), close() {} };
    },
  };
}

/**
 * Limits for the JavaScript guest: a bench calls it hundreds of thousands of times. With the
 * defaults it fails after about 180,000 calls to `add`: its linear memory reaches 64 MiB
 * (StarlingMonkey then aborts: a trap), and calls through `sandbox.fn` draw on one
 * per-invocation fuel budget (10^10, about 190,000 calls of ~52,000 fuel each). Both are
 * reported in docs/benchmarks.md; the bench raises the limits rather than respawn.
 */
export const JS_LIMITS = {
  memoryBytes: 1024 * 1024 * 1024,
  fuel: Number.MAX_SAFE_INTEGER,
  fuelTotal: Number.MAX_SAFE_INTEGER,
};

export async function keelJsSubject(
  kernel: Kernel,
  module: Awaited<ReturnType<Kernel['load']>>,
  label: string,
  id: string,
): Promise<JsSubject> {
  return {
    id,
    label,
    setup:
      "guests/js/bench built by componentize-js 0.18.5 (StarlingMonkey, every WASI feature disabled), loaded and spawned by Keel (metered) with the grant keel:bench/host, denial: 'call' (the engine imports wasi:http/types, never called) and limits raised to 1 GiB of memory and 2^53 fuel; calls through sandbox.fn",
    async spawn() {
      const sandbox = await kernel.spawn(module, {
        grants: ['keel:bench/host'],
        denial: 'call',
        limits: JS_LIMITS,
      });
      return {
        noop: sandbox.fn('noop'),
        add: sandbox.fn('add'),
        shout: sandbox.fn('shout'),
        callHost: sandbox.fn('call-host'),
        fib: sandbox.fn('fib'),
        close: () => sandbox.terminate(),
      };
    },
  };
}

export async function isolatedVmSubject(source: string): Promise<JsSubject> {
  const { default: ivm } = await import('isolated-vm');
  return {
    id: 'isolated-vm',
    label: 'isolated-vm 5.0.4',
    setup:
      'new ivm.Isolate({ memoryLimit: 128 }), a context, tick as an ivm.Callback global, the script compiled and run; calls through Reference.applySync (arguments and results copied)',
    spawn() {
      const isolate = new ivm.Isolate({ memoryLimit: 128 });
      const context = isolate.createContextSync();
      context.global.setSync('tick', new ivm.Callback(tick));
      isolate.compileScriptSync(source).runSync(context);
      const ref = (name: string) => context.global.getSync(name, { reference: true });
      const [noop, add, shout, callHost, fib] = NAMES.map(ref);
      return {
        noop: () => noop!.applySync(undefined, []),
        add: (a: number, b: number) => add!.applySync(undefined, [a, b]),
        shout: (s: string) => shout!.applySync(undefined, [s]),
        callHost: (n: number) => callHost!.applySync(undefined, [n]),
        fib: (n: number) => fib!.applySync(undefined, [n]),
        close: () => isolate.dispose(),
      };
    },
  };
}

export async function quickjsSubject(source: string): Promise<JsSubject> {
  const { getQuickJS } = await import('quickjs-emscripten');
  const quickjs = await getQuickJS();
  return {
    id: 'quickjs',
    label: 'quickjs-emscripten 0.32.0',
    setup:
      'one QuickJS wasm module per process (getQuickJS, release-sync build); per sandbox a new runtime and context, tick a vm.newFunction global, the script evaluated; calls through vm.callFunction with handles made and disposed per call',
    spawn() {
      const runtime = quickjs.newRuntime();
      const ctx = runtime.newContext();
      const hostTick = ctx.newFunction('tick', (x) => ctx.newNumber(tick(ctx.getNumber(x))));
      ctx.setProp(ctx.global, 'tick', hostTick);
      hostTick.dispose();
      ctx.unwrapResult(ctx.evalCode(source, 'bench.js')).dispose();
      const [noop, add, shout, callHost, fib] = NAMES.map((n) => ctx.getProp(ctx.global, n));
      const call = (
        fn: typeof noop,
        args: ReturnType<typeof ctx.newNumber>[],
        read: 'number' | 'string' | 'none',
      ) => {
        const result = ctx.unwrapResult(ctx.callFunction(fn!, ctx.undefined, ...args));
        for (const a of args) a.dispose();
        const value =
          read === 'number' ? ctx.getNumber(result) : read === 'string' ? ctx.getString(result) : undefined;
        result.dispose();
        return value;
      };
      return {
        noop: () => call(noop, [], 'none'),
        add: (a: number, b: number) => call(add, [ctx.newNumber(a), ctx.newNumber(b)], 'number'),
        shout: (s: string) => call(shout, [ctx.newString(s)], 'string'),
        callHost: (n: number) => call(callHost, [ctx.newNumber(n)], 'number'),
        fib: (n: number) => call(fib, [ctx.newNumber(n)], 'number'),
        close() {
          for (const h of [noop, add, shout, callHost, fib]) h!.dispose();
          ctx.dispose();
          runtime.dispose();
        },
      };
    },
  };
}

async function check(subject: JsSubject): Promise<void> {
  const x = await subject.spawn();
  try {
    const expect = (what: string, got: unknown, want: unknown) => {
      if (got !== want) throw new Error(`${subject.id}: ${what} = ${String(got)}, expected ${String(want)}`);
    };
    x.noop();
    expect('add(40, 2)', x.add(40, 2), 42);
    expect("shout('kiB')", x.shout('kiB'), 'KiB');
    expect('callHost(1000)', x.callHost(1000), 1000);
    expect('fib(20)', x.fib(20), 6765);
  } finally {
    x.close();
  }
}

export async function runJsGroup({
  quick,
  log,
}: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Group> {
  const source = plainScript();
  const component = new Uint8Array(readFileSync(JS_COMPONENT));
  const cacheRoot = mkdtempSync(join(tmpdir(), 'keel-bench-js-'));
  const variant = KEEL_VARIANTS[0]!;
  const kernel = new Kernel({
    ...variant.options,
    cacheDir: join(cacheRoot, 'warm'),
    providers: [benchHostProvider],
  });
  try {
    log('  loading the componentize-js guest (transpiles 11 MB)');
    const coldStarted = performance.now();
    const module = await kernel.load(component, { name: 'js-bench' });
    const firstColdNs = (performance.now() - coldStarted) * 1e6;
    const subjects: JsSubject[] = [
      v8Subject(source),
      await keelJsSubject(kernel, module, `${variant.label} (componentize-js)`, 'keel-js'),
      await isolatedVmSubject(source),
      await quickjsSubject(source),
    ];
    for (const s of subjects) await check(s);
    const options: CompareOptions = {
      samples: quick ? 5 : 15,
      sampleMs: quick ? 5 : 20,
      warmupMs: quick ? 150 : 400,
      timer: 'cpu',
      reference: 'v8-js',
    };
    const instances = new Map<string, JsInstance>();
    for (const s of subjects) instances.set(s.id, await s.spawn());
    const measures: MeasureResult[] = [];
    const callMeasure = async (
      id: string,
      title: string,
      op: (x: JsInstance) => (i: number) => unknown,
      units = 1,
      note?: string,
    ) => {
      log(`  ${title}`);
      const timings = await compare(
        subjects.map((s): Variant => ({ subject: s.id, op: op(instances.get(s.id)!), units })),
        options,
      );
      measures.push({
        id,
        title,
        unit: 'ns',
        lower_is_better: true,
        reference: 'v8-js',
        rows: timings.map((t) => timingRow(t)),
        ...(note ? { note } : {}),
      });
    };
    await callMeasure('js.call.noop', 'JS call noop()', (x) => () => x.noop());
    await callMeasure('js.call.add', 'JS call add(a, b)', (x) => (i) => x.add(i, 1));
    await callMeasure(
      'js.call.string',
      'JS call shout(s), 1 KiB string in and out',
      (x) => () => x.shout(STRING),
    );
    await callMeasure(
      'js.call.host',
      'JS guest-to-host call tick(x), per call',
      (x) => () => x.callHost(HOST_CALLS),
      HOST_CALLS,
      `callHost(${HOST_CALLS}) timed, divided by ${HOST_CALLS}`,
    );
    await callMeasure('js.compute', `JS compute: fib(${FIB}), naive recursion`, (x) => () => x.fib(FIB));
    for (const x of instances.values()) x.close();

    log('  JS spawn');
    const spawn = await compare(
      subjects.map(
        (s): Variant => ({
          subject: s.id,
          async: true,
          op: async () => (await s.spawn()).close(),
        }),
      ),
      { ...options, sampleMs: quick ? 20 : 60, samples: quick ? 5 : 11, collect: true },
    );
    measures.push({
      id: 'js.spawn',
      title: 'JS spawn: a new sandbox with the script ready to call (and its teardown)',
      unit: 'ns',
      lower_is_better: true,
      reference: 'v8-js',
      rows: spawn.map((t) => timingRow(t)),
      note: 'v8-js: new Function(tick, source) and its call (V8 caches the compiled source); Keel: kernel.spawn of the loaded component (StarlingMonkey instance with its initialized heap) + terminate; isolated-vm: new isolate + context + compile + run + dispose; quickjs: new runtime + context + eval + dispose.',
    });

    log('  JS load');
    let cold = 0;
    const load = await compare(
      [
        {
          subject: 'v8-js',
          op: () => new Function('tick', `${source}\n// ${cold++}`),
        },
        {
          subject: 'keel-js',
          async: true,
          op: () => loadInFreshKernel(component, variant.options, join(cacheRoot, `cold-${cold++}`)),
        },
        {
          subject: 'keel-js-disk',
          async: true,
          op: () => loadInFreshKernel(component, variant.options, join(cacheRoot, 'warm')),
        },
        {
          subject: 'quickjs',
          async: true,
          op: async () => {
            const { newQuickJSWASMModule } = await import('quickjs-emscripten');
            return newQuickJSWASMModule();
          },
        },
      ],
      { samples: quick ? 1 : 3, batch: 1, warmupOps: 0, warmupMs: 0, timer: 'wall', reference: 'v8-js' },
    );
    measures.push({
      id: 'js.load',
      title: 'JS load: engine and code ready to spawn from, nothing cached',
      unit: 'ns',
      lower_is_better: true,
      reference: 'v8-js',
      rows: load.map((t) => timingRow(t)),
      note: `v8-js: compile the script (new Function, a fresh source each time); Keel: a new kernel with an empty cache loads the 11 MB component (validate, transpile with jco 1.12, write the cache, compile; the first load in this run took ${(firstColdNs / 1e9).toFixed(2)} s); keel-js-disk: a new kernel over the warm cache; quickjs: newQuickJSWASMModule (compile and instantiate the QuickJS wasm). isolated-vm has no load step apart from its spawn. Wall time.`,
    });
    return {
      id: 'js',
      title: 'JavaScript guests: the same JavaScript in four engines',
      subjects: [
        ...subjects.map((s) => ({ id: s.id, label: s.label, setup: s.setup })),
        {
          id: 'keel-js-disk',
          label: 'Keel (componentize-js, disk cache)',
          setup: 'a new kernel over a warm transpile cache',
        },
      ],
      measures,
      notes: [
        "The componentize-js guest runs SpiderMonkey (StarlingMonkey) compiled to WebAssembly, without a JIT; isolated-vm runs V8 with its JIT in another isolate; QuickJS is an interpreter compiled to WebAssembly. Calls into Keel pass through the component model (jco 1.12 glue) and the engine's bindings.",
      ],
    };
  } finally {
    await kernel.close();
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}
