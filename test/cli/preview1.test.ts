/**
 * `keel run` on a WASI preview1 command, as `wasmtime run` runs one: `_start`, argv[0] the file's
 * name without its directory, the terminal's stdio, `--env`, `--dir` (with `+links` for hard
 * links), and the guest's exit status as an outcome.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/keel.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../../guests/c/p1probe/p1probe.p1.wasm', import.meta.url));
let dir: string;
/** Keel's cache, outside the directory the tests grant (a writable grant over it is refused). */
let cache: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-cli-p1-'));
  cache = mkdtempSync(join(tmpdir(), 'keel-cli-p1-cache-'));
  writeFileSync(join(dir, 'f'), 'data');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

/** The probe also reads clocks and randomness, which `keel run` grants only when asked. */
const GRANTS = ['--grant', 'wasi:clocks/*', '--grant', 'wasi:random/*'];

function keel(args: string[], input?: string) {
  const dashdash = args.indexOf('--');
  const own = dashdash < 0 ? args : args.slice(0, dashdash);
  const guest = dashdash < 0 ? [] : args.slice(dashdash);
  const argv = [BIN, ...own, ...GRANTS, '--cache-dir', cache, ...guest];
  const result = spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('keel run <preview1 command>', () => {
  it('runs _start with argv[0] the file name without its directory, and --env', () => {
    const r = keel(['run', PROBE, '--env', 'MODE=fast', '--', 'args', 'environ']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'args: e=0 count=3 size=29 p1probe.p1.wasm args environ',
      'environ: e=0 count=1 size=10 MODE=fast',
      '',
    ]);
  });

  it('gives the guest the terminal’s stdio (fd 0, 1, 2) and no preopen without --dir', () => {
    const r = keel(['run', PROBE, '--', 'fdstat', '0', 'fdstat', '2', 'prestat', '3']);
    expect(r.stdout).toMatch(/^fdstat: e=0 type=0 flags=0 base=2 /m);
    expect(r.stdout).toMatch(/^fdstat: e=0 type=0 flags=0 base=40 /m);
    expect(r.stdout).toMatch(/^prestat: e=8 /m);
  });

  it('preopens --dir HOST::GUEST at fd 3, and +links grants hard links there', () => {
    const plain = keel([
      'run',
      PROBE,
      '--dir',
      `${dir}::/data`,
      '--',
      'prestatname',
      '3',
      '5',
      'link',
      '3',
      '0',
      'f',
      '3',
      'g',
    ]);
    expect(plain.stdout).toBe('prestatname: e=0 name=/data\nlink: e=63\n');
    const links = keel([
      'run',
      PROBE,
      '--dir',
      `${dir}::/data:rw+links`,
      '--',
      'link',
      '3',
      '0',
      'f',
      '3',
      'g',
    ]);
    expect(links.stdout).toBe('link: e=0\n');
    expect(statSync(join(dir, 'g')).nlink).toBe(2);
    expect(readFileSync(join(dir, 'g'), 'utf8')).toBe('data');
  });

  it('fails the spawn naming the preview1 import when its grant is missing', () => {
    const result = spawnSync(process.execPath, [BIN, 'run', PROBE, '--cache-dir', cache], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('wasi_snapshot_preview1.clock_res_get');
    expect(result.stderr).toContain('--grant wasi:clocks/wall-clock');
  });

  it('reports the guest’s exit status as a failure of the guest, never the host’s own', () => {
    const r = keel(['run', PROBE, '--json', '--', 'exit', '3']);
    expect(r.status).not.toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ ok: true, exit: 3 });
  });
});
