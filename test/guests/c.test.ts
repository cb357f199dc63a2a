/**
 * A program built by another toolchain (guests/c/hello: Debian clang + wasi-libc, by
 * scripts/build-c-guests.ts), run as a command through the real kernel by both ABIs: the
 * component (wrapped with jco's preview1 command adapter, WASI 0.2) and the preview1 core module
 * (Keel's own preview1). Same grants, same results.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metadataShow } from '@bytecodealliance/jco-transpile/wasm-tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantInput, KeelError, Kernel, type ModuleHandle } from '../../host/index.js';
import { ABIS } from '../caps/harness.js';

const HELLO_C = {
  'wasi-0.2': new URL('../../guests/c/hello/hello.wasm', import.meta.url),
  preview1: new URL('../../guests/c/hello/hello.p1.wasm', import.meta.url),
};
const STDIO: GrantInput[] = ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit'];

describe.each(ABIS)('C command (clang + wasi-libc), through %s', (abi) => {
  let cacheDir: string;
  let kernel: Kernel;
  let module: ModuleHandle;

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'keel-c-'));
    kernel = new Kernel({ cacheDir });
    module = await kernel.load(HELLO_C[abi].pathname);
  });

  afterAll(async () => {
    await kernel.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  async function run(env: Record<string, string>, args: string[] = []) {
    const stdout: Uint8Array[] = [];
    const stderr: Uint8Array[] = [];
    const sandbox = await kernel.spawn(module, {
      grants: [...STDIO, { interface: 'wasi:cli/environment', scope: { env, args: ['hello', ...args] } }],
      io: { stdout: (c) => stdout.push(c), stderr: (c) => stderr.push(c) },
    });
    const outcome = await sandbox.invoke('wasi:cli/run#run');
    return {
      outcome,
      stdout: Buffer.concat(stdout).toString(),
      stderr: Buffer.concat(stderr).toString(),
    };
  }

  it('was produced by clang, not by Keel’s toolchain', async () => {
    const metadata = await metadataShow(new Uint8Array(readFileSync(HELLO_C[abi])));
    const producers = JSON.stringify(metadata.map((m) => m.producers));
    expect(producers).toContain('clang');
    expect(producers).toContain('C99');
  });

  it('is a command: a component exporting wasi:cli/run, or a preview1 module exporting _start', () => {
    expect(module.kind).toBe(abi === 'preview1' ? 'preview1' : 'component');
    expect(module.isCommand).toBe(true);
    expect(module.world.imports.map((i) => i.interface)).toContain(
      abi === 'preview1' ? 'wasi_snapshot_preview1.environ_get' : 'wasi:cli/environment',
    );
  });

  it('prints to stdout and stderr separately, seeing only the granted environment and arguments', async () => {
    const { outcome, stdout, stderr } = await run({ KEEL_WHO: 'Keel' }, ['one', 'two words']);
    expect(outcome.exit).toBeUndefined();
    expect(stdout).toBe('hello from C, Keel!\narg 1: one\narg 2: two words\n');
    expect(stderr).toBe('this line goes to stderr\n');
  });

  it('sees nothing of the host environment unless granted', async () => {
    process.env.KEEL_WHO = 'leaked from the host';
    try {
      const { stdout } = await run({});
      expect(stdout).toBe('hello from C, stranger!\n');
    } finally {
      delete process.env.KEEL_WHO;
    }
  });

  it('returns a non-zero exit status from main as an outcome', async () => {
    const { outcome, stdout } = await run({ KEEL_EXIT: '7' });
    // The adapter alone would report 1; the kernel keeps the guest's own status.
    expect(outcome.exit).toBe(7);
    expect(stdout).toBe('hello from C, stranger!\n');
  });

  it('cannot spawn without the environment granted', async () => {
    const error = await kernel.spawn(module, { grants: STDIO }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeelError);
    expect((error as KeelError).code).toBe('capability-denied');
    expect((error as KeelError).message).toContain('wasi:cli/environment');
  });
});
