/**
 * A WASI preview1 command written in AssemblyScript (guests/as-preview1/probe: its own preview1
 * declarations, no shim), rebuilt here from its source and run through Keel's preview1: the same
 * answers a C program gets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, parseDirFlags } from '../../host/index.js';
import { buildAsPreview1 } from '../../scripts/build-as-preview1.js';

const source = new URL('../../guests/as-preview1/probe/index.ts', import.meta.url);
const committed = new URL('../../guests/as-preview1/probe/probe.wasm', import.meta.url);
let kernel: Kernel;
let dir: string;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
  dir = mkdtempSync(join(tmpdir(), 'keel-as-p1-'));
  writeFileSync(join(dir, 'other'), '');
});
afterAll(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

it('is what its source builds (AssemblyScript of node_modules, deterministic)', async () => {
  const built = await buildAsPreview1(source.pathname);
  expect(Buffer.compare(Buffer.from(built), readFileSync(committed))).toBe(0);
});

it('runs as a preview1 command: args, environment, clocks, randomness, files, exit', async () => {
  const module = await kernel.load(new Uint8Array(readFileSync(committed)), { name: 'as-probe' });
  expect(module.kind).toBe('preview1');
  let out = '';
  const sandbox = await kernel.spawn(module, {
    grants: [
      'wasi:cli/stdout',
      'wasi:cli/exit',
      { interface: 'wasi:cli/environment', scope: { args: ['as-probe', 'x'], env: { K: 'v' } } },
      'wasi:clocks/wall-clock',
      'wasi:random/random',
      parseDirFlags([`${dir}::/data`]),
    ],
    io: { stdout: (c) => (out += new TextDecoder().decode(c)) },
  });
  const outcome = await sandbox.invoke('_start');
  expect(outcome.exit).toBe(7);
  expect(out.split('\n').filter(Boolean)).toEqual([
    'args: 0 2 11',
    'environ: 0 1 4',
    'realtime: 0 recent',
    'random: 0 yes',
    'open as.txt: 0 4',
    'write: 0 19',
    'seek: 0 5',
    'read: 0 AssemblyScript',
    'filestat: 0 4 19',
    'close: 0 ',
    'close again: 8 ',
    // `.`, `..`, `other` and `as.txt`.
    'readdir: 0 4',
    'unlink: 0 ',
    'unlink again: 44 ',
    'bad fd: 8 ',
  ]);
});
