/**
 * Attack: `import-type-confusion` through Keel's own WASI 0.2 providers. A component imports
 * `wasi:random/random@0.2.0#get-random-bytes` as `func(len: u64) -> u32` (WASI's type is
 * `-> list<u8>`). Keel's WASI providers declare WASI 0.2's WIT types (wit-types/wasi-*.wasm, built
 * from vendor/wasi-0.2), so the spawn is refused with `capability-denied` naming the import and both
 * types, before any guest code runs. (Before, the call reached the provider and ended as
 * `internal`, "returned a value that does not fit u32": the host's own error code, at the
 * guest's will.)
 */
import { expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { expectContained, launch } from './support.js';

it('a WASI function imported with another type: capability-denied at spawn, naming both types', async () => {
  const aftermath = await launch(ATTACKS['wasi-import-type-confusion']);
  expectContained(aftermath, 'capability-denied');
  const message = aftermath.error!.message;
  expect(message).toContain('wasi:random/random@0.2.0#get-random-bytes is imported as func(len: u64) -> u32');
  expect(message).toContain('the host serves func(len: u64) -> list<u8>');
  expect(aftermath.error!.details).toMatchObject({
    import: 'wasi:random/random@0.2.0',
    interface: 'wasi:random/random',
    reason: 'type-mismatch',
  });
});
