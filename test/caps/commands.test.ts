/**
 * Acceptance: real programs built by another toolchain (Debian clang + wasi-libc) run unchanged
 * through the Kernel, by both ABIs: as components (wrapped with jco's preview1 command adapter,
 * WASI 0.2) and as preview1 core modules (Keel's own preview1). Same grants, same results.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirFlags, parseEnvFlags } from '../../host/index.js';
import { ABIS, fsGrant, guestBytes, runGuest, type World, world } from './harness.js';

describe.each(ABIS)('a command built with clang + wasi-libc, through %s', (abi) => {
  let w: World;
  beforeAll(async () => {
    w = await world({ abi });
  });
  afterAll(async () => {
    await w.close();
  });

  it('prints to stdout and stderr, captured per sandbox and emitted as events', async () => {
    const result = await runGuest(w.kernel, 'stdio', []);
    expect(result.stdout).toBe('hello from C\n');
    expect(result.stderr).toBe('a warning from C\n');
    expect(result.exit).toBeUndefined();
    const texts = (name: string) =>
      w.events
        .filter((e) => e.event === name)
        .map((e) => (e.data as { text?: string }).text)
        .join('');
    expect(texts('guest:stdout')).toBe('hello from C\n');
    expect(texts('guest:stderr')).toBe('a warning from C\n');
  });

  it('lists only the environment it was granted, never the host environment', async () => {
    process.env.KEEL_TEST_HOST_ONLY = 'must-not-leak';
    process.env.KEEL_TEST_PASSED = 'passed-through';
    const grant = parseEnvFlags(['MODE=fast', 'KEEL_TEST_PASSED', 'KEEL_TEST_UNSET'], process.env, {
      args: ['env', 'one', 'two'],
    });
    const module = await w.kernel.load(guestBytes('env', abi));
    let out = '';
    const sandbox = await w.kernel.spawn(module, {
      grants: ['wasi:cli/*', 'wasi:clocks/*', 'wasi:random/*', grant],
      io: { stdout: (b) => (out += new TextDecoder().decode(b)) },
    });
    await sandbox.invoke('wasi:cli/run#run');
    expect(out.split('\n').filter(Boolean)).toEqual([
      'arg env',
      'arg one',
      'arg two',
      'env MODE=fast',
      'env KEEL_TEST_PASSED=passed-through',
    ]);
    expect(out).not.toContain('must-not-leak');
  });

  it('reads and writes files inside a host directory grant (--dir HOST::/data)', async () => {
    const result = await runGuest(w.kernel, 'files', [], { grants: [parseDirFlags([`${w.grant}::/data`])] });
    expect(result.stderr).toBe('');
    expect(result.lines).toEqual(
      expect.arrayContaining(['wrote 12 bytes', 'entry input.txt', 'entry out', 'entry log.txt']),
    );
    expect(readFileSync(join(w.grant, 'out', 'output.txt'), 'utf8')).toBe('HELLO INPUT\n');
    expect(readFileSync(join(w.grant, 'log.txt'), 'utf8')).toBe('processed 12 bytes\n');
  });

  it('reads and writes files in an in-memory directory, the embedded default', async () => {
    // The guest expects /data/input.txt: write it first through the same in-memory preopen.
    const grants = [fsGrant({ preopens: [{ guest: '/data' }] })];
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        'write',
        '/data/input.txt',
        'in memory',
        'mkdir',
        '/data/out',
        'append',
        '/data/out/log',
        'a',
        'append',
        '/data/out/log',
        'b',
        'read',
        '/data/out/log',
        'read',
        '/data/input.txt',
        'ls',
        '/data',
        'stat',
        '/data/out/log',
      ],
      { grants },
    );
    expect(result.lines).toEqual([
      'write /data/input.txt: ok 9',
      'mkdir /data/out: ok',
      'append /data/out/log: ok 1',
      'append /data/out/log: ok 1',
      'read /data/out/log: ok ab',
      'read /data/input.txt: ok in memory',
      'ls /data: ok input.txt,out,',
      'stat /data/out/log: ok file 2 nlink=1',
    ]);
  });

  it('gives a sandbox without a filesystem grant no preopens at all', async () => {
    const result = await runGuest(w.kernel, 'fsprobe', ['read', '/data/input.txt', 'ls', '/']);
    expect(result.lines).toEqual(['read /data/input.txt: err ENOTCAPABLE', 'ls /: err ENOTCAPABLE']);
  });

  it('honours a read-only --dir HOST::GUEST:ro grant for reading', async () => {
    const result = await runGuest(w.kernel, 'fsprobe', ['read', '/ro/input.txt', 'ls', '/ro'], {
      grants: [parseDirFlags([`${w.grant}::/ro:ro`])],
    });
    expect(result.lines[0]).toBe('read /ro/input.txt: ok hello input ');
    expect(result.lines[1]).toMatch(/^ls \/ro: ok .*input\.txt/);
  });
});
