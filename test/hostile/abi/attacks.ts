/**
 * Every attack on the canonical ABI boundary, as data: the hostile component, how it is set
 * off, and what it must end as. Each has its test file (`<name>.test.ts`) once today's run
 * path contains it; until then it is listed in PENDING.md and pending.test.ts checks that the
 * host survives it.
 */
import type { CapabilityProvider } from '../../../host/index.js';
import { type Attack, componentText, hostileComponent, REALLOC, returnsPair, witTypes } from './support.js';

export interface NamedAttack extends Attack {
  /** What a correct canonical ABI makes of it. */
  expect: 'trap' | 'invalid-module' | 'capability-denied';
}

/** An export `f` returning `(ptr, len)` as `type`. */
function returning(type: string, ptr: number, len: number, data = '', encoding?: 'utf16'): NamedAttack {
  return {
    component: () =>
      hostileComponent(
        `${data}\n(func (export "f") (result i32) ${returnsPair(ptr, len)})`,
        `world w { record r { a: u32, b: string } export f: func() -> ${type}; }`,
        encoding,
      ),
    call: 'f',
    expect: 'trap',
  };
}

/** An export `f` whose core function returns one i32 as `type`, declared in `decls`. */
function flatResult(type: string, value: number, decls = ''): NamedAttack {
  return {
    component: () =>
      hostileComponent(
        `(func (export "f") (result i32) (i32.const ${value}))`,
        `world w { ${decls} export f: func() -> ${type}; }`,
      ),
    call: 'f',
    expect: 'trap',
  };
}

/** An export `f` whose core function returns a pointer to `data` (at 2048) as `type`. */
function inMemory(type: string, data: string, decls = ''): NamedAttack {
  return {
    component: () =>
      hostileComponent(
        `(data (i32.const 2048) "${data}")\n(func (export "f") (result i32) (i32.const 2048))`,
        `world w { ${decls} export f: func() -> ${type}; }`,
      ),
    call: 'f',
    expect: 'trap',
  };
}

/** An export `f(s: string) -> u32` (or a list) whose `cabi_realloc` is `body`. */
function badRealloc(body: string, param = 'string', args: unknown[] = ['hello']): NamedAttack {
  return {
    component: () =>
      hostileComponent(
        `(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) ${body})
         (func (export "f") (param i32 i32) (result i32) (local.get 1))`,
        `world w { record r { a: u32, b: u64 } export f: func(x: ${param}) -> u32; }`,
      ),
    call: 'f',
    args,
    expect: 'trap',
  };
}

// Resources: a guest-defined resource `r` (and `s`), used through the canonical built-ins.
const RESOURCE_WORLD = `interface api {
  resource r { constructor(x: u32); }
  resource s { constructor(x: u32); }
  run: func() -> u32;
}
world w { export api; }`;
const RESOURCE_IMPORTS = `(import "[export]keel:hostile/api" "[resource-new]r" (func $new (param i32) (result i32)))
  (import "[export]keel:hostile/api" "[resource-drop]r" (func $drop (param i32)))
  (import "[export]keel:hostile/api" "[resource-rep]r" (func $rep (param i32) (result i32)))
  (import "[export]keel:hostile/api" "[resource-new]s" (func $new-s (param i32) (result i32)))
  (import "[export]keel:hostile/api" "[resource-rep]s" (func $rep-s (param i32) (result i32)))`;
const RESOURCE_EXPORTS = `(func (export "keel:hostile/api#[constructor]r") (param i32) (result i32) (call $new (local.get 0)))
  (func (export "keel:hostile/api#[constructor]s") (param i32) (result i32) (call $new-s (local.get 0)))
  (func (export "keel:hostile/api#[dtor]r") (param i32))
  (func (export "keel:hostile/api#[dtor]s") (param i32))`;

function resourceRun(body: string): NamedAttack {
  return {
    component: () =>
      hostileComponent(
        `${RESOURCE_IMPORTS}\n${RESOURCE_EXPORTS}\n(func (export "keel:hostile/api#run") (result i32) ${body})`,
        RESOURCE_WORLD,
      ),
    call: 'keel:hostile/api#run',
    expect: 'trap',
  };
}

/** A host resource `blob` (`keel:hostile/blobs`), as the kernel's providers serve resources. */
class Blob {
  constructor(readonly size: number) {}
}
const BLOBS_WORLD = `interface blobs {
  resource blob { constructor(n: u32); }
  make: func(n: u32) -> blob;
  peek: func(b: borrow<blob>) -> u32;
}`;
/** A provider of `keel:hostile/blobs` that declares its WIT types. */
export const BLOBS: CapabilityProvider = {
  name: 'blobs',
  interfaces: ['keel:hostile/blobs'],
  wit: await witTypes(`${BLOBS_WORLD} world w { import blobs; }`),
  link: () => ({ Blob, make: (n: number) => new Blob(n), peek: (b: Blob) => b.size }),
};
const BLOBS_IMPORTS = `(import "keel:hostile/blobs" "make" (func $make (param i32) (result i32)))
  (import "keel:hostile/blobs" "peek" (func $peek (param i32) (result i32)))
  (import "keel:hostile/blobs" "[resource-drop]blob" (func $drop (param i32)))`;

