import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type Sandbox, type SandboxPlacement } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { PLACEMENTS } from '../helpers/placements.js';
import { wat } from '../helpers/wat.js';

/**
 * A sandbox whose `run` calls a host function that kills it, then loops forever: the host
 * function returns, and the guest goes on into its endless loop unless the kill stops it.
 */
async function betrayedSandbox(placement: SandboxPlacement): Promise<Sandbox> {
  let victim: Sandbox | undefined;
  const assassin: CapabilityProvider = {
    name: 'assassin',
    interfaces: [],
    coreImports: ['env.betray'],
    link: () => ({ betray: () => victim?.terminate('killed by a host function') }),
  };
  const kernel = new Kernel({ placement, cacheDir: tempCacheDir(), providers: [assassin] });
  const module = await kernel.load(
    await wat(`(module (import "env" "betray" (func $betray))
      (func (export "run") (call $betray) (loop $forever (br $forever))))`),
  );
  victim = await kernel.spawn(module, { grants: ['env.betray'] });
  return victim;
}

describe.each(PLACEMENTS)('kill in the middle of a call (%s placement)', (placement) => {
  it('a guest killed from a host call stops at its next fuel check, even in an endless loop', async () => {
    const victim = await betrayedSandbox(placement);
    const started = performance.now();
    await expect(victim.invoke('run')).rejects.toMatchObject({ code: 'killed' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(victim.state).toBe('killed');
  });

  it('the same through the typed fast path (sandbox.fn)', async () => {
    const victim = await betrayedSandbox(placement);
    const run = victim.fn<() => void>('run');
    const started = performance.now();
    expect(() => run()).toThrow(expect.objectContaining({ code: 'killed' }));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(victim.state).toBe('killed');
  }, 20_000);

  it('the fast path refuses to re-enter a sandbox from its own host call', async () => {
    let reenter: (() => void) | undefined;
    const mirror: CapabilityProvider = {
      name: 'mirror',
      interfaces: [],
      coreImports: ['env.again'],
      link: () => ({ again: () => reenter?.() }),
    };
    const kernel = new Kernel({ placement, cacheDir: tempCacheDir(), providers: [mirror] });
    const module = await kernel.load(
      await wat(`(module (import "env" "again" (func $again))
        (func (export "run") (call $again)))`),
    );
    const sandbox = await kernel.spawn(module, { grants: ['env.again'] });
    const run = sandbox.fn<() => void>('run');
    let inner: unknown;
    reenter = () => {
      try {
        run();
      } catch (error) {
        inner = error;
      }
    };
    run();
    expect(inner).toMatchObject({ code: 'invalid-argument' });
    expect(sandbox.state).toBe('ready');
  });
});
