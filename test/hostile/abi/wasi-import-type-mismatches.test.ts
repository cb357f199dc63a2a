/**
 * Attacks of the family of `wasi-import-type-confusion`: a component imports a function of one of
 * Keel's WASI 0.2 interfaces with a type of its own: a filesystem descriptor method with its
 * parameters swapped, wasi:cli's stdout handing out an output-stream of an interface the
 * component made up instead of wasi:io's, a wasi:cli function with an extra parameter, a clock
 * imported under version 0.2.3 with another result, a function WASI does not have. Keel's WASI
 * providers declare WASI 0.2's WIT types (vendor/wasi-0.2, built into wit-types/), so each is refused
 * at spawn with `capability-denied` (`type-mismatch`), before any guest code runs, naming the
 * import and both types; the same imports with WASI's own types, at 0.2.0 and at 0.2.3, run.
 */
import { describe, expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../../host/index.js';
import { hostileComponent, REALLOC } from './support.js';

/** wasi:filesystem's error-code, as WASI 0.2 declares it. */
const FS_ERRORS = [
  'access',
  'would-block',
  'already',
  'bad-descriptor',
  'busy',
  'deadlock',
  'quota',
  'exist',
  'file-too-large',
  'illegal-byte-sequence',
  'in-progress',
  'interrupted',
  'invalid',
  'io',
  'is-directory',
  'loop',
  'too-many-links',
  'message-size',
  'name-too-long',
  'no-device',
  'no-entry',
  'no-lock',
  'insufficient-memory',
  'insufficient-space',
  'not-directory',
  'not-empty',
  'not-recoverable',
  'unsupported',
  'no-tty',
  'no-such-device',
  'overflow',
  'not-permitted',
  'pipe',
  'read-only',
  'invalid-seek',
  'text-file-busy',
  'cross-device',
].join(', ');

/** Load and spawn a component (core `fields`, WIT `world` of package keel:hostile); call `f` when it exports one. */
async function spawn(fields: string, world: string, grants: string[]): Promise<unknown> {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const bytes = await hostileComponent(`${fields}\n${REALLOC}`, world);
    const module = await kernel.load(bytes, { name: 'confused' });
    const sandbox = await kernel.spawn(module, { grants });
    return world.includes('export f:') ? sandbox.fn('f')() : 'spawned';
  } catch (error) {
    return error;
  } finally {
    await kernel.close();
  }
}

function expectRefused(outcome: unknown, iface: string, version: string, ...parts: string[]): void {
  expect(isKeelError(outcome), `expected capability-denied, got ${String(outcome)}`).toBe(true);
  const error = outcome as { code: string; message: string; details?: unknown };
  expect(error.code).toBe('capability-denied');
  expect(error.details).toMatchObject({
    import: `${iface}@${version}`,
    interface: iface,
    reason: 'type-mismatch',
  });
  for (const part of parts) expect(error.message).toContain(part);
}

const DESCRIPTOR_READ = `(import "wasi:filesystem/types@0.2.0" "[method]descriptor.read"
    (func $read (param i32 i64 i64 i32)))
  (func (export "f") (result i32) (i32.const 0))`;
const filesystem = (
  params: string,
) => `world w { import wasi:filesystem/types@0.2.0; export f: func() -> u32; }
  package wasi:filesystem@0.2.0 { interface types {
    type filesize = u64;
    enum error-code { ${FS_ERRORS} }
    resource descriptor { read: func(${params}) -> result<tuple<list<u8>, bool>, error-code>; }
  } }`;

