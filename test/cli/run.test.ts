import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  componentFromWat,
  PREVIEW1_ENV_WAT,
  PREVIEW1_HELLO_WAT,
  preview1Component,
  tempCacheDir,
} from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

const BIN = fileURLToPath(new URL('../../bin/keel.js', import.meta.url));
const dir = tempCacheDir();
const cache = join(dir, 'cache');

function keel(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(
    process.execPath,
    [BIN, ...args, ...(args.includes('--help') ? [] : ['--cache-dir', cache])],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...env },
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lastJson(stdout: string) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

const files: Record<string, string> = {};

beforeAll(async () => {
  const write = async (name: string, bytes: Uint8Array | Promise<Uint8Array>) => {
    files[name] = join(dir, `${name}.wasm`);
    writeFileSync(files[name], await bytes);
  };
  await write(
    'core',
    wat(`(module
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "half") (param f64) (result f64) (f64.div (local.get 0) (f64.const 2)))
      (func (export "big") (result i64) (i64.const 9007199254740993))
      (func (export "boom") unreachable)
      (func (export "divide") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))`),
  );
  await write(
    'secret',
    wat(
      '(module (import "env" "read_secret" (func $r (result i32))) (func (export "peek") (result i32) (call $r)))',
    ),
  );
  await write('preview1', wat(PREVIEW1_HELLO_WAT));
  await write('env', wat(PREVIEW1_ENV_WAT));
  await write('component', preview1Component(PREVIEW1_HELLO_WAT));
  // A command whose run returns err without calling exit.
  await write(
    'run-err',
    componentFromWat(
      '(module (func (export "wasi:cli/run@0.2.0#run") (result i32) (i32.const 1)))',
      'package wasi:cli@0.2.0;\ninterface run { run: func() -> result; }\nworld command { export run; }',
      'command',
    ),
  );
  writeFileSync(join(dir, 'garbage.wasm'), 'definitely not wasm');
  files.garbage = join(dir, 'garbage.wasm');
});

describe('keel run', () => {
  it('a command whose run returns err exits with status 1', () => {
    const r = keel(['run', files['run-err']!, '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, value: { tag: 'err' }, exit: 1 });
    expect(keel(['run', files['run-err']!]).stderr).toContain('guest exited with status 1');
  });

  it('calls a plain core module export with numeric arguments', () => {
    const r = keel(['run', files.core!, '--invoke', 'add', '--args', '[2, 40]']);
    expect(r).toMatchObject({ status: 0, stdout: '42\n' });
  });

  it('prints one JSON object as the last stdout line with --json', () => {
    const r = keel(['run', files.core!, '--invoke', 'half', '--args', '[5]', '--json']);
    expect(r.status).toBe(0);
    expect(lastJson(r.stdout)).toEqual({
      ok: true,
      value: 2.5,
      fuel: { used: expect.any(Number), limit: expect.any(Number) },
    });
  });

  it('renders an i64 that does not fit a double as a string', () => {
    const r = keel(['run', files.core!, '--invoke', 'big', '--json']);
    expect(lastJson(r.stdout).value).toBe('9007199254740993');
  });

  it('runs a WASI preview1 command against Keel’s own preview1, with the terminal stdio', () => {
    const r = keel(['run', files.preview1!]);
    expect(r).toMatchObject({ status: 0, stdout: 'hello\n' });
  });

  it('runs a wasi:cli/run component', () => {
    const r = keel(['run', files.component!, '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^hello\n/);
    // run returns result: tagged, as every WIT result is in --json.
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, value: { tag: 'ok' } });
  });

  it('gives the guest only the variables passed with --env', () => {
    const r = keel(
      ['run', files.env!, '--env', 'GREETING=hi', '--env', 'KEEL_PASSED', '--env', 'KEEL_UNSET'],
      {
        KEEL_PASSED: 'through',
        KEEL_NOT_PASSED: 'secret',
      },
    );
    expect(r).toMatchObject({ status: 0, stdout: 'GREETING=hi\nKEEL_PASSED=through\n' });
  });

  it('exits 2 with invalid-module on malformed bytes', () => {
    const r = keel(['run', files.garbage!, '--json']);
    expect(r.status).toBe(2);
    expect(lastJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'invalid-module' } });
  });

  it('exits 1 with capability-denied naming an ungranted import', () => {
    const r = keel(['run', files.secret!, '--invoke', 'peek', '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error).toMatchObject({
      code: 'capability-denied',
      message: expect.stringContaining('env.read_secret'),
    });
  });

  it('exits 1 with trap and V8 reason on unreachable', () => {
    const r = keel(['run', files.core!, '--invoke', 'boom']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[trap\]: .*unreachable/);
  });

  it('exits 1 with trap and V8 reason on division by zero', () => {
    const r = keel(['run', files.core!, '--invoke', 'divide', '--args', '[1, 0]', '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error).toMatchObject({
      code: 'trap',
      message: expect.stringContaining('divide by zero'),
    });
  });

  it('exits 2 on an unknown flag, a bad --args or a missing file', () => {
    expect(keel(['run', files.core!, '--frobnicate']).status).toBe(2);
    expect(keel(['run', files.core!, '--invoke', 'add', '--args', '{"a":1}']).status).toBe(2);
    expect(keel(['run', join(dir, 'missing.wasm')]).status).toBe(2);
    expect(keel(['run', files.core!, '--memory', 'lots']).stderr).toMatch(/invalid size "lots"/);
  });

  it('writes the JSONL log with --log', () => {
    const log = join(dir, 'run.jsonl');
    expect(keel(['run', files.core!, '--invoke', 'add', '--args', '[1,1]', '--log', log]).status).toBe(0);
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(
      expect.arrayContaining(['kernel:start', 'module:load', 'sandbox:spawn', 'invoke:end', 'kernel:stop']),
    );
  });
});

describe('keel inspect and help', () => {
  it('shows kind, exports and needs as JSON', () => {
    const r = keel(['inspect', files.secret!, '--json']);
    expect(r.status).toBe(0);
    const info = lastJson(r.stdout);
    expect(info).toMatchObject({ kind: 'core', command: false });
    expect(info.needs).toEqual([
      { import: 'env.read_secret', interface: 'env.read_secret', status: 'unavailable' },
    ]);
  });

  it('shows a preview1 command and what it needs granted', () => {
    const r = keel(['inspect', files.preview1!]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('WASI preview1 command module');
    // Descriptor functions need no grant: fd 1 exists only when stdout is granted.
    expect(r.stdout).toMatch(/wasi_snapshot_preview1\.fd_write {2}linked without a grant/);
    // keel run grants stdio by default: inspect does not ask for a --grant it would never need.
    const component = keel(['inspect', files.component!]);
    expect(component.stdout).toMatch(/wasi:cli\/stdout@0\.2\.\d+ {2}granted by keel run/);
    expect(component.stdout).not.toContain('needs --grant wasi:cli/stdout');
  });

  it('has --help for every command', () => {
    for (const command of [[], ['run'], ['inspect'], ['demo']]) {
      const r = keel([...command, '--help']);
      expect(r.status, command.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: keel/);
    }
    expect(keel(['nope']).status).toBe(2);
  });
});

describe('keel run on the committed guests', () => {
  it('runs the AssemblyScript hello guest: string in, string out', () => {
    const r = keel([
      'run',
      'guests/as/hello/hello.wasm',
      '--grant',
      'keel:kernel/log',
      '--invoke',
      'greet',
      '--args',
      '["Keel"]',
    ]);
    expect(r).toMatchObject({ status: 0, stdout: 'Hello, Keel!\n' });
  });

  it('passes JSON lists to list<s32> parameters', () => {
    const r = keel([
      'run',
      'guests/as/hello/hello.wasm',
      '--grant',
      'keel:kernel/log',
      '--invoke',
      'sum',
      '--args',
      '[[1,2,3]]',
      '--json',
    ]);
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, value: 6 });
  });

  it('runs a wasi-libc command built by clang, with its arguments and exit status (passed through)', () => {
    const r = keel(['run', 'guests/c/hello/hello.wasm', '--env', 'KEEL_EXIT=7', '--json', '--', 'one']);
    expect(r.status).toBe(7);
    expect(r.stdout).toContain('arg 1: one');
    expect(lastJson(r.stdout)).toMatchObject({ ok: true, exit: 7 });
  });
});

