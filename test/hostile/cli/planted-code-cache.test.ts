/**
 * Attack: plant a V8 code cache for the CLI's bundle in a cache directory other users can write,
 * so that the next `keel` started by its owner runs the planter's code as Keel. V8 takes any
 * code cache made for a source of the same length (it does not check the text), so the only
 * guard is where bin/keel.js reads it from: a directory of this user's that nobody else can
 * write, as the module cache requires (docs/cli.md, Start-up).
 *
 * The control shows the planted cache does run where the directory is trusted (there, anyone
 * who can write it can as well edit Keel's files); the attack is the same file where the group
 * or others can write.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keel, ROOT, scratchDir } from '../../cli/harness.js';

const dir = scratchDir('planted-code-cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUNDLE = join(ROOT, 'dist/host/cli/keel-cli.cjs');

/** Writes into `out` a code cache for a script as long as bin/keel.js's, whose main prints PLANTED. */
const PLANT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
const [bundle, out] = process.argv.slice(2);
const source = readFileSync(bundle, 'utf8');
const real = \`(function (exports, require, module, __filename, __dirname, __keelImport) {\${source}\\n})\`;
const head = "(function (exports, require, module) { module.exports.main = async () => { require('node:fs').writeSync(1, 'PLANTED\\\\n'); return 0; }; /*";
const tail = '*/})';
const planted = head + ' '.repeat(real.length - head.length - tail.length) + tail;
const script = new vm.Script(planted, { filename: bundle });
const module = { exports: {} };
script.runInThisContext()({}, createRequire(bundle), module);
await module.exports.main(); // compiled now, so that the cache holds it
writeFileSync(out, script.createCachedData());
`;

it('a code cache planted where others can write is never run', () => {
  const xdg = join(dir, 'xdg');
  const env = { XDG_CACHE_HOME: xdg };
  expect(keel(['--version'], { env }).stdout).toMatch(/^keel \d/);
  const cacheDir = join(xdg, 'keel', '.compile-cache');
  const [name] = readdirSync(cacheDir);
  const file = join(cacheDir, name!);
  const plant = join(dir, 'plant.mjs');
  writeFileSync(plant, PLANT);
  const planting = spawnSync(process.execPath, [plant, BUNDLE, file], { encoding: 'utf8' });
  expect(planting.status, planting.stderr).toBe(0);

  // Control: in this user's private directory the planted cache is what runs.
  expect(keel(['--version'], { env }).stdout).toBe('PLANTED\n');

  // The attack: the same cache in a directory the group or others can write.
  for (const [where, mode] of [
    [cacheDir, 0o777],
    [cacheDir, 0o770],
    [join(xdg, 'keel'), 0o775],
  ] as const) {
    chmodSync(cacheDir, 0o700);
    chmodSync(join(xdg, 'keel'), 0o700);
    chmodSync(where, mode);
    const r = keel(['--version'], { env });
    expect(r.stdout).toMatch(/^keel \d+\.\d+\.\d+\n$/);
    expect(r.status).toBe(0);
  }
});
