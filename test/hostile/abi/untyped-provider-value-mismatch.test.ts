/**
 * Attack: a granted provider that declares no WIT types (`CapabilityProvider.wit` absent) serves
 * whatever type the component declares; the component imports its function with a result type
 * the provider never returns (`make: func(n: u32) -> u32`, where the provider returns an
 * object), so that the host's lowering of the result fails. Before, that ended the call as
 * `internal`: the host's own error code, which a guest could raise at will. Now it is
 * `capability-denied` with `details.reason` `type-mismatch`, naming the provider, the import
 * and the declared type (docs/abi.md, "Import types"), inline and in a worker; the sandbox is
 * poisoned (the call cannot complete) and the host carries on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CapabilityProvider } from '../../../host/caps/provider.js';
import { type KeelError, Kernel } from '../../../host/index.js';
import { hostileComponent, launch } from './support.js';

/** Makes an object, whatever type the component declared for it. */
const UNTYPED: CapabilityProvider = {
  name: 'untyped-blobs',
  interfaces: ['keel:hostile/blobs'],
  link: () => ({
    make: (n: number) => ({ size: n }),
    makeMany: (n: number) => `not a list ${n}`,
  }),
};

const SCALAR = () =>
  hostileComponent(
    `(import "keel:hostile/blobs" "make" (func $make (param i32) (result i32)))
     (func (export "f") (result i32) (call $make (i32.const 9)))`,
    `interface blobs { make: func(n: u32) -> u32; } world w { import blobs; export f: func() -> u32; }`,
  );

const IN_MEMORY = () =>
  hostileComponent(
    `(import "keel:hostile/blobs" "make-many" (func $many (param i32 i32)))
     (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
     (func (export "f") (result i32) (call $many (i32.const 9) (i32.const 64)) (i32.load (i32.const 68)))`,
    `interface blobs { make-many: func(n: u32) -> list<u32>; } world w { import blobs; export f: func() -> u32; }`,
  );

function expectTypeMismatch(error: KeelError | undefined, name: string, type: string): void {
  expect(error?.code).toBe('capability-denied');
  expect(error!.message).toContain(`${name} returned a value that does not fit ${type}`);
  expect(error!.message).toContain('provider untyped-blobs declares no WIT types');
  expect(error!.details).toEqual({ import: name, provider: 'untyped-blobs', reason: 'type-mismatch' });
}

describe('untyped-provider-value-mismatch', () => {
  it('a scalar result the provider does not return: capability-denied naming the provider, never internal', async () => {
    const aftermath = await launch({
      component: SCALAR,
      call: 'f',
      providers: [UNTYPED],
      grants: ['keel:hostile/blobs'],
    });
    expectTypeMismatch(aftermath.error, 'keel:hostile/blobs#make', 'u32');
    expect(aftermath.sandbox?.state).toBe('poisoned');
  });

  it('a result lowered through memory: capability-denied too', async () => {
    const aftermath = await launch({
      component: IN_MEMORY,
      call: 'f',
      providers: [UNTYPED],
      grants: ['keel:hostile/blobs'],
    });
    expectTypeMismatch(aftermath.error, 'keel:hostile/blobs#make-many', 'list<u32>');
    expect(aftermath.sandbox?.state).toBe('poisoned');
  });

  describe('in a worker', () => {
    const kernel = new Kernel({ cacheDir: false, providers: [UNTYPED], placement: 'worker' });
    afterAll(() => kernel.close());

    it('the same mismatch lowered in the worker thread: capability-denied', async () => {
      const sandbox = await kernel.spawn(await kernel.load(await SCALAR(), { name: 'hostile' }), {
        grants: ['keel:hostile/blobs'],
      });
      let error: KeelError | undefined;
      try {
        await sandbox.invoke('f');
      } catch (thrown) {
        error = thrown as KeelError;
      }
      expectTypeMismatch(error, 'keel:hostile/blobs#make', 'u32');
      expect(sandbox.state).toBe('poisoned');
    });
  });
});
