/**
 * Attack: a component of very many type definitions (10,000 records, 89 KB), to hold the
 * kernel's thread while it loads (with jco's transpiler: 60 µs per type, 14 minutes for what
 * the module-size limit admits).
 * Must: load in time linear in its size (or be refused by a limit), the host carrying on.
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectLinearLoad } from './scaling.js';
import { launch } from './support.js';

it('many-types: loads in bounded time, linear in the number of types', async () => {
  const aftermath = await launch(ATTACKS['many-types']);
  if (aftermath.thrown !== undefined) expect(aftermath.error?.code).toBe('invalid-module');
  expect(aftermath.ms).toBeLessThan(30_000);
  expect(aftermath.heapGrowthBytes).toBeLessThan(128 * 1024 * 1024);
  await expectLinearLoad(
    (n) =>
      `(component ${Array.from({ length: n }, (_, i) => `(type (record (field "a${i}" u8)))`).join('\n')})`,
    5_000,
  );
}, 300_000);
