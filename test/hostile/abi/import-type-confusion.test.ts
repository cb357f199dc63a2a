/**
 * Attack: a component imports a granted interface's function with a type of its own choosing
 * (`keel:hostile/blobs#make` as `func(n: u32) -> u32`; the provider makes a blob resource). The
 * provider declares its WIT types (`CapabilityProvider.wit`), so the spawn is refused with
 * `capability-denied` naming the import, the function and both types, before any guest code
 * runs. (Before, the call reached the provider and ended as `internal`: an error code of the
 * host's own that a guest could raise at will.)
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('a granted function imported with another type: capability-denied at spawn, naming both types', async () => {
  const aftermath = await launch(ATTACKS['import-type-confusion']);
  expectContained(aftermath, 'capability-denied');
  const message = aftermath.error!.message;
  expect(message).toContain('keel:hostile/blobs#make');
  expect(message).toContain('func(n: u32) -> u32');
  expect(message).toContain('func(n: u32) -> blob');
  expect(aftermath.error!.details).toMatchObject({ import: 'keel:hostile/blobs', reason: 'type-mismatch' });
});
