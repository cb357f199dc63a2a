import { describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { PREVIEW1_ENV_WAT, PREVIEW1_EXIT_WAT, tempCacheDir } from '../helpers/components.js';
import { PLACEMENTS, preview1For } from '../helpers/placements.js';
import { wat } from '../helpers/wat.js';

const STDIO = ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr'];

describe.each(PLACEMENTS)('sandboxes of one module stay apart (%s placement)', (placement) => {
  it('two sandboxes keep their stdout and environment apart', async () => {
    const kernel = new Kernel({ placement, preview1: preview1For(placement), cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(PREVIEW1_ENV_WAT), { name: 'env' });
    const outputs = { a: '', b: '' };
    const spawn = (who: 'a' | 'b', env: Record<string, string>) =>
      kernel.spawn(module, {
        grants: [...STDIO, { interface: 'wasi:cli/environment', scope: { env } }],
        io: { stdout: (chunk) => (outputs[who] += new TextDecoder().decode(chunk)) },
      });
    const a = await spawn('a', { WHO: 'alpha', ONLY_A: '1' });
    const b = await spawn('b', { WHO: 'beta' });
    await a.invoke('wasi:cli/run#run');
    await b.invoke('wasi:cli/run#run');
    expect(outputs.a).toBe('WHO=alpha\nONLY_A=1\n');
    expect(outputs.b).toBe('WHO=beta\n');
  });

  it('a guest sees none of the host environment unless it is passed', async () => {
    process.env.KEEL_TEST_HOST_SECRET = 'should-not-leak';
    const kernel = new Kernel({ placement, preview1: preview1For(placement), cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(PREVIEW1_ENV_WAT));
    let out = '';
    const sandbox = await kernel.spawn(module, {
      grants: [...STDIO, 'wasi:cli/environment'],
      io: { stdout: (chunk) => (out += new TextDecoder().decode(chunk)) },
    });
    await sandbox.invoke('wasi:cli/run#run');
    expect(out).toBe('');
  });

  it('a guest exit(3) is a result: the host process goes on and the sandbox has exited', async () => {
    const kernel = new Kernel({ placement, preview1: preview1For(placement), cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(PREVIEW1_EXIT_WAT));
    const sandbox = await kernel.spawn(module, { grants: [...STDIO, 'wasi:cli/exit'] });
    const outcome = await sandbox.invoke('wasi:cli/run#run');
    expect(outcome.exit).toBe(3);
    expect(sandbox.state).toBe('exited');
    expect(sandbox.exitCode).toBe(3);
    await expect(sandbox.invoke('wasi:cli/run#run')).rejects.toMatchObject({
      code: 'killed',
      message: expect.stringContaining('exited with status 3'),
    });
    // Still here: the exit ended the sandbox, not the process.
    expect(process.exitCode ?? 0).toBe(0);
    const other = await kernel.spawn(module, { grants: [...STDIO, 'wasi:cli/exit'] });
    expect((await other.invoke('wasi:cli/run#run')).exit).toBe(3);
  });

  it('caps stdout per sandbox and counts what was dropped', async () => {
    const kernel = new Kernel({ placement, preview1: preview1For(placement), cacheDir: tempCacheDir() });
    const module = await kernel.load(await wat(PREVIEW1_ENV_WAT));
    let out = '';
    const dropped: unknown[] = [];
    kernel.on('guest:stdout', (e) => {
      if (e.status === 'dropped') dropped.push(e.data);
    });
    const sandbox = await kernel.spawn(module, {
      grants: [...STDIO, { interface: 'wasi:cli/environment', scope: { env: { LONG: 'x'.repeat(100) } } }],
      limits: { outputBytes: 10 },
      io: { stdout: (chunk) => (out += new TextDecoder().decode(chunk)) },
    });
    await sandbox.invoke('wasi:cli/run#run');
    expect(out).toBe('LONG=xxxxx');
    expect(dropped).toEqual([{ dropped: true, limit: 10 }]);
  });
});
