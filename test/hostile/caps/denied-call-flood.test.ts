/**
 * Attack: with lazy denial, call an ungranted import (`create-tcp-socket`) a hundred thousand
 * times in a loop, hoping that refused calls cost nothing: a provider's stand-in answers each
 * with WASI `access-denied`, and the guest carries on. A refused call is charged as a granted
 * one (the gate's call cost, before the stand-in runs), and its events stay bounded.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_HOST_COSTS } from '../../../host/caps/provider.js';
import type { ModuleHandle } from '../../../host/index.js';
import { type World, world } from '../../caps/harness.js';
import { componentFromWat } from '../../helpers/components.js';

const CALLS = 100_000;

let w: World;
let module: ModuleHandle;
beforeAll(async () => {
  w = await world();
  const dir = new URL('../../../guests/wat/hostile/caps/', import.meta.url);
  const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
  const component = await componentFromWat(
    read('denied-flood.wat'),
    read('denied-flood.wit'),
    'denied-flood',
  );
  module = await w.kernel.load(component, { name: 'denied-flood' });
});
afterAll(() => w.close());

it('charges each refused call its call cost, with bounded events', async () => {
  const sandbox = await w.kernel.spawn(module, { denial: 'call' });
  const outcome = await sandbox.invoke('flood', [CALLS]);
  expect(outcome.value).toBe(CALLS);
  expect(outcome.fuel.used).toBeGreaterThanOrEqual(CALLS * DEFAULT_HOST_COSTS.call);
  const denials = w.events.filter(
    (e) => e.sandbox === sandbox.id && e.event === 'capability:denied' && e.data?.at === 'call',
  );
  expect(denials.length).toBeGreaterThan(0);
  expect(denials.length).toBeLessThanOrEqual(64);
});

it('runs out of fuel on them, where the loop alone would not', async () => {
  // The loop costs well under 50 fuel a turn; the budget is that, and the calls' cost takes it past.
  const sandbox = await w.kernel.spawn(module, { denial: 'call', limits: { fuel: CALLS * 50 } });
  await expect(sandbox.invoke('flood', [CALLS])).rejects.toMatchObject({ code: 'fuel-exhausted' });
});
