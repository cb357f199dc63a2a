/**
 * The fixtures' wasm-tools cache (scripts/lib/wasm-tools.ts): a hit is byte for byte what
 * jco-transpile's wasm-tools makes for the same inputs, any input that differs is another
 * entry, and a call that throws stores nothing and throws again; wat() (wabt) likewise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jco from '@bytecodealliance/jco-transpile/wasm-tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentEmbed, componentNew, parse, wasmToolsCacheStats } from '../../scripts/lib/wasm-tools.js';
import { WAT_ALL_FEATURES, wat, watUncached } from '../../scripts/lib/wat.js';

const WIT = 'package keel:cache;\nworld w { export f: func() -> u32; }';
const CORE = '(module (memory (export "memory") 1) (func (export "f") (result i32) (i32.const 7)))';

let dir: string;
const before = process.env.KEEL_WASM_TOOLS_CACHE;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-wasm-tools-cache-'));
  process.env.KEEL_WASM_TOOLS_CACHE = dir;
});
afterAll(() => {
  if (before === undefined) delete process.env.KEEL_WASM_TOOLS_CACHE;
  else process.env.KEEL_WASM_TOOLS_CACHE = before;
  rmSync(dir, { recursive: true, force: true });
});

const entries = () => readdirSync(dir).sort();

const stats = () => ({ ...wasmToolsCacheStats });

describe("the fixtures' wasm-tools cache", () => {
  it('gives what wasm-tools makes, from the cache the second time', async () => {
    const core = await watUncached(CORE);
    const options = { binary: core, witSource: WIT, world: 'w' };
    const embeddedByJco = await jco.componentEmbed(options);
    const madeByJco = await jco.componentNew(embeddedByJco, undefined);

    const start = stats();
    const embedded = await componentEmbed(options);
    const made = await componentNew(embedded, undefined);
    expect(embedded).toEqual(embeddedByJco);
    expect(made).toEqual(madeByJco);
    expect(stats()).toEqual({ hits: start.hits, misses: start.misses + 2 });
    expect(entries()).toHaveLength(2);
    expect(entries().every((name) => /^[0-9a-f]{64}\.wasm$/.test(name))).toBe(true);

    const again = await componentNew(await componentEmbed(options), undefined);
    expect(again).toEqual(madeByJco);
    expect(stats()).toEqual({ hits: start.hits + 2, misses: start.misses + 2 });
    // A buffer of its own, as wasm-tools' are: not a view into a pooled one.
    expect(again.byteOffset).toBe(0);
    expect(again.buffer.byteLength).toBe(again.byteLength);
    expect(entries()).toHaveLength(2);
  });

  it('keys every input: another WIT, world option, encoding, core module or adapter is another entry', async () => {
    const core = await watUncached(CORE);
    const base = { binary: core, witSource: WIT, world: 'w' } as const;
    const variants = [
      base,
      { ...base, witSource: WIT.replace('u32', 's32') },
      { ...base, stringEncoding: 'utf16' as const },
      { ...base, binary: await watUncached(CORE.replace('i32.const 7', 'i32.const 8')) },
      { witSource: WIT, world: 'w', dummy: true },
    ];
    const made = [];
    for (const options of variants) {
      const ours = await componentEmbed(options);
      expect(ours).toEqual(await jco.componentEmbed(options));
      made.push(Buffer.from(ours).toString('hex'));
    }
    expect(new Set(made).size).toBe(variants.length);

    const embedded = await componentEmbed(base);
    const plain = await componentNew(embedded, []);
    expect(plain).toEqual(await jco.componentNew(embedded, []));
    const component = await parse('(component)');
    expect(component).toEqual(await jco.parse('(component)'));
    expect(await parse('(component (core module))')).toEqual(await jco.parse('(component (core module))'));
    // Each variant, the componentNew with an empty adapter list, and the two parses: one entry each.
    expect(entries()).toHaveLength(2 + (variants.length - 1) + 1 + 2);
  });

  it('stores nothing for a call that throws, which throws again', async () => {
    const stored = entries();
    const bad = {
      witSource: 'package keel:cache;\nworld w { export f: func() -> nope; }',
      world: 'w',
      dummy: true,
    };
    await expect(jco.componentEmbed(bad)).rejects.toThrow(/nope/);
    await expect(componentEmbed(bad)).rejects.toThrow(/nope/);
    await expect(componentEmbed(bad)).rejects.toThrow(/nope/);
    await expect(parse('(component (oops))')).rejects.toThrow();
    expect(entries()).toEqual(stored);
  });

  it('calls wasm-tools uncached for options outside its key, and with KEEL_WASM_TOOLS_CACHE=off', async () => {
    const stored = entries();
    const start = stats();
    const core = await watUncached(CORE);
    const metadata: [string, [string, string][]][] = [['processed-by', [['keel-test', '1']]]];
    const options = { binary: core, witSource: WIT, world: 'w', metadata };
    expect(await componentEmbed(options)).toEqual(await jco.componentEmbed(options));
    process.env.KEEL_WASM_TOOLS_CACHE = 'off';
    try {
      expect(await parse('(component (core module (func)))')).toEqual(
        await jco.parse('(component (core module (func)))'),
      );
    } finally {
      process.env.KEEL_WASM_TOOLS_CACHE = dir;
    }
    expect(stats()).toEqual(start);
    expect(entries()).toEqual(stored);
  });

  it("wat(): wabt's bytes, from the cache the second time; name and features are keyed; errors are not stored", async () => {
    const stored = entries().length;
    const start = stats();
    expect(await wat(CORE)).toEqual(await watUncached(CORE));
    expect(await wat(CORE)).toEqual(await watUncached(CORE));
    expect(stats()).toEqual({ hits: start.hits + 1, misses: start.misses + 1 });
    expect(await wat(CORE, 'other.wat')).toEqual(await watUncached(CORE, 'other.wat'));
    // A tag needs exceptions: compiled with them first, it must still fail without them.
    const tag = '(module (tag $e))';
    expect(await wat(tag, 'inline.wat', WAT_ALL_FEATURES)).toEqual(
      await watUncached(tag, 'inline.wat', WAT_ALL_FEATURES),
    );
    await expect(watUncached(tag)).rejects.toThrow(/tag not allowed/);
    await expect(wat(tag)).rejects.toThrow(/tag not allowed/);
    await expect(wat('(module (func (i32.add)))')).rejects.toThrow();
    await expect(wat('(module (func (i32.add)))')).rejects.toThrow();
    expect(stats()).toEqual({ hits: start.hits + 1, misses: start.misses + 3 });
    expect(entries()).toHaveLength(stored + 3);
  });

  it('a process whose every wat() is a hit never loads wabt (built: dist/scripts/lib/wat.js)', async () => {
    const source = '(module (func (export "g") (result i32) (i32.const 5)))';
    await wat(source);
    // Module hooks that print a line on stderr when a child process loads wabt's code (a hit
    // resolves the package for its version, `import.meta.resolve`, and never loads it). Written
    // to fd 2 at once: the hooks run on a thread of their own, whose `process.stderr` is relayed
    // through the main thread and was lost when the child exited first (under load, a miss
    // read as a hit; the hit's resolution was never seen).
    const hooks = mkdtempSync(join(tmpdir(), 'keel-resolve-hooks-'));
    writeFileSync(
      join(hooks, 'hooks.mjs'),
      'import { writeSync } from "node:fs"; export async function load(u, c, next) { if (u.includes("/node_modules/wabt/")) writeSync(2, "loaded wabt\\n"); return next(u, c); }',
    );
    writeFileSync(
      join(hooks, 'register.mjs'),
      "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);",
    );
    const watJs = fileURLToPath(new URL('../../dist/scripts/lib/wat.js', import.meta.url));
    const run = (cache: string) => {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          join(hooks, 'register.mjs'),
          '--input-type=module',
          '-e',
          `const { wat } = await import(${JSON.stringify(watJs)}); console.log((await wat(${JSON.stringify(source)})).length);`,
        ],
        { encoding: 'utf8', env: { ...process.env, KEEL_WASM_TOOLS_CACHE: cache } },
      );
      expect(r.status, r.stderr).toBe(0);
      return { length: Number(r.stdout), wabt: r.stderr.split('\n').includes('loaded wabt') };
    };
    const length = (await wat(source)).length;
    // A hit: the bytes, and wabt never imported.
    expect(run(dir)).toEqual({ length, wabt: false });
    // A miss compiles with wabt, which the hooks see: they would see it on a hit too.
    expect(run('off')).toEqual({ length, wabt: true });
    rmSync(hooks, { recursive: true, force: true });
  });
});
