/**
 * The guest's stdin under `keel run`: Keel's own stdin (a pipe, a terminal) streamed to the
 * guest as it reads, `--stdin FILE` and `--stdin -`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, CAT_WAT, keel, lastJson, ROOT, scratchDir, startKeel, wasmFile } from './harness.js';

const dir = scratchDir('stdin');
const cache = join(dir, 'cache');
let cat: string;

beforeAll(async () => {
  cat = await wasmFile(dir, 'cat', CAT_WAT);
});

describe('keel run: stdin', () => {
  it('gives the guest a pipe on Keel stdin', () => {
    const r = keel(['run', cat, '--json'], { input: 'hi from a pipe', cache });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The JSON object has a line of its own, though the guest ended without a newline.
    expect(r.stdout).toMatch(/^hi from a pipe\n\{"ok":true/);
  });

  it('reads --stdin FILE, and --stdin - as Keel stdin', () => {
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'from a file\n');
    expect(keel(['run', cat, '--stdin', file], { input: 'not this', cache })).toMatchObject({
      status: 0,
      stdout: 'from a file\n',
    });
    expect(keel(['run', cat, '--stdin', '-'], { input: 'dash\n', cache })).toMatchObject({
      status: 0,
      stdout: 'dash\n',
    });
    const missing = keel(['run', cat, '--stdin', join(dir, 'missing.txt'), '--json'], { cache });
    expect(missing.status).toBe(2);
    expect(lastJson(missing.stdout).error).toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('missing.txt cannot be read (ENOENT)'),
    });
  });

  it('streams: the guest reads a line and answers before the next is written', async () => {
    const child = startKeel(['run', cat], { cache });
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => {
      err += chunk;
    });
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" on stdout; stderr: ${err}`)), 30_000);
        const check = () => {
          if (out.includes(text)) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve();
          }
        };
        const onData = (chunk: Buffer) => {
          out += chunk;
          check();
        };
        child.stdout!.on('data', onData);
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin!.write('first line\n');
    await seen('first line\n');
    // The first answer came while stdin was still open: nothing waited for its end.
    child.stdin!.write('second line\n');
    await seen('second line\n');
    child.stdin!.end();
    expect(await exited).toBe(0);
    expect(out).toBe('first line\nsecond line\n');
  }, 60_000);

  it('reads a terminal: lines typed reach the guest, Ctrl-D ends its stdin', () => {
    // `script` gives the command a pseudo-terminal; what we write to it is typed at that terminal.
    const available = spawnSync('script', ['--version'], { encoding: 'utf8' });
    expect(available.status, 'util-linux script is needed for this test').toBe(0);
    const command = `${process.execPath} ${BIN} run ${cat} --cache-dir ${cache}`;
    const r = spawnSync('script', ['-qefc', command, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      input: 'typed at a terminal\n\u0004',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    // Once echoed by the terminal as it was typed, once written back by the guest.
    expect(r.stdout.split('typed at a terminal').length - 1).toBe(2);
  });
});
