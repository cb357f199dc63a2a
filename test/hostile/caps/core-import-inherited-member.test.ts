/**
 * Attack: a provider serves a whole core module (`env.*`) and the sandbox is granted it; the
 * guest imports `env.toString`, `env.constructor`, `env.hasOwnProperty` — names the provider's
 * record never defined but inherits from Object.prototype. The kernel took `record[name]`, so
 * the guest linked and called the host's built-ins (`constructor` is `Object`, whose call with
 * a guest value boxes it into a host object) with arguments of its choosing. Only what the
 * provider linked under that name is linked: the others are not served (`capability-denied`,
 * at spawn, naming the import), never a member of every object, never `internal`.
 */
import { expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const whole: CapabilityProvider = {
  name: 'whole-env',
  interfaces: [],
  coreImports: ['env.*'],
  link: () => ({ tick: () => 1 }),
};

const guest = (name: string) => `(module
  (import "env" "tick" (func $tick (result i32)))
  (import "env" "${name}" (func $inherited (param i32) (result i32)))
  (func (export "tick") (result i32) (call $tick))
  (func (export "inherited") (result i32) (call $inherited (i32.const 7))))`;

it('core import of an inherited member: not served, typed, and what the provider defines still links', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), providers: [whole] });
  try {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const module = await kernel.load(await wat(guest(name)), { name: `inherits-${name}` });
      const failure = await kernel.spawn(module, { grants: ['env.*'] }).then(
        (sandbox) => ({ linked: sandbox.fn('inherited')() }),
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(failure, name).toMatchObject({ code: 'capability-denied' });
      expect((failure as { message: string }).message).toContain(`env.${name}`);
    }
    const served = await kernel.load(await wat(guest('tick')), { name: 'served' });
    expect((await kernel.spawn(served, { grants: ['env.*'] })).fn('tick')()).toBe(1);
  } finally {
    await kernel.close();
  }
});
