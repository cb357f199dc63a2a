/**
 * Attack: a component of very many exported functions (2,000, 73 KB), to hold the kernel's
 * thread while it loads (with jco's transpiler: 1.5 ms per export).
 * Must: load in time linear in its size (or be refused by a limit), the host carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectLinearLoad } from './scaling.js';
import { launch } from './support.js';

it('many-exports: loads in bounded time, linear in the number of exports', async () => {
  const aftermath = await launch(ATTACKS['many-exports']);
  if (aftermath.thrown !== undefined) expect(aftermath.error?.code).toBe('invalid-module');
  expect(aftermath.ms).toBeLessThan(30_000);
  expect(aftermath.heapGrowthBytes).toBeLessThan(128 * 1024 * 1024);
  await expectLinearLoad(
    (n) => `(component
  (core module $m (func (export "f") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  ${Array.from({ length: n }, (_, i) => `(func (export "f${i}") (result u32) (canon lift (core func $i "f")))`).join('\n')})`,
    1_000,
  );
}, 300_000);
