/**
 * Attacks of the family of `import-type-confusion`: a component imports a function of an
 * interface whose provider declares its WIT types (`CapabilityProvider.wit`) with a type of its
 * own: an extra parameter, a result fewer, parameters named in another order, a `list<u8>` where
 * the provider takes a string, a resource of another interface or one the interface does not
 * have, a function it does not have, and hostile types (a hundred levels deep, a hundred thousand
 * values) compared in bounded time. Each is refused at spawn with `capability-denied`, before any
 * guest code runs, naming the import, the function and both types; the exact types load and run.
 */
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, isKeelError, Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { hostileComponent, REALLOC, witTypes } from './support.js';

class Thing {
  constructor(readonly n: number) {}
}

const deep = (levels: number, leaf: string) => `${'list<'.repeat(levels)}${leaf}${'>'.repeat(levels)}`;
/** A type of 2^(levels+1) values: each level a tuple of the one before, twice. */
const doubling = (levels: number, leaf: string) =>
  Array.from({ length: levels }, (_, i) =>
    i === 0 ? `type d0 = tuple<${leaf}, ${leaf}>;` : `type d${i} = tuple<d${i - 1}, d${i - 1}>;`,
  ).join('\n  ');

const SERVED = `interface shapes {
  resource thing { constructor(n: u32); }
  type also-thing = thing;
  resource gadget;
  make: func(n: u32) -> thing;
  inspect: func(t: borrow<also-thing>, g: borrow<gadget>) -> u32;
  area: func(w: u32, h: u32) -> u32;
  name: func(s: string) -> string;
  deep: func(x: ${deep(90, 'u8')}) -> u32;
  ${doubling(16, 'u8')}
  wide: func(x: d15) -> u32;
}`;

const SHAPES: CapabilityProvider = {
  name: 'shapes',
  interfaces: ['keel:hostile/shapes'],
  wit: await witTypes(`${SERVED} world w { import shapes; }`),
  link: () => ({
    Thing,
    make: (n: number) => new Thing(n),
    inspect: () => 0,
    area: (w: number, h: number) => w * h,
    name: (s: string) => `hello ${s}`,
    deep: () => 1,
    wide: () => 2,
  }),
};

/** Load and spawn a component importing `shapes` as `iface` declares it (core imports in `imports`). */
async function spawn(iface: string, imports: string, body = '', exports = ''): Promise<unknown> {
  const kernel = new Kernel({ cacheDir: false, providers: [SHAPES] });
  try {
    const bytes = await hostileComponent(
      `${imports}\n${REALLOC}\n${body}`,
      `${iface} world w { import shapes; ${exports} }`,
    );
    const module = await kernel.load(bytes, { name: 'confused' });
    const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/shapes'] });
    return exports ? sandbox.fn('f')() : 'spawned';
  } catch (error) {
    return error;
  } finally {
    await kernel.close();
  }
}

function expectRefused(outcome: unknown, ...parts: string[]): void {
  expect(isKeelError(outcome), `expected capability-denied, got ${String(outcome)}`).toBe(true);
  const error = outcome as { code: string; message: string; details?: unknown };
  expect(error.code).toBe('capability-denied');
  expect(error.details).toMatchObject({ import: 'keel:hostile/shapes', reason: 'type-mismatch' });
  for (const part of parts) expect(error.message).toContain(part);
}

const AREA = `(import "keel:hostile/shapes" "area"`;

