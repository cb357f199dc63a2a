/**
 * `Sandbox.#beginCall` stays larger than the largest function V8 inlines
 * (`--max-inlined-bytecode-size`, read from this node's V8), so that it is always compiled on
 * its own. Smaller, it was inlined into its caller in about half the processes, which spent the
 * caller's inlining budget and left its own callees as calls: `invokeSync` of a scalar export
 * read 150-190 ns in those processes and 105-115 ns in the others
 * (bench/results/perf-invoke-2026-12-07-16.md). Read from the build (dist/) in a child process
 * that prints the function's bytecode.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dist = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../dist/${path}`, import.meta.url)));

it("Sandbox.#beginCall's bytecode is larger than the largest function V8 inlines", () => {
  const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
  const limit = Number(/--max-inlined-bytecode-size=(\d+)/.exec(options.stdout)?.[1]);
  expect(limit).toBeGreaterThan(0);
  const script = `
    const { Kernel } = await import(${dist('host/index.js')});
    const { wat } = await import(${dist('scripts/lib/wat.js')});
    const { tempCacheDir } = await import(${dist('scripts/lib/fixtures.js')});
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat('(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))'));
    const sandbox = await kernel.spawn(module);
    if (sandbox.invokeSync('add', [1, 2]).value !== 3) throw new Error('add');
    await kernel.close();`;
  const r = spawnSync(
    process.execPath,
    ['--print-bytecode', '--print-bytecode-filter=#beginCall', '--input-type=module', '-e', script],
    { encoding: 'utf8', maxBuffer: 16 << 20 },
  );
  expect(r.status, r.stderr).toBe(0);
  const lengths = [...r.stdout.matchAll(/Bytecode length: (\d+)/g)].map((m) => Number(m[1]));
  expect(lengths).toHaveLength(1);
  expect(lengths[0]).toBeGreaterThan(limit);
});
