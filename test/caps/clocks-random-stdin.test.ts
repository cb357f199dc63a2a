/**
 * Clocks and randomness are real by default and replay exactly in deterministic mode; stdin
 * comes from the invocation's input, per sandbox.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { answer, commandGrants, guestBytes, runGuest, SHARED_CACHE } from './harness.js';

async function sample(options: ConstructorParameters<typeof Kernel>[0]): Promise<string[]> {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE, ...options });
  try {
    const result = await runGuest(kernel, 'fsprobe', ['now', 'random', '32', 'now', 'random', '8']);
    return result.lines;
  } finally {
    await kernel.close();
  }
}

it('replays clocks and randomness exactly in deterministic mode', async () => {
  const a = await sample({ deterministic: { seed: 7 } });
  const b = await sample({ deterministic: { seed: 7 } });
  expect(a).toEqual(b);
  expect(a[0]).toMatch(/^now: wall=17672256\d+ mono=\d+$/);
  const c = await sample({ deterministic: { seed: 8 } });
  expect(c.filter((l) => l.startsWith('random'))).not.toEqual(a.filter((l) => l.startsWith('random')));
});

it('uses real clocks and entropy by default', async () => {
  const a = await sample({});
  const b = await sample({});
  expect(a.filter((l) => l.startsWith('random'))).not.toEqual(b.filter((l) => l.startsWith('random')));
  const wall = Number(/wall=(\d+)/.exec(a[0]!)![1]) / 1e6;
  expect(Math.abs(wall - Date.now())).toBeLessThan(60_000);
});

it('reads stdin from the input given at spawn, separately per sandbox', async () => {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE });
  try {
    const one = await runGuest(kernel, 'fsprobe', ['stdin'], {
      stdin: new TextEncoder().encode('first line\nmore'),
    });
    const two = await runGuest(kernel, 'fsprobe', ['stdin'], { stdin: new TextEncoder().encode('other') });
    const none = await runGuest(kernel, 'fsprobe', ['stdin']);
    expect(answer(one, 'stdin')).toBe('15 first line');
    expect(answer(two, 'stdin')).toBe('5 other');
    expect(answer(none, 'stdin')).toBe('0 ');
  } finally {
    await kernel.close();
  }
});

it("an invocation's own stdin replaces the sandbox's for that invocation only", async () => {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE });
  try {
    const module = await kernel.load(guestBytes('fsprobe'), { name: 'fsprobe' });
    let stdout = '';
    const sandbox = await kernel.spawn(module, {
      grants: commandGrants(['stdin']),
      io: {
        stdin: new TextEncoder().encode('from spawn'),
        stdout: (c) => (stdout += new TextDecoder().decode(c)),
      },
    });
    await sandbox.invoke('wasi:cli/run#run', [], { stdin: 'from the invocation' });
    expect(stdout.trim()).toBe('stdin: 19 from the invocation');
    stdout = '';
    await sandbox.invoke('wasi:cli/run#run');
    expect(stdout.trim()).toBe('stdin: 10 from spawn');
    // A bad stdin is refused before the guest runs; the sandbox stays usable.
    expect(() => sandbox.invokeSync('wasi:cli/run#run', [], { stdin: 5 as never })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    expect(sandbox.state).toBe('ready');
  } finally {
    await kernel.close();
  }
});

it('moves virtual time with the fuel the guest burns and with explicit steps, never back', async () => {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE, deterministic: { seed: 1 } });
  try {
    const module = await kernel.load(guestBytes('fsprobe'), { name: 'fsprobe' });
    let stdout = '';
    const sandbox = await kernel.spawn(module, {
      grants: commandGrants(['now']),
      io: { stdout: (c) => (stdout += new TextDecoder().decode(c)) },
    });
    const mono = () => BigInt(/mono=(\d+)/.exec(stdout.trim().split('\n').at(-1)!)![1]!);
    await sandbox.invoke('wasi:cli/run#run');
    const first = mono();
    // The reading came after the program's start-up: its fuel, 1 ns a unit, is on the clock.
    expect(first).toBeGreaterThan(10_000n);
    // (Fuel since the spawn: the start-up, which grows memory at 1,500,000 a page, is on it too.)
    expect(first).toBeLessThanOrEqual(BigInt(sandbox.fuel().used));
    sandbox.advanceClock(5_000_000_000n);
    await sandbox.invoke('wasi:cli/run#run');
    expect(mono() - first).toBeGreaterThan(5_000_000_000n);
    expect(() => sandbox.advanceClock(-1)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => sandbox.advanceClock(2n ** 63n)).toThrow(/past/);
  } finally {
    await kernel.close();
  }
});

it('refuses to move real clocks', async () => {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE });
  try {
    const sandbox = await kernel.spawn(await kernel.load(guestBytes('fsprobe'), { name: 'fsprobe' }), {
      grants: commandGrants([]),
    });
    expect(() => sandbox.advanceClock(1)).toThrow(/needs deterministic mode/);
  } finally {
    await kernel.close();
  }
});
