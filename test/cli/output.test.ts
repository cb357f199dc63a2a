/**
 * What `keel run` prints and returns: exit statuses as Wasmtime users expect them, the guest's
 * log lines, output past the limit, a reader that goes away, and `--json` alone on its line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentFromWat } from '../helpers/components.js';
import { CAT_WAT, exitWat, keel, lastJson, scratchDir, startKeel, wasmFile } from './harness.js';

const dir = scratchDir('output');
const cache = join(dir, 'cache');
const files: Record<string, string> = {};

beforeAll(async () => {
  files.cat = await wasmFile(dir, 'cat', CAT_WAT);
  files.exit3 = await wasmFile(dir, 'exit3', exitWat(3));
  files.exit256 = await wasmFile(dir, 'exit256', exitWat(256));
  files.div = join(dir, 'div.wasm');
  writeFileSync(
    files.div,
    await componentFromWat(
      `(module
        (memory (export "memory") 1)
        (data (i32.const 100) "division by zero")
        (func (export "div") (param i32 i32) (result i32)
          (if (i32.eqz (local.get 1)) (then
            (i32.store8 (i32.const 0) (i32.const 1))
            (i32.store (i32.const 4) (i32.const 100))
            (i32.store (i32.const 8) (i32.const 16))
            (return (i32.const 0))))
          (i32.store8 (i32.const 0) (i32.const 0))
          (i32.store (i32.const 4) (i32.div_u (local.get 0) (local.get 1)))
          (i32.const 0)))`,
      'package docs:div;\nworld div { export div: func(a: u32, b: u32) -> result<u32, string>; }',
      'div',
    ),
  );
  files.big = join(dir, 'big.txt');
  writeFileSync(files.big, 'x'.repeat(300_000));
});

describe('keel run: exit status', () => {
  it("passes the guest's exit(N) through as N, and keeps it in --json", () => {
    const r = keel(['run', files.exit3!, '--json'], { cache });
    expect(r.status).toBe(3);
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, exit: 3 });
    // Nothing extra is printed: the status says it, as with Wasmtime.
    expect(keel(['run', files.exit3!], { cache })).toMatchObject({ status: 3, stdout: '', stderr: '' });
  });

  it('never turns a non-zero exit into 0 (POSIX keeps 8 bits: 256 would read as success)', () => {
    // preview1 refuses statuses past 125, as Wasmtime does: a guest failure, status 1.
    const r = keel(['run', files.exit256!, '--json'], { cache });
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'trap' } });
  });

  it('keeps 1 for a guest failure and 2 for a bad invocation', () => {
    expect(keel(['run', files.cat!, '--fuel', '10'], { cache }).status).toBe(1);
    expect(keel(['run', files.cat!, '--frobnicate'], { cache }).status).toBe(2);
  });
});

describe('keel run: values', () => {
  it('tags both cases of a WIT result in --json, so that ok and err never read alike', () => {
    const ok = keel(['run', files.div!, '--invoke', 'div', '--args', '[7, 2]', '--json'], { cache });
    expect(ok.status).toBe(0);
    expect(lastJson(ok.stdout)).toMatchObject({ ok: true, value: { tag: 'ok', val: 3 } });
    const err = keel(['run', files.div!, '--invoke', 'div', '--args', '[1, 0]'], { cache });
    // An err is a value the export returned, not a failure of the guest.
    expect(err).toMatchObject({ status: 0, stdout: '{"tag":"err","val":"division by zero"}\n' });
  });
});

describe('keel run: output', () => {
  it("prints the guest's keel:kernel/log lines on stderr, unless --quiet", () => {
    const args = ['run', 'guests/as/hello/hello.wasm', '--grant', 'keel:kernel/log', '--invoke', 'shout'];
    const r = keel([...args, '--args', '[3, "disk almost full"]'], { cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\[hello\] warn disk almost full\n$/);
    expect(keel([...args, '--args', '[3, "x"]', '--quiet'], { cache })).toMatchObject({
      status: 0,
      stderr: '',
    });
  });

  it('says when output passed the limit, on stderr and in --json; --max-output raises it', () => {
    const r = keel(['run', files.cat!, '--stdin', files.big!, '--max-output', '1KiB', '--json'], { cache });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('x'.repeat(1024));
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, dropped: { stdout: 300_000 - 1024, limit: 1024 } });
    expect(r.stderr).toContain(
      "warning: the guest's stdout passed the 1KiB output limit: 298976 more bytes were dropped (raise it with --max-output)",
    );
    const raised = keel(['run', files.cat!, '--stdin', files.big!, '--max-output', '1MiB'], { cache });
    expect(raised).toMatchObject({ status: 0, stderr: '' });
    expect(raised.stdout.length).toBe(300_000);
  });

  it('puts the --json object on a line of its own after output without a final newline', () => {
    const r = keel(['run', files.cat!, '--json'], { input: 'no newline', cache });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('no newline');
    expect(JSON.parse(lines[1]!)).toMatchObject({ ok: true });
    expect(lines.slice(2)).toEqual(['']);
  });

  it('survives a reader that goes away (EPIPE): one line on stderr, no stack trace', async () => {
    const child = startKeel(['run', files.cat!, '--stdin', files.big!], { cache });
    let err = '';
    child.stderr!.on('data', (chunk) => {
      err += chunk;
    });
    // Read a little, then close our end of the pipe, as `| head -c 100` does.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(err).not.toMatch(/node:|Error:| {4}at /);
    expect(err).toMatch(/^keel: stdout was closed by its reader; .*\n$/);
  }, 60_000);
});
