import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type Sandbox } from '../../host/index.js';
import { tempCacheDir } from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

describe('kill in the middle of a call', () => {
  it('a guest killed from a host call stops at its next fuel check, even in an endless loop', async () => {
    let victim: Sandbox | undefined;
    // The host function kills its caller, then returns: the guest goes on into an endless loop.
    const assassin: CapabilityProvider = {
      name: 'assassin',
      interfaces: [],
      coreImports: ['env.betray'],
      link: () => ({ betray: () => victim?.terminate('killed by a host function') }),
    };
    const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [assassin] });
    const module = await kernel.load(
      await wat(`(module (import "env" "betray" (func $betray))
        (func (export "run") (call $betray) (loop $forever (br $forever))))`),
    );
    victim = await kernel.spawn(module, { grants: ['env.betray'] });
    const started = performance.now();
    await expect(victim.invoke('run')).rejects.toMatchObject({ code: 'killed' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(victim.state).toBe('killed');
  });
});
