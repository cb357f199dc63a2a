/**
 * The WAT guests (guests/wat/*.wat), compiled with the wabt npm package and run through the
 * real kernel: plain core exports, traps with V8's reasons, stack overflow, memory growth,
 * an ungranted import, and WASI preview1 commands run against Keel's own preview1 imports.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapabilityProvider, KeelError, Kernel } from '../../host/index.js';
import { watFile } from '../helpers/wat.js';

/** Every top-level WAT guest and the test below that claims it. */
const CLAIMED = [
  'add.wat',
  'grow.wat',
  'loop.wat',
  'preview1-exit.wat',
  'preview1-hello.wat',
  'recursion.wat',
  'trap.wat',
  'ungranted.wat',
];

/** The terminal's stdio and exit, as the CLI grants them. */
const PREVIEW1_STDIO = ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit'];

let cacheDir: string;
let kernel: Kernel;

async function load(name: string) {
  return kernel.load(await watFile(`guests/wat/${name}`), { name: name.replace(/\.wat$/, '') });
}

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeelError);
  return error as KeelError;
}

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'keel-wat-'));
  kernel = new Kernel({ cacheDir });
});

afterAll(async () => {
  await kernel.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('WAT guests', () => {
  it('are all claimed by a test here (no guest is left unused)', () => {
    const present = readdirSync(new URL('../../guests/wat/', import.meta.url)).filter((f) =>
      f.endsWith('.wat'),
    );
    expect(present.sort()).toEqual(CLAIMED);
  });

  describe('add.wat', () => {
    it('is a plain core module that needs no grant', async () => {
      const module = await load('add.wat');
      expect(module.kind).toBe('core');
      expect(module.world.imports).toEqual([]);
      expect(module.world.exports.find((e) => e.name === 'add')?.signature).toBe('(i32, i32) -> i32');
    });

    it('adds i32, i64 and f64 numbers', async () => {
      const sandbox = await kernel.spawn(await load('add.wat'));
      expect((await sandbox.invoke('add', [2, 3])).value).toBe(5);
      expect(await sandbox.call('add', 2_147_483_647, 1)).toBe(-2_147_483_648);
      expect(await sandbox.call('add_i64', 2, 3)).toBe(5);
      expect(await sandbox.call('add_i64', '9007199254740993', '1')).toBe('9007199254740994');
      expect(await sandbox.call('add_i64', 9_223_372_036_854_775_807n, 1n)).toBe('-9223372036854775808');
      expect(await sandbox.call('mul_f64', 1.5, 4)).toBe(6);
    });

    it('has a typed fast path', async () => {
      const sandbox = await kernel.spawn(await load('add.wat'));
      const add = sandbox.fn<(a: number, b: number) => number>('add');
      const add64 = sandbox.fn<(a: bigint, b: bigint) => bigint>('add_i64');
      expect(add(40, 2)).toBe(42);
      expect(add64(1n << 40n, 1n)).toBe((1n << 40n) + 1n);
    });

    it('refuses arguments of the wrong count or type with invalid-argument', async () => {
      const sandbox = await kernel.spawn(await load('add.wat'));
      expect((await failure(sandbox.invoke('add', [1]))).code).toBe('invalid-argument');
      expect((await failure(sandbox.invoke('add_i64', [1.5, 1]))).code).toBe('invalid-argument');
      expect(await sandbox.call('add', 1, 1)).toBe(2);
    });
  });

  describe('trap.wat', () => {
    it('unreachable gives trap with V8’s reason and poisons the sandbox', async () => {
      const sandbox = await kernel.spawn(await load('trap.wat'));
      const error = await failure(sandbox.invoke('unreachable'));
      expect(error.code).toBe('trap');
      expect(error.details).toMatchObject({ reason: 'unreachable' });
      expect(error.message).toContain('unreachable');
      expect(sandbox.state).toBe('poisoned');
      expect((await failure(sandbox.invoke('div', [1, 1]))).code).toBe('killed');
    });

    it('integer division by zero gives trap "divide by zero"', async () => {
      const sandbox = await kernel.spawn(await load('trap.wat'));
      const error = await failure(sandbox.invoke('div', [7, 0]));
      expect(error.code).toBe('trap');
      expect(error.details).toMatchObject({ reason: 'divide by zero' });
    });

    it('INT32_MIN / -1 and an out-of-bounds load trap with their own reasons', async () => {
      const overflow = await failure((await kernel.spawn(await load('trap.wat'))).invoke('overflow'));
      expect(overflow.details).toMatchObject({ reason: 'divide result unrepresentable' });
      const oob = await failure((await kernel.spawn(await load('trap.wat'))).invoke('out_of_bounds'));
      expect(oob.details).toMatchObject({ reason: 'memory access out of bounds' });
    });

    it('divides normally when nothing is wrong', async () => {
      const sandbox = await kernel.spawn(await load('trap.wat'));
      expect(await sandbox.call('div', 7, 2)).toBe(3);
    });
  });

  describe('recursion.wat', () => {
    it('unbounded recursion gives stack-overflow and the kernel carries on', async () => {
      const module = await load('recursion.wat');
      const error = await failure((await kernel.spawn(module)).invoke('recurse', [0]));
      expect(error.code).toBe('stack-overflow');
      const other = await kernel.spawn(await load('add.wat'));
      expect(await other.call('add', 1, 2)).toBe(3);
    });
  });

  describe('grow.wat', () => {
    it('grows memory within the bounded exports (the bomb is for the memory-limit tests)', async () => {
      const sandbox = await kernel.spawn(await load('grow.wat'));
      expect(await sandbox.call('size')).toBe(1);
      expect(await sandbox.call('grow', 3)).toBe(1);
      expect(await sandbox.call('size')).toBe(4);
      expect(sandbox.module.world.exports.map((e) => e.name)).toContain('bomb');
    });
  });

  describe('loop.wat', () => {
    it('loads and spawns; its bounded loop returns (the infinite one is for the fuel tests)', async () => {
      const sandbox = await kernel.spawn(await load('loop.wat'));
      expect(await sandbox.call('count', 1_000)).toBe(1_000);
      expect(sandbox.module.world.exports.map((e) => e.name)).toContain('spin');
    });
  });

  describe('ungranted.wat', () => {
    it('fails the spawn with capability-denied naming env.read_secret', async () => {
      const error = await failure(kernel.spawn(await load('ungranted.wat')));
      expect(error.code).toBe('capability-denied');
      expect(error.message).toContain('env.read_secret');
      expect(error.details).toMatchObject({ import: 'env.read_secret' });
    });

    it('with lazy denial, spawns and fails the call instead', async () => {
      const sandbox = await kernel.spawn(await load('ungranted.wat'), { denial: 'call' });
      const error = await failure(sandbox.invoke('steal'));
      expect(error.code).toBe('capability-denied');
      expect(error.message).toContain('env.read_secret');
    });

    it('a grant alone is not enough: some provider must serve the import', async () => {
      const error = await failure(kernel.spawn(await load('ungranted.wat'), { grants: ['env.read_secret'] }));
      expect(error.code).toBe('capability-denied');
      expect(error.message).toBe('ungranted imports env.read_secret, which no capability provider serves');
      expect(error.details).toMatchObject({ reason: 'no-provider' });
    });

    it('runs once an embedder provides and grants env.read_secret', async () => {
      const secrets: CapabilityProvider = {
        name: 'secrets',
        interfaces: [],
        coreImports: ['env.read_secret'],
        link: () => ({ read_secret: () => 42 }),
      };
      const own = new Kernel({ cacheDir: false, providers: [secrets] });
      try {
        const module = await own.load(await watFile('guests/wat/ungranted.wat'));
        const sandbox = await own.spawn(module, { grants: ['env.read_secret'] });
        expect(await sandbox.call('steal')).toBe(42);
      } finally {
        await own.close();
      }
    });
  });

  describe('preview1-hello.wat', () => {
    it('is a command and prints hello through io.stdout and a guest:stdout event', async () => {
      const module = await load('preview1-hello.wat');
      expect(module.kind).toBe('preview1');
      expect(module.preview1).toBe('command');
      expect(module.preview1Abi).toBe('keel');
      expect(module.isCommand).toBe(true);
      const chunks: Uint8Array[] = [];
      const events: unknown[] = [];
      const off = kernel.on('guest:stdout', (event) => {
        events.push(event.data?.text);
      });
      try {
        const sandbox = await kernel.spawn(module, {
          grants: PREVIEW1_STDIO,
          io: { stdout: (chunk) => chunks.push(chunk) },
        });
        const outcome = await sandbox.invoke('wasi:cli/run#run');
        expect(outcome.exit).toBeUndefined();
        expect(Buffer.concat(chunks).toString()).toBe('hello\n');
        expect(events).toEqual(['hello\n']);
      } finally {
        off();
      }
    });

    // fd_write is authority-free: the descriptor is the capability. Without wasi:cli/stdout
    // there is no fd 1, fd_write answers EBADF, and this guest traps on it.
    it('has no fd 1 without stdout granted: its write fails, nothing is printed', async () => {
      const chunks: Uint8Array[] = [];
      const sandbox = await kernel.spawn(await load('preview1-hello.wat'), {
        grants: ['wasi:cli/stdin', 'wasi:cli/stderr'],
        io: { stdout: (chunk) => chunks.push(chunk) },
      });
      const error = await failure(sandbox.invoke('_start'));
      expect(error.code).toBe('trap');
      expect(chunks).toEqual([]);
    });
  });

  describe('preview1-exit.wat', () => {
    it('exits with a non-zero status as an outcome, never ending the host', async () => {
      const exitCode = process.exitCode;
      const sandbox = await kernel.spawn(await load('preview1-exit.wat'), { grants: PREVIEW1_STDIO });
      const outcome = await sandbox.invoke('wasi:cli/run#run');
      expect(outcome.exit).toBeGreaterThan(0);
      expect(sandbox.state).toBe('exited');
      expect(process.exitCode).toBe(exitCode);
      expect((await failure(sandbox.invoke('wasi:cli/run#run'))).code).toBe('killed');
    });

    // jco 1.12's preview1 adapter turns proc_exit(n) into wasi:cli/exit.exit(err) for every
    // n != 0; the kernel wires proc_exit to the sandbox's exit so that the status survives.
    it('keeps the preview1 exit status (3)', async () => {
      const sandbox = await kernel.spawn(await load('preview1-exit.wat'), { grants: PREVIEW1_STDIO });
      expect((await sandbox.invoke('wasi:cli/run#run')).exit).toBe(3);
    });
  });
});
