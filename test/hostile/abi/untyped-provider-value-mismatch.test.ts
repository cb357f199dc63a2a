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

  /** Answers errors by throwing their payload, whatever the component declared. */
  const PICKY: CapabilityProvider = {
    name: 'untyped-picky',
    interfaces: ['keel:hostile/picky'],
    link: () => ({
      get: (_n: number) => {
        throw 'not-found';
      },
    }),
  };

  function expectFailedAtDeclaredTypes(error: KeelError | undefined, name: string): void {
    expect(error?.code).toBe('capability-denied');
    expect(error!.message).toContain(`${name} failed at the types the component declared`);
    expect(error!.message).toContain('provider untyped-picky declares no WIT types');
    expect(error!.details).toEqual({ import: name, provider: 'untyped-picky', reason: 'type-mismatch' });
  }

  const THROWN = () =>
    hostileComponent(
      `(import "keel:hostile/picky" "get" (func $get (param i32) (result i32)))
       (func (export "f") (result i32) (call $get (i32.const 1)))`,
      `interface picky { get: func(n: u32) -> u32; } world w { import picky; export f: func() -> u32; }`,
    );

  it('an error thrown where the declared type has no result to carry it: capability-denied, never internal', async () => {
    const aftermath = await launch({
      component: THROWN,
      call: 'f',
      providers: [PICKY],
      grants: ['keel:hostile/picky'],
    });
    expectFailedAtDeclaredTypes(aftermath.error, 'keel:hostile/picky#get');
    expect(aftermath.error!.message).toContain('it failed with "not-found"');
  });

  it('the same error where the declared type has a result: the guest gets it as its err', async () => {
    const aftermath = await launch({
      component: () =>
        hostileComponent(
          `(import "keel:hostile/picky" "get" (func $get (param i32 i32)))
           (func (export "f") (result i32) (call $get (i32.const 1) (i32.const 64)) (i32.load8_u (i32.const 64)))`,
          `interface picky { enum code { not-found } get: func(n: u32) -> result<u32, code>; }
           world w { import picky; export f: func() -> u32; }`,
        ),
      call: 'f',
      providers: [PICKY],
      grants: ['keel:hostile/picky'],
    });
    expect(aftermath.error).toBeUndefined();
    expect(aftermath.value).toBe(1);
  });

  it('the same in a worker: capability-denied', async () => {
    const kernel = new Kernel({ cacheDir: false, providers: [PICKY], placement: 'worker' });
    try {
      const sandbox = await kernel.spawn(await kernel.load(await THROWN(), { name: 'hostile' }), {
        grants: ['keel:hostile/picky'],
      });
      const error = await sandbox.invoke('f').then(
        () => undefined,
        (thrown: unknown) => thrown as KeelError,
      );
      expectFailedAtDeclaredTypes(error, 'keel:hostile/picky#get');
    } finally {
      await kernel.close();
    }
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
