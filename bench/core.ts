/**
 * What a sandbox costs at its boundary: load (cold, cached), instantiation and calls, for the
 * same small component, side by side in one process:
 *   - plain V8 running the component's core module directly (the floor);
 *   - jco's own output from the pinned jco 1.12.0 generator (lean glue);
 *   - jco's own output from jco-transpile 0.3.9 (current generator, task machinery);
 *   - Keel: the typed fast path (`sandbox.fn`), `invokeSync` (JSON values, events), and spawn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../host/index.js';
import type { GlueInstantiate } from '../host/loader/loader.js';
import { type GeneratorId, transpileComponent } from '../host/loader/transpile.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { wat } from '../scripts/lib/wat.js';
import { type Measurement, measure, measureAsync } from './lib/measure.js';

export interface SuiteOptions {
  quick: boolean;
}

interface Glue {
  instantiate(): Record<string, any>;
}

/** jco's output used the way a jco user would: import the glue, compile the core modules, instantiate. */
async function jcoGlue(bytes: Uint8Array, generator: GeneratorId): Promise<Glue> {
  const output = await transpileComponent(bytes, { generator });
  const url = `data:text/javascript;base64,${Buffer.from(output.glue).toString('base64')}`;
  const { instantiate } = (await import(url)) as { instantiate: GlueInstantiate };
  const cores = new Map<string, WebAssembly.Module>();
  for (const [file, core] of Object.entries(output.coreModules))
    cores.set(file, new WebAssembly.Module(core as Uint8Array<ArrayBuffer>));
  return { instantiate: () => instantiate((file) => cores.get(file)!, {}) };
}

export async function runCoreSuite({ quick }: SuiteOptions): Promise<Measurement[]> {
  const calls = quick ? 200_000 : 2_000_000;
  const samples = quick ? 7 : 21;
  const results: Measurement[] = [];
  const push = (m: Measurement) => {
    results.push(m);
    process.stderr.write(`  ${m.name}\n`);
  };

  const component = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
  const coreBytes = await wat(ADDER_WAT);
  const coreModule = new WebAssembly.Module(coreBytes as Uint8Array<ArrayBuffer>);
  const lean = await jcoGlue(component, 'jco-1.12.0');
  const current = await jcoGlue(component, 'jco-transpile-0.3.9');
  const cacheRoot = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const kernel = new Kernel({ cacheDir: join(cacheRoot, 'warm') });
  const module = await kernel.load(component, { name: 'adder' });
  const sandbox = await kernel.spawn(module);

  // Calls: add(u32, u32) -> u32.
  const plain = new WebAssembly.Instance(coreModule).exports['docs:adder/add@0.1.0#add'] as (
    a: number,
    b: number,
  ) => number;
  const leanAdd = lean.instantiate().add.add as (a: number, b: number) => number;
  const currentAdd = current.instantiate().add.add as (a: number, b: number) => number;
  const keelAdd = sandbox.fn<(a: number, b: number) => number>('docs:adder/add#add');
  const callOpts = { batch: calls, samples };
  push(measure('call add(u32,u32): plain V8 export', (i) => plain(i, 1), callOpts));
  push(measure('call add(u32,u32): jco 1.12.0 glue', (i) => leanAdd(i, 1), callOpts));
  push(
    measure('call add(u32,u32): jco-transpile 0.3.9 glue', (i) => currentAdd(i, 1), {
      ...callOpts,
      batch: calls / 20,
    }),
  );
  push(measure('call add(u32,u32): Keel fn (fast path)', (i) => keelAdd(i, 1), callOpts));
  push(
    measure(
      'call add(u32,u32): Keel invokeSync (JSON values)',
      (i) => sandbox.invokeSync('docs:adder/add#add', [i, 1]),
      { ...callOpts, batch: calls / 10 },
    ),
  );

  // No arguments.
  const plainNoop = new WebAssembly.Instance(coreModule).exports.noop as () => void;
  const keelNoop = sandbox.fn<() => void>('noop');
  const leanNoop = lean.instantiate().noop as () => void;
  push(measure('call noop(): plain V8 export', () => plainNoop(), callOpts));
  push(measure('call noop(): jco 1.12.0 glue', () => leanNoop(), callOpts));
  push(measure('call noop(): Keel fn (fast path)', () => keelNoop(), callOpts));

  // A 1 KiB string in and out.
  const text = 'k'.repeat(1024);
  const leanShout = lean.instantiate().shout as (s: string) => string;
  const currentShout = current.instantiate().shout as (s: string) => string;
  const keelShout = sandbox.fn<(s: string) => string>('shout');
  const stringOpts = { batch: calls / 100, samples };
  push(measure('call shout(1 KiB string): jco 1.12.0 glue', () => leanShout(text), stringOpts));
  push(measure('call shout(1 KiB string): jco-transpile 0.3.9 glue', () => currentShout(text), stringOpts));
  push(measure('call shout(1 KiB string): Keel fn (fast path)', () => keelShout(text), stringOpts));

  // Instantiation.
  const instOpts = { batch: quick ? 200 : 2000, samples };
  push(measure('instantiate: plain V8 core module', () => new WebAssembly.Instance(coreModule), instOpts));
  push(measure('instantiate: jco 1.12.0 glue', () => lean.instantiate(), instOpts));
  push(
    measure('instantiate: jco-transpile 0.3.9 glue', () => current.instantiate(), {
      ...instOpts,
      batch: instOpts.batch / 10,
    }),
  );
  push(
    await measureAsync(
      'spawn: Keel (grants checked, imports linked, instantiated)',
      async () => (await kernel.spawn(module)).terminate(),
      { samples: quick ? 200 : 2000, warmup: 50 },
    ),
  );

  // Loading.
  push(
    await measureAsync(
      'load: Keel cold (validate, transpile, write cache, compile)',
      async (i) => {
        const cold = new Kernel({ cacheDir: join(cacheRoot, `cold-${i}`) });
        await cold.load(component);
        await cold.close();
      },
      { samples: quick ? 3 : 7, warmup: 1 },
    ),
  );
  push(
    await measureAsync(
      'load: Keel from the disk cache (new kernel)',
      async () => {
        const warm = new Kernel({ cacheDir: join(cacheRoot, 'warm') });
        await warm.load(component);
        await warm.close();
      },
      { samples: quick ? 10 : 50, warmup: 2 },
    ),
  );
  push(
    await measureAsync('load: Keel from memory (same kernel)', () => kernel.load(component), {
      samples: quick ? 50 : 500,
      warmup: 5,
    }),
  );
  push(
    await measureAsync(
      'load: plain V8 compile of the core module',
      () => WebAssembly.compile(coreBytes as Uint8Array<ArrayBuffer>),
      {
        samples: quick ? 50 : 500,
        warmup: 5,
      },
    ),
  );
  await kernel.close();
  rmSync(cacheRoot, { recursive: true, force: true });
  return results;
}