/** `count` type definitions, each a list of the one before (`list<list<...<u8>>>`). */
function nestedTypes(count: number): string {
  return Array.from({ length: count }, (_, i) =>
    i === 0 ? '(type $t0 (list u8))' : `(type $t${i} (list $t${i - 1}))`,
  ).join('\n');
}

const CORE_WITH_REALLOC = `(core module $m
    (memory (export "memory") 1)
    (func (export "f") (param i32 i32))
    (func (export "g") (result i32) (i32.const 7))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))`;

export const ATTACKS = {
  // --- pointers and lengths returned by an export -------------------------------------------
  /** A string whose pointer is past the end of memory. */
  'string-out-of-bounds': returning('string', 0xfffffff0, 100),
  /** A list of u32 that starts inside memory and ends past it. */
  'list-out-of-bounds': returning('list<u32>', 65532, 2),
  /** A list<u64> whose length times 8 overflows 32 bits (0x20000001 * 8 = 8 mod 2^32). */
  'length-overflow': returning('list<u64>', 8, 0x20000001),
  /** A list<u32> at an odd address (the canonical ABI requires element alignment). */
  'misaligned-pointer': returning('list<u32>', 1025, 2),
  /** A string of bytes that are not UTF-8. */
  'invalid-utf8': returning('string', 2048, 3, '(data (i32.const 2048) "\\ff\\fe\\c3")'),
  /** A utf16 string with a lone surrogate (D800). */
  'lone-surrogate-utf16': returning('string', 2048, 2, '(data (i32.const 2048) "a\\00\\00\\d8")', 'utf16'),

  // --- values out of their type's range -----------------------------------------------------
  /** A variant whose discriminant (7) names no case. */
  'invalid-variant-discriminant': inMemory('v', '\\07', 'variant v { a(u32), b(string), c }'),
  /** An enum whose discriminant (3) names no case. */
  'invalid-enum-discriminant': flatResult('e', 3, 'enum e { a, b, c }'),
  /** An option whose discriminant is 2. */
  'invalid-option-discriminant': inMemory('option<u8>', '\\02'),
  /** A result whose discriminant is 2. */
  'invalid-result-discriminant': flatResult('result', 2),
  /** A char in the surrogate range. */
  'invalid-char-surrogate': flatResult('char', 0xd800),
  /** A char past U+10FFFF. */
  'invalid-char-too-large': flatResult('char', 0x110000),

  // --- the guest's allocator ------------------------------------------------------------------
  /** realloc returns a block past the end of memory. */
  'realloc-out-of-bounds': badRealloc('(i32.const 0xfffffff0)'),
  /** realloc returns an odd address for a list<u32>. */
  'realloc-misaligned': badRealloc('(i32.const 1025)', 'list<u32>', [Uint32Array.of(1, 2)]),
  /** realloc traps. */
  'realloc-traps': badRealloc('unreachable'),
  /** post-return traps, after the host has the result. */
  'post-return-traps': {
    component: () =>
      hostileComponent(
        `${REALLOC}
         (func (export "f") (result i32) ${returnsPair(1024, 0)})
         (func (export "cabi_post_f") (param i32) unreachable)`,
        'world w { export f: func() -> string; }',
      ),
    call: 'f',
    expect: 'trap',
  } satisfies NamedAttack,

  // --- handles ----------------------------------------------------------------------------------
  /** A guest drops its own handle twice. */
  'double-drop': resourceRun(
    '(local $h i32) (local.set $h (call $new (i32.const 7))) (call $drop (local.get $h)) (call $drop (local.get $h)) (i32.const 0)',
  ),
  /** A handle index that was never allocated (99). */
  'unallocated-handle': resourceRun('(call $drop (i32.const 99)) (i32.const 0)'),
  /** resource.rep of type `s` on a handle of type `r`. */
  'resource-rep-foreign-type': resourceRun('(call $rep-s (call $new (i32.const 7)))'),
  /** A borrowed host handle kept past the call that lent it, used in the next call. */
  'borrow-after-call': {
    component: () =>
      hostileComponent(
        `${BLOBS_IMPORTS}
         (global $kept (mut i32) (i32.const 0))
         (func (export "keep") (param i32) (global.set $kept (local.get 0)))
         (func (export "reuse") (result i32) (call $peek (global.get $kept)))`,
        `${BLOBS_WORLD} world w { import blobs; use blobs.{blob}; export keep: func(b: borrow<blob>); export reuse: func() -> u32; }`,
      ),
    before: [['keep', [new Blob(9)]]],
    call: 'reuse',
    providers: [BLOBS],
    grants: ['keel:hostile/blobs'],
    expect: 'trap',
  } satisfies NamedAttack,

  // --- imports ------------------------------------------------------------------------------
  /**
   * A granted interface's function imported with a type of the guest's choosing (`make` as
   * `func(n: u32) -> u32`, where the provider makes a blob): the provider would be called with
   * values of that type and its result lowered as it. The provider declares its WIT types, so
   * the spawn is refused before any guest code runs.
   */
  'import-type-confusion': {
    component: () =>
      hostileComponent(
        `(import "keel:hostile/blobs" "make" (func $make (param i32) (result i32)))
         (func (export "f") (result i32) (call $make (i32.const 9)))`,
        `interface blobs { make: func(n: u32) -> u32; } world w { import blobs; export f: func() -> u32; }`,
      ),
    call: 'f',
    providers: [BLOBS],
    grants: ['keel:hostile/blobs'],
    expect: 'capability-denied',
  } satisfies NamedAttack,
  /**
   * The same through one of Keel's WASI providers, which declare WASI 0.2's WIT types:
   * `wasi:random/random#get-random-bytes` imported as `func(len: u64) -> u32`.
   */
  'wasi-import-type-confusion': {
    component: () =>
      hostileComponent(
        `(import "wasi:random/random@0.2.0" "get-random-bytes" (func $get (param i64) (result i32)))
         (func (export "f") (result i32) (call $get (i64.const 9)))`,
        `world w { import wasi:random/random@0.2.0; export f: func() -> u32; }
         package wasi:random@0.2.0 { interface random { get-random-bytes: func(len: u64) -> u32; } }`,
      ),
    call: 'f',
    grants: ['wasi:random/random'],
    expect: 'capability-denied',
  } satisfies NamedAttack,

  // --- the component's own description ------------------------------------------------------
  /** flags with more than 32 labels (the canonical ABI allows at most 32). */
  'huge-flags': {
    component: () =>
      componentText(`(component
  (core module $m (func (export "f") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  (type $f' (flags ${Array.from({ length: 64 }, (_, i) => `"f${i}"`).join(' ')}))
  (import "big" (type $f (eq $f')))
  (func (export "f") (result $f) (canon lift (core func $i "f"))))`),
    expect: 'invalid-module',
  } satisfies NamedAttack,
  /** A value type nested 1000 deep (each type a list of the one before). */
  'deep-type-nesting': {
    component: () =>
      componentText(`(component ${CORE_WITH_REALLOC}
  ${nestedTypes(1000)}
  (func (export "f") (param "x" $t999) (canon lift (core func $i "f") (memory $mem) (realloc $realloc))))`),
    expect: 'invalid-module',
  } satisfies NamedAttack,
  /**
   * A type that doubles at every level (each a tuple of the one before, twice), 40 levels: a few
   * hundred bytes describing 2^41 values. Every walk of it (layout, text, lifting) would be
   * exponential: refused at load by the type size limit.
   */
  'type-size-explosion': {
    component: () =>
      componentText(`(component ${CORE_WITH_REALLOC}
  ${Array.from({ length: 40 }, (_, i) => (i === 0 ? '(type $d0 (tuple u8 u8))' : `(type $d${i} (tuple $d${i - 1} $d${i - 1}))`)).join('\n')}
  (func (export "f") (param "x" (list $d39)) (canon lift (core func $i "f") (memory $mem) (realloc $realloc))))`),
    expect: 'invalid-module',
  } satisfies NamedAttack,
  /** A tuple of no types: values of no bytes, so that a list of them costs the guest nothing. */
  'empty-tuple': {
    component: () =>
      componentText(`(component ${CORE_WITH_REALLOC}
  (type $e (tuple))
  (func (export "f") (param "x" (list $e)) (canon lift (core func $i "f") (memory $mem) (realloc $realloc))))`),
    expect: 'invalid-module',
  } satisfies NamedAttack,
  /** Very many type definitions (10,000 records): load time must stay bounded (or be refused by a limit). */
  'many-types': {
    component: () =>
      componentText(
        `(component ${Array.from({ length: 10_000 }, (_, i) => `(type (record (field "a${i}" u8)))`).join('\n')})`,
      ),
    expect: 'invalid-module',
  } satisfies NamedAttack,
  /** Very many exports (2,000 functions): load time must stay bounded (or be refused by a limit). */
  'many-exports': {
    component: () =>
      componentText(`(component
  (core module $m (func (export "f") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  ${Array.from({ length: 2_000 }, (_, i) => `(func (export "f${i}") (result u32) (canon lift (core func $i "f")))`).join('\n')})`),
    expect: 'invalid-module',
  } satisfies NamedAttack,
} satisfies Record<string, NamedAttack>;

export type AttackName = keyof typeof ATTACKS;
