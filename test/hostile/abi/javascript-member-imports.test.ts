/**
 * Attack: a component imports, from an interface it was granted, functions named like members
 * every JavaScript object has (`value-of`, `has-own-property`, `to-string`, `is-prototype-of`,
 * `to-locale-string`), hoping the host finds them on the provider's record and calls them with
 * the guest's arguments. A name reaches only what the provider defines: each call is refused as
 * a capability Keel does not serve (`capability-denied`, reason `not-served`), in both
 * placements, and the sandbox and the kernel carry on. (On main before the fix, the calls ran
 * Object.prototype's functions, ending as `invalid-argument` or with their values.) Through a
 * provider that declares its WIT types, as Keel's WASI providers do, the spawn is refused before
 * that, for a function the interface does not have (`type-mismatch`).
 */
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, isKeelError, Kernel } from '../../../host/index.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { hostileComponent } from './support.js';

const imports = (iface: string) => `(import "${iface}" "value-of" (func $value-of (result i64)))
  (import "${iface}" "has-own-property" (func $has (param i32 i32) (result i32)))
  (import "${iface}" "to-string" (func $to-string (param i32)))
  (import "${iface}" "is-prototype-of" (func $is-proto (param i64) (result i32)))
  (import "${iface}" "to-locale-string" (func $locale (param i32)))
  (import "${iface}" "get-random-u64" (func $u64 (result i64)))
  ${REALLOC_FIELD()}
  (func (export "value-of") (result i64) (call $value-of))
  (func (export "has-own-property") (result i32)
    (i32.store8 (i32.const 100) (i32.const 103)) (call $has (i32.const 100) (i32.const 1)))
  (func (export "to-string") (call $to-string (i32.const 64)) (drop (i32.load (i32.const 64))))
  (func (export "is-prototype-of") (result i32) (call $is-proto (i64.const 7)))
  (func (export "to-locale-string") (call $locale (i32.const 64)))
  (func (export "random") (result i64) (call $u64))`;

function REALLOC_FIELD(): string {
  return `(global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))`;
}

const FUNCTIONS = `value-of: func() -> u64;
  has-own-property: func(key: string) -> bool;
  to-string: func() -> string;
  is-prototype-of: func(x: u64) -> bool;
  to-locale-string: func() -> string;
  get-random-u64: func() -> u64;`;

const world = (iface: string) => `world w {
  import ${iface};
  export value-of: func() -> u64;
  export has-own-property: func() -> bool;
  export to-string: func();
  export is-prototype-of: func() -> bool;
  export to-locale-string: func();
  export random: func() -> u64;
}`;

const MEMBERS = ['value-of', 'has-own-property', 'to-string', 'is-prototype-of', 'to-locale-string'];

/** An embedder's provider of `keel:hostile/random` (the same functions), declaring no WIT types. */
const UNTYPED: CapabilityProvider = {
  name: 'untyped-random',
  interfaces: ['keel:hostile/random'],
  link: () => ({ getRandomU64: () => 7n }),
};

describe.each(PLACEMENTS)('%s', (placement) => {
  it('imports named like JavaScript object members reach nothing of the host', async () => {
    const kernel = new Kernel({ cacheDir: false, placement, providers: [UNTYPED] });
    try {
      const bytes = await hostileComponent(
        imports('keel:hostile/random'),
        `interface random { ${FUNCTIONS} }\n${world('random')}`,
      );
      const module = await kernel.load(bytes, { name: 'members' });
      for (const name of MEMBERS) {
        const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/random'] });
        const failure = await sandbox.invoke(name).then(
          (outcome) => outcome,
          (error: unknown) => error,
        );
        expect(isKeelError(failure), `${name}: ${String(failure)}`).toBe(true);
        expect((failure as { code: string }).code, name).toBe('capability-denied');
        if (placement === 'inline') {
          expect((failure as { details?: { reason?: string } }).details?.reason, name).toBe('not-served');
        }
        expect((failure as Error).message, name).not.toMatch(/Cannot convert|is not a function/);
      }
      // The functions the provider does define still work, in a sandbox of the same module.
      const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/random'] });
      expect(String((await sandbox.invoke('random')).value)).toBe('7');
    } finally {
      await kernel.close();
    }
  });
});

describe.each(PLACEMENTS)('%s, through wasi:random (whose provider declares WASI’s types)', (placement) => {
  it('the spawn is refused: wasi:random/random has no value-of', async () => {
    const kernel = new Kernel({ cacheDir: false, placement });
    try {
      const bytes = await hostileComponent(
        imports('wasi:random/random@0.2.3'),
        `package wasi:random@0.2.3 { interface random { ${FUNCTIONS} } }\n${world('wasi:random/random@0.2.3')}`,
      );
      const module = await kernel.load(bytes, { name: 'members' });
      const failure = await kernel.spawn(module, { grants: ['wasi:random/random'] }).then(
        (sandbox) => sandbox,
        (error: unknown) => error,
      );
      expect(isKeelError(failure), String(failure)).toBe(true);
      expect(failure).toMatchObject({
        code: 'capability-denied',
        details: { import: 'wasi:random/random@0.2.3', reason: 'type-mismatch' },
      });
      expect((failure as Error).message).toContain(
        "wasi:random/random@0.2.3#value-of is imported as a function, which the host's wasi:random/random@0.2.3 does not have",
      );
    } finally {
      await kernel.close();
    }
  });
});