describe('keel run limits', () => {
  it('--fuel ends an infinite loop with exit 1 and fuel-exhausted, reporting the fuel', async () => {
    const loop = join(dir, 'loop.wasm');
    writeFileSync(loop, await wat('(module (func (export "spin") (loop $l (br $l))))'));
    const r = keel(['run', loop, '--invoke', 'spin', '--fuel', '1000000', '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout)).toEqual({
      ok: false,
      error: { code: 'fuel-exhausted', message: expect.any(String) },
      fuel: { used: 1_000_000, limit: 1_000_000 },
    });
  });

  it('--timeout ends an endless loop on a fuel budget too large to end it, with exit 1 and timeout', async () => {
    const loop = join(dir, 'loop-timeout.wasm');
    writeFileSync(loop, await wat('(module (func (export "spin") (loop $l (br $l))))'));
    const started = Date.now();
    const r = keel([
      'run',
      loop,
      '--invoke',
      'spin',
      '--fuel',
      '9007199254740991',
      '--timeout',
      '500ms',
      '--json',
    ]);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error).toMatchObject({ code: 'timeout' });
    expect(lastJson(r.stdout).error.message).toContain('500 ms');
    expect(Date.now() - started).toBeLessThan(30_000);
    const bad = keel(['run', loop, '--invoke', 'spin', '--timeout', 'soon']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--timeout');
  });

  it('--memory refuses a guest whose memory starts above it, with memory-limit', async () => {
    const big = join(dir, 'big-memory.wasm');
    writeFileSync(big, await wat('(module (memory 32) (func (export "f")))'));
    const r = keel(['run', big, '--invoke', 'f', '--memory', '1MiB', '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error.code).toBe('memory-limit');
    expect(keel(['run', big, '--invoke', 'f', '--memory', '2MiB']).status).toBe(0);
  });

  it('--memories bounds how many linear memories the guest may have, with memory-limit', async () => {
    const one = join(dir, 'one-memory.wasm');
    writeFileSync(one, await wat('(module (memory 1) (func (export "f")))'));
    const r = keel(['run', one, '--invoke', 'f', '--memories', '0', '--json']);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).error.code).toBe('memory-limit');
    expect(lastJson(r.stdout).error.message).toContain('limit of 0 (limits.memories)');
    expect(keel(['run', one, '--invoke', 'f', '--memories', '0']).stderr).toContain('--memories');
    expect(keel(['run', one, '--invoke', 'f', '--memories', '1']).status).toBe(0);
  });

  it('--memory caps memory.grow: the guest sees -1', async () => {
    const grow = join(dir, 'grow.wasm');
    writeFileSync(
      grow,
      await wat(
        '(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))',
      ),
    );
    expect(
      lastJson(keel(['run', grow, '--invoke', 'grow', '--args', '[15]', '--memory', '1MiB', '--json']).stdout)
        .value,
    ).toBe(1);
    expect(
      lastJson(keel(['run', grow, '--invoke', 'grow', '--args', '[16]', '--memory', '1MiB', '--json']).stdout)
        .value,
    ).toBe(-1);
  });
});
