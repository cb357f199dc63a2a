/**
 * Attack: call a resource's method (`pollable.ready`) a million times in a loop. The linker's
 * gate charges a record's functions, but a resource's constructor, methods and static functions
 * are reached through the object: uncharged, each call costs the host far more time than the
 * few units of fuel of the guest's loop. Every host call is charged its call cost before the
 * provider runs, whatever kind of function it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { type Flood, flood } from './support.js';

const CALLS = 50_000;

describe.each(PLACEMENTS)('a resource method flood (%s)', (placement) => {
  let f: Flood;
  beforeAll(async () => {
    f = await flood({ placement });
  });
  afterAll(() => f.kernel.close());

  it('charges each call of the method its call cost', async () => {
    const sandbox = await f.kernel.spawn(f.module, { grants: ['wasi:cli/stdout'], denial: 'call' });
    const few = await sandbox.invoke('ready-many', [10]);
    const many = await sandbox.invoke('ready-many', [CALLS + 10]);
    expect(many.value).toBe(CALLS + 10);
    expect(many.fuel.used - few.fuel.used).toBeGreaterThanOrEqual(CALLS * DEFAULT_HOST_COSTS.call);
  });

  it('runs out of fuel on them, where the loop alone would not', async () => {
    // The guest's loop costs under 20 fuel a turn (14 measured): the budget is twice what its
    // turns cost; the calls' cost (`DEFAULT_HOST_COSTS.call` each) takes it past.
    const sandbox = await f.kernel.spawn(f.module, {
      grants: ['wasi:cli/stdout'],
      denial: 'call',
      limits: { fuel: 2 * CALLS * 20 },
    });
    await expect(sandbox.invoke('ready-many', [CALLS])).rejects.toMatchObject({ code: 'fuel-exhausted' });
  });
});