describe('a WASI import whose type is not WASI’s is refused at spawn', () => {
  it('wasi:filesystem: a descriptor method with its parameters swapped', async () => {
    expectRefused(
      await spawn(DESCRIPTOR_READ, filesystem('offset: filesize, length: filesize'), []),
      'wasi:filesystem/types',
      '0.2.0',
      'wasi:filesystem/types@0.2.0#[method]descriptor.read is imported as func(self: borrow<descriptor>, offset: filesize, length: filesize)',
      'the host serves func(self: borrow<descriptor>, length: filesize, offset: filesize)',
    );
  });

  it('wasi:filesystem: the same method with WASI’s parameters spawns', async () => {
    expect(await spawn(DESCRIPTOR_READ, filesystem('length: filesize, offset: filesize'), [])).toBe(0);
  });

  it('wasi:cli/stdout handing out an output-stream of another interface than wasi:io/streams', async () => {
    expectRefused(
      await spawn(
        `(import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get (result i32)))
         (func (export "f") (result i32) (call $get))`,
        `world w { import wasi:cli/stdout@0.2.0; export f: func() -> u32; }
         package keel:forged { interface streams { resource output-stream; } }
         package wasi:cli@0.2.0 { interface stdout {
           use keel:forged/streams.{output-stream};
           get-stdout: func() -> output-stream;
         } }`,
        ['wasi:cli/stdout'],
      ),
      'wasi:cli/stdout',
      '0.2.0',
      'resource keel:forged/streams#output-stream',
      'the host serves resource wasi:io/streams#output-stream',
    );
  });

  it('wasi:cli/exit#exit with an extra parameter', async () => {
    expectRefused(
      await spawn(
        `(import "wasi:cli/exit@0.2.0" "exit" (func $exit (param i32 i32)))
         (func (export "f") (result i32) (call $exit (i32.const 0) (i32.const 7)) (i32.const 0))`,
        `world w { import wasi:cli/exit@0.2.0; export f: func() -> u32; }
         package wasi:cli@0.2.0 { interface exit { exit: func(status: result, code: u32); } }`,
        ['wasi:cli/exit'],
      ),
      'wasi:cli/exit',
      '0.2.0',
      'wasi:cli/exit@0.2.0#exit is imported as func(status: result, code: u32)',
      'the host serves func(status: result)',
    );
  });

  it('wasi:clocks/monotonic-clock imported under version 0.2.3 with another result', async () => {
    expectRefused(
      await spawn(
        `(import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i32)))
         (func (export "f") (result i32) (call $now))`,
        `world w { import wasi:clocks/monotonic-clock@0.2.3; export f: func() -> u32; }
         package wasi:clocks@0.2.3 { interface monotonic-clock { now: func() -> u32; } }`,
        ['wasi:clocks/monotonic-clock'],
      ),
      'wasi:clocks/monotonic-clock',
      '0.2.3',
      'wasi:clocks/monotonic-clock@0.2.3#now is imported as func() -> u32',
      'the host serves func() -> instant',
    );
  });

  it('a function WASI does not have (wasi:random/random#get-random-u128)', async () => {
    expectRefused(
      await spawn(
        `(import "wasi:random/random@0.2.3" "get-random-u128" (func $get (result i64)))
         (func (export "f") (result i32) (drop (call $get)) (i32.const 0))`,
        `world w { import wasi:random/random@0.2.3; export f: func() -> u32; }
         package wasi:random@0.2.3 { interface random { get-random-u128: func() -> u64; } }`,
        ['wasi:random/random'],
      ),
      'wasi:random/random',
      '0.2.3',
      "wasi:random/random@0.2.3#get-random-u128 is imported as a function, which the host's",
    );
  });
});

describe('WASI imports with WASI’s own types run, at 0.2.0 and 0.2.3', () => {
  const bytes = (version: string) =>
    spawn(
      `(import "wasi:random/random@${version}" "get-random-bytes" (func $get (param i64 i32)))
       (func (export "f") (result i32) (call $get (i64.const 9) (i32.const 16)) (i32.load (i32.const 20)))`,
      `world w { import wasi:random/random@${version}; export f: func() -> u32; }
       package wasi:random@${version} { interface random { get-random-bytes: func(len: u64) -> list<u8>; } }`,
      ['wasi:random/random'],
    );

  it('wasi:random/random#get-random-bytes at 0.2.0 and at 0.2.3: nine bytes', async () => {
    expect(await bytes('0.2.0')).toBe(9);
    expect(await bytes('0.2.3')).toBe(9);
  });

  it('wasi:http/types#fields without its aliases (headers, trailers): the resource is fields, and spawns', async () => {
    expect(
      await spawn(
        `(import "wasi:http/types@0.2.3" "[constructor]fields" (func $fields (result i32)))
         (func (export "g") (drop (call $fields)))`,
        `world w { import wasi:http/types@0.2.3; export g: func(); }
         package wasi:http@0.2.3 { interface types { resource fields { constructor(); } } }`,
        ['wasi:http/types'],
      ),
    ).toBe('spawned');
  });

  it('wasi:cli/exit#exit-with-code (WASI’s unstable cli-exit-with-code, which Keel serves) spawns', async () => {
    expect(
      await spawn(
        `(import "wasi:cli/exit@0.2.3" "exit-with-code" (func $exit (param i32)))
         (func (export "g") (call $exit (i32.const 3)))`,
        `world w { import wasi:cli/exit@0.2.3; export g: func(); }
         package wasi:cli@0.2.3 { interface exit { exit-with-code: func(status-code: u8); } }`,
        ['wasi:cli/exit'],
      ),
    ).toBe('spawned');
  });
});
