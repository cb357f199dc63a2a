/**
 * `keel run`'s errors as a new user meets them: one clear line (and a hint that can work), the
 * right exit status, never a Node.js stack trace.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keel, lastJson, scratchDir, wasmFile } from './harness.js';

const dir = scratchDir('errors');
const cache = join(dir, 'cache');
let secret: string;
let plain: string;
let random: string;
const hello = 'guests/as/hello/hello.wasm';

beforeAll(async () => {
  plain = await wasmFile(dir, 'plain', '(module (func (export "zero") (result i32) (i32.const 0)))');
  secret = await wasmFile(
    dir,
    'secret',
    '(module (import "env" "read_secret" (func $r (result i32))) (func (export "peek") (result i32) (call $r)))',
  );
  // A preview1 command that asks for random bytes: it needs wasi:random/random granted.
  random = await wasmFile(
    dir,
    'random',
    `(module
      (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $random (i32.const 0) (i32.const 8)))))`,
  );
});

/** The error line and the hint line, and nothing else (no stack trace). */
function errorLines(stderr: string): [string, string] {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[1]).toMatch(/^ {2}hint: /);
  return [lines[0]!, lines[1]!];
}

describe('keel run --log', () => {
  it('refuses a directory, a missing directory (never created) and an unwritable file, with exit 2', () => {
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const asDir = keel(['run', secret, '--invoke', 'peek', '--log', logDir], { cache });
    expect(asDir.status).toBe(2);
    expect(errorLines(asDir.stderr)[0]).toBe(
      `error[invalid-argument]: --log ${logDir} is a directory: name a file, e.g. --log run.jsonl`,
    );
    const nested = join(dir, 'no', 'such', 'run.jsonl');
    const missing = keel(['run', secret, '--invoke', 'peek', '--log', nested], { cache });
    expect(missing.status).toBe(2);
    expect(errorLines(missing.stderr)[0]).toContain('the directory');
    expect(existsSync(join(dir, 'no'))).toBe(false);
    // Opens, but every write fails (EIO): reported at the end, once.
    const readOnly = keel(['run', plain, '--invoke', 'zero', '--log', '/proc/version'], { cache });
    expect(readOnly.status).toBe(2);
    expect(readOnly.stdout).toBe('0\n');
    expect(errorLines(readOnly.stderr)[0]).toMatch(/^error\[invalid-argument\]: --log \/proc\/version /);
    expect(readOnly.stderr).not.toMatch(/node:| {4}at /);
  });
});

describe('keel run: advice that works', () => {
  it('says no provider serves an import (and how to proceed), not to grant it', () => {
    for (const extra of [[], ['--grant', 'wasi:cli/stdout']]) {
      const r = keel(['run', secret, '--invoke', 'peek', ...extra], { cache });
      expect(r.status).toBe(1);
      const [error, hint] = errorLines(r.stderr);
      expect(error).toBe(
        'error[capability-denied]: secret imports env.read_secret, which no capability provider serves',
      );
      expect(hint).toContain('--lazy-deny');
      expect(hint).not.toContain('--grant');
    }
  });

  it('names the --grant flag for an import that was not granted', () => {
    const r = keel(['run', hello, '--invoke', 'greet', '--args', '["x"]', '--json'], { cache });
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error.message).toBe(
      'hello imports keel:kernel/log@0.1.0, which was not granted',
    );
    const human = keel(['run', hello, '--invoke', 'greet', '--args', '["x"]'], { cache });
    expect(errorLines(human.stderr)[1]).toBe(
      '  hint: grant it if the module should have it: --grant keel:kernel/log',
    );
  });

  it('names the --grant flag for a preview1 function whose grant is missing; the library does not', async () => {
    const r = keel(['run', random], { cache });
    expect(r.status).toBe(1);
    const [error, hint] = errorLines(r.stderr);
    expect(error).toBe(
      'error[capability-denied]: random imports wasi_snapshot_preview1.random_get, which needs wasi:random/random, not granted',
    );
    expect(hint).toBe('  hint: grant it if the module should have it: --grant wasi:random/random');
    expect(keel(['run', random, '--grant', 'wasi:random/random'], { cache }).status).toBe(0);
    // The library's message is the same, with no command-line flag in it.
    const { Kernel, KeelError } = await import('../../host/index.js');
    const kernel = new Kernel({ cacheDir: false });
    try {
      const module = await kernel.load(readFileSync(random));
      const failure = await kernel.spawn(module).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(KeelError);
      expect((failure as Error).message).not.toContain('--');
      expect((failure as { details: unknown }).details).toMatchObject({
        interface: 'wasi:random/random',
        reason: 'not-granted',
      });
    } finally {
      await kernel.close();
    }
  });

  it('refuses a --grant that no provider serves, naming the closest interface', () => {
    const typo = keel(['run', hello, '--grant', 'keel:kernel/logg'], { cache });
    expect(typo.status).toBe(2);
    expect(errorLines(typo.stderr)[0]).toContain(
      '--grant keel:kernel/logg: no capability provider serves keel:kernel/logg (did you mean keel:kernel/log?)',
    );
    expect(keel(['run', hello, '--grant', 'wasi:nothing/*'], { cache }).status).toBe(2);
    expect(keel(['run', hello, '--grant', 'env.read_secret'], { cache }).status).toBe(2);
  });
});

describe('keel run: small ones', () => {
  it('refuses --args without --invoke, and hints at -- for extra positionals', () => {
    const args = keel(['run', hello, '--args', '[1]'], { cache });
    expect(args.status).toBe(2);
    expect(errorLines(args.stderr)[0]).toContain(
      '--args gives the arguments of an export called with --invoke',
    );
    const extra = keel(['run', hello, 'a', 'b'], { cache });
    expect(extra.status).toBe(2);
    expect(errorLines(extra.stderr)[0]).toContain(`put them after --: keel run ${hello} -- a b`);
  });

  it('says what a memory limit below one page means, and that a huge --fuel is too large', () => {
    const memory = keel(['run', 'guests/c/stdio/stdio.wasm', '--memory', '1'], { cache });
    expect(memory.status).toBe(1);
    expect(errorLines(memory.stderr)[0]).toContain(
      'memory limit of 1 byte, i.e. 0 pages of 64 KiB (0 bytes): limits count whole pages',
    );
    const fuel = keel(['run', hello, '--fuel', '99999999999999999999'], { cache });
    expect(fuel.status).toBe(2);
    expect(errorLines(fuel.stderr)[0]).toContain('--fuel 99999999999999999999 is too large');
  });
});