describe('an import whose type is not the provider’s is refused at spawn', () => {
  it('an extra parameter', async () => {
    expectRefused(
      await spawn(
        'interface shapes { area: func(w: u32, h: u32, d: u32) -> u32; }',
        `${AREA} (func (param i32 i32 i32) (result i32)))`,
      ),
      'keel:hostile/shapes#area',
      'func(w: u32, h: u32, d: u32) -> u32',
      'func(w: u32, h: u32) -> u32',
    );
  });

  it('a result fewer', async () => {
    expectRefused(
      await spawn('interface shapes { area: func(w: u32, h: u32); }', `${AREA} (func (param i32 i32)))`),
      'func(w: u32, h: u32), the host serves func(w: u32, h: u32) -> u32',
    );
  });

  it('parameters of the same types named in another order (names are part of the type)', async () => {
    expectRefused(
      await spawn(
        'interface shapes { area: func(h: u32, w: u32) -> u32; }',
        `${AREA} (func (param i32 i32) (result i32)))`,
      ),
      'func(h: u32, w: u32) -> u32',
    );
  });

  it('a list<u8> where the provider takes a string', async () => {
    expectRefused(
      await spawn(
        'interface shapes { name: func(s: list<u8>) -> string; }',
        `(import "keel:hostile/shapes" "name" (func (param i32 i32 i32)))`,
      ),
      'func(s: list<u8>) -> string',
      'func(s: string) -> string',
    );
  });

  it('a resource of another interface', async () => {
    expectRefused(
      await spawn(
        'interface other { resource thing; } interface shapes { use other.{thing}; make: func(n: u32) -> thing; }',
        `(import "keel:hostile/shapes" "make" (func (param i32) (result i32)))`,
      ),
      'resource keel:hostile/other#thing, the host serves resource keel:hostile/shapes#thing',
    );
  });

  it('a resource the interface does not have', async () => {
    expectRefused(
      await spawn(
        'interface shapes { resource blob; make: func(n: u32) -> blob; }',
        `(import "keel:hostile/shapes" "make" (func (param i32) (result i32)))`,
      ),
      'keel:hostile/shapes#blob',
    );
  });

  it('a function the interface does not have', async () => {
    expectRefused(
      await spawn(
        'interface shapes { volume: func(w: u32, h: u32, d: u32) -> u32; }',
        `(import "keel:hostile/shapes" "volume" (func (param i32 i32 i32) (result i32)))`,
      ),
      'keel:hostile/shapes#volume',
    );
  });

  it('a type a hundred levels deep, and one of a hundred thousand values, compared in bounded time', async () => {
    const started = performance.now();
    expectRefused(
      await spawn(
        `interface shapes { deep: func(x: ${deep(90, 'u16')}) -> u32; }`,
        `(import "keel:hostile/shapes" "deep" (func (param i32 i32) (result i32)))`,
      ),
      'keel:hostile/shapes#deep',
      'list<list<',
    );
    const wide = await spawn(
      `interface shapes { ${doubling(16, 'u16')} wide: func(x: d15) -> u32; }`,
      `(import "keel:hostile/shapes" "wide" (func (param i32) (result i32)))`,
    );
    expectRefused(
      wide,
      'keel:hostile/shapes#d0 is imported as tuple<u16, u16>, the host serves tuple<u8, u8>',
    );
    // The message's types are cut, whatever their size.
    expect((wide as Error).message.length).toBeLessThan(2_000);
    // The same 2^17-value type on both sides, so the comparison walks all of it before it meets
    // the one difference, in the function's result.
    const walked = await spawn(
      `interface shapes { ${doubling(16, 'u8')} wide: func(x: d15) -> u64; }`,
      `(import "keel:hostile/shapes" "wide" (func (param i32) (result i64)))`,
    );
    expectRefused(walked, 'keel:hostile/shapes#wide', '-> u64, the host serves', '-> u32');
    expect((walked as Error).message.length).toBeLessThan(2_000);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

/** Load and spawn a component written as text (its imports' types exactly as given). */
async function spawnText(text: string): Promise<unknown> {
  const kernel = new Kernel({ cacheDir: false, providers: [SHAPES] });
  try {
    const module = await kernel.load(await parse(text), { name: 'confused' });
    await kernel.spawn(module, { grants: ['keel:hostile/shapes'] });
    return 'spawned';
  } catch (error) {
    return error;
  } finally {
    await kernel.close();
  }
}

describe('an import nothing calls is checked all the same (the component model links every import)', () => {
  it('a function the interface does not have, never lowered', async () => {
    expectRefused(
      await spawnText('(component (import "keel:hostile/shapes" (instance (export "missing" (func)))))'),
      'keel:hostile/shapes#missing',
    );
  });

  it('a function of the interface as a resource', async () => {
    expectRefused(
      await spawnText(
        '(component (import "keel:hostile/shapes" (instance (export "area" (type (sub resource))))))',
      ),
      'keel:hostile/shapes#area',
    );
  });

  it('a type bound by eq need not be served; a resource it names must be', async () => {
    expect(
      await spawnText(`(component (import "keel:hostile/shapes" (instance
        (export "thing" (type $t (sub resource)))
        (export "also-thing" (type (eq $t)))
        (type $r (record (field "w" u32)))
        (export "size" (type (eq $r))))))`),
    ).toBe('spawned');
    expectRefused(
      await spawnText(`(component (import "keel:hostile/shapes" (instance
        (export "blob" (type $t (sub resource)))
        (export "also-blob" (type (eq $t))))))`),
      'keel:hostile/shapes#blob',
    );
  });
});

describe('a resource imported as its own (sub resource) is the one the host serves under its name', () => {
  // The model substitutes the supplied resource for an abstract import (Wasmtime's resources.wast
  // 182: the host's resource1-again, an alias of resource1, imported as a resource of its own).
  it('an alias the host serves, imported as a resource of its own, spawns and is used as the host’s', async () => {
    expect(
      await spawnText(`(component (import "keel:hostile/shapes" (instance
        (export "thing" (type (sub resource)))
        (export "also-thing" (type (sub resource))))))`),
    ).toBe('spawned');
    // make returns the host's thing; the component declares it as its also-thing: the same.
    const handle = await spawn(
      'interface shapes { resource also-thing; make: func(n: u32) -> also-thing; }',
      `(import "keel:hostile/shapes" "make" (func $make (param i32) (result i32)))`,
      '(func (export "f") (result i32) (call $make (i32.const 3)))',
      'export f: func() -> u32;',
    );
    expect(handle).toBe(1);
  });

  it('bound to one host resource, it is not another', async () => {
    expectRefused(
      await spawn(
        'interface shapes { resource gadget; make: func(n: u32) -> gadget; }',
        `(import "keel:hostile/shapes" "make" (func (param i32) (result i32)))`,
      ),
      'keel:hostile/shapes#make',
    );
    expectRefused(
      await spawnText(`(component (import "keel:hostile/shapes" (instance
        (export "gadget" (type $g (sub resource)))
        (export "also-thing" (type (eq $g))))))`),
      'keel:hostile/shapes#also-thing',
    );
  });
});

describe('imports with the provider’s types', () => {
  it('load, spawn and run (a version on the import is ignored)', async () => {
    const value = await spawn(
      'interface shapes { area: func(w: u32, h: u32) -> u32; }',
      `${AREA} (func $area (param i32 i32) (result i32)))`,
      '(func (export "f") (result i32) (call $area (i32.const 6) (i32.const 7)))',
      'export f: func() -> u32;',
    );
    expect(value).toBe(42);
  });

  it('of the hostile sizes too', async () => {
    const value = await spawn(
      `interface shapes { deep: func(x: ${deep(90, 'u8')}) -> u32; ${doubling(16, 'u8')} wide: func(x: d15) -> u32; }`,
      `(import "keel:hostile/shapes" "deep" (func (param i32 i32) (result i32)))
       (import "keel:hostile/shapes" "wide" (func (param i32) (result i32)))`,
    );
    expect(value).toBe('spawned');
  });
});

describe('a provider’s declared types', () => {
  it('that are not a component: invalid-argument naming the provider', async () => {
    const broken: CapabilityProvider = { ...SHAPES, name: 'broken', wit: new Uint8Array([0, 97, 115, 109]) };
    const kernel = new Kernel({ cacheDir: false, providers: [broken] });
    try {
      const bytes = await hostileComponent(
        `${AREA} (func (param i32 i32) (result i32)))`,
        'interface shapes { area: func(w: u32, h: u32) -> u32; } world w { import shapes; }',
      );
      const module = await kernel.load(bytes);
      await expect(kernel.spawn(module, { grants: ['keel:hostile/shapes'] })).rejects.toMatchObject({
        code: 'invalid-argument',
        message: expect.stringContaining('provider broken'),
      });
    } finally {
      await kernel.close();
    }
  });

  it('that leave out an interface it serves: that interface is refused', async () => {
    const partial: CapabilityProvider = {
      ...SHAPES,
      name: 'partial',
      wit: await witTypes('interface unrelated { f: func(); } world w { import unrelated; }'),
    };
    const kernel = new Kernel({ cacheDir: false, providers: [partial] });
    try {
      const bytes = await hostileComponent(
        `${AREA} (func (param i32 i32) (result i32)))`,
        'interface shapes { area: func(w: u32, h: u32) -> u32; } world w { import shapes; }',
      );
      const module = await kernel.load(bytes);
      await expect(kernel.spawn(module, { grants: ['keel:hostile/shapes'] })).rejects.toMatchObject({
        code: 'capability-denied',
        message: expect.stringContaining('declares no WIT types for keel:hostile/shapes'),
      });
    } finally {
      await kernel.close();
    }
  });
});
