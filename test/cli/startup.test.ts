/**
 * Start-up: `keel run` of a module that needs neither a scope schema, a log, a plan nor a
 * transpile loads none of zod, pino, yaml or jco (they cost most of a run's start-up;
 * bench/results/startup-latest.md has the whole-process figures). The packages a process
 * loads are recorded by a preload that sees both ES module resolution and CommonJS `require`.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, scratchDir } from './harness.js';

const dir = scratchDir('startup');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Prints `loaded <specifier>` on stderr for every package specifier the process resolves or requires. */
const PRELOAD = [
  "import { createRequire, isBuiltin, register } from 'node:module';",
  'const bare = (s) => !isBuiltin(s) && !/^(file:|data:|\\.|\\/)/.test(s);',
  'register("data:text/javascript," + encodeURIComponent([',
  '  "import { isBuiltin } from \'node:module\';",',
  '  "const bare = " + bare.toString() + ";",',
  '  "export async function resolve(specifier, context, next) {",',
  "  \"  if (bare(specifier)) process.stderr.write('loaded ' + specifier + '\\\\n');\",",
  '  "  const resolved = await next(specifier, context);",',
  "  \"  if (resolved.url.startsWith('file:')) process.stderr.write('file ' + resolved.url + '\\\\n');\",",
  '  "  return resolved;",',
  '  "}",',
  '].join("\\n")));',
  "const Module = createRequire(import.meta.url)('node:module');",
  'const load = Module._load;',
  'Module._load = function (request, ...rest) {',
  "  if (bare(request)) process.stderr.write('loaded ' + request + '\\n');",
  "  if (request.startsWith('/')) process.stderr.write('file file://' + request + '\\n');",
  '  return load.call(this, request, ...rest);',
  '};',
  // bin/keel.js reads the CLI's bundle itself (to compile it with its code cache).
  "const fs = createRequire(import.meta.url)('node:fs');",
  'const readFileSync = fs.readFileSync;',
  'fs.readFileSync = function (path, ...rest) {',
  "  if (typeof path === 'string' && path.endsWith('.cjs')) process.stderr.write('file file://' + path + '\\n');",
  '  return readFileSync.call(this, path, ...rest);',
  '};',
].join('\n');

const TRIVIAL = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);

function keelTraced(args: string[]) {
  const preload = join(dir, 'preload.mjs');
  writeFileSync(preload, PRELOAD);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  const loaded = new Set(
    r.stderr
      .split('\n')
      .filter((l) => l.startsWith('loaded '))
      .map((l) =>
        l
          .slice('loaded '.length)
          .split('/')
          .slice(0, l.includes('@') ? 2 : 1)
          .join('/'),
      ),
  );
  // Keel's own modules: the compiled files under dist/ (packages resolve elsewhere).
  const dist = pathToFileURL(join(ROOT, 'dist')).href;
  const files = new Set(
    r.stderr
      .split('\n')
      .filter((l) => l.startsWith(`file ${dist}/`))
      .map((l) => l.slice(`file ${dist}/`.length)),
  );
  return { status: r.status, stdout: r.stdout, loaded, files };
}

describe('start-up', () => {
  const wasm = join(dir, 'trivial.wasm');
  writeFileSync(wasm, TRIVIAL);
  const heavy = ['zod', 'pino', 'yaml', '@bytecodealliance/jco', '@bytecodealliance/jco-transpile'];

  it('keel run of a core module loads none of zod, pino, yaml or jco', () => {
    const r = keelTraced(['run', wasm, '--invoke', 'run', '--cache-dir', join(dir, 'cache')]);
    expect(r.stdout).toBe('42\n');
    expect(r.status).toBe(0);
    expect(heavy.filter((p) => r.loaded.has(p))).toEqual([]);
  });

  it("keel run loads Keel itself as one file, the CLI's bundle, not a hundred modules", () => {
    const r = keelTraced(['run', wasm, '--invoke', 'run', '--cache-dir', join(dir, 'cache')]);
    expect(r.status).toBe(0);
    expect([...r.files]).toEqual(['host/cli/keel-cli.cjs']);
  });

  it('keel --version and keel run --help load no package at all', () => {
    for (const args of [['--version'], ['run', '--help']]) {
      const r = keelTraced(args);
      expect(r.status).toBe(0);
      expect([...r.loaded]).toEqual([]);
    }
  });

  it('loads pino when a log is asked for, and zod for a scoped grant (the record sees both)', () => {
    const r = keelTraced([
      'run',
      wasm,
      '--invoke',
      'run',
      '--log',
      join(dir, 'run.jsonl'),
      '--dir',
      `${dir}::/data:ro`,
      '--cache-dir',
      join(dir, 'cache'),
    ]);
    expect(r.status).toBe(0);
    expect(r.loaded.has('pino')).toBe(true);
    expect(r.loaded.has('zod')).toBe(true);
  });
});
