/**
 * Attack: the nested components a component never instantiates are validated (their definitions
 * run once, their plan dropped), so an instantiation bomb (16 instantiations at each of 6 levels:
 * 16^6 component instances) defined and never instantiated would be planned in full by that
 * check. It is held to the plan's bounds (1,000 component instances, 250,000 definitions), a
 * definition is checked once however often the component holding it is instantiated, and a
 * bound reached ends only that check: the component, which never runs, loads in bounded time.
 */
import { expect, it } from 'vitest';
import { componentText, loadMs } from './support.js';

function bomb(width: number, levels: number): string {
  let inner = '(component (core module $m (func (export "f"))) (core instance (instantiate $m)))';
  for (let i = 0; i < levels; i++)
    inner = `(component ${inner}${' (instance (instantiate 0))'.repeat(width)})`;
  return inner;
}

it('uninstantiated bomb: a 16^6 instantiation bomb never instantiated loads in bounded time', async () => {
  const bytes = await componentText(`(component ${bomb(16, 6)} (component))`);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);

it('uninstantiated bomb: a child defined in a component instantiated 500 times is checked once', async () => {
  // Each of 500 instances defines the child anew; checked 500 times it would plan 500 x 3,000 core instances.
  const child = `(component (core module $m) ${'(core instance (instantiate $m)) '.repeat(3_000)})`;
  const parent = `(component ${child})`;
  const bytes = await componentText(`(component ${parent} ${'(instance (instantiate 0)) '.repeat(500)})`);
  expect(await loadMs(bytes)).toBeLessThan(5_000);
}, 30_000);
