/**
 * The AssemblyScript SDK's build: committed guests are exactly what their sources build
 * (deterministic asc → embed → component new), the core module speaks the canonical ABI and
 * frees what it allocates, and unsupported WIT or AssemblyScript features fail with a message
 * that names them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asName, generateBindings } from '../../scripts/as-sdk/bindgen.js';
import { buildGuest, type GuestBuild, GuestBuildError } from '../../scripts/as-sdk/build.js';
import { parseFunc, resolveWorld, WitError } from '../../scripts/as-sdk/wit.js';
import { listGuests } from '../../scripts/build-guests.js';

const guests = listGuests();
const builds = new Map<string, GuestBuild>();
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-sdk-build-'));
  for (const guest of guests)
    builds.set(guest.name, await buildGuest({ entry: guest.entry, wit: guest.wit }));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('committed AssemblyScript guests', () => {
  it('include hello and types', () => {
    expect(guests.map((g) => g.name)).toEqual(expect.arrayContaining(['hello', 'types']));
  });

  it.each(guests.map((g) => [g.name, g] as const))(
    '%s.wasm is byte-identical to a fresh build (run npm run build:guests if not)',
    (name, guest) => {
      const built = builds.get(name)!.component;
      const committed = new Uint8Array(readFileSync(guest.output));
      expect(committed.length).toBe(built.length);
      expect(Buffer.compare(committed, built)).toBe(0);
    },
  );
});

describe('canonical ABI of the hello core module', () => {
  const LOG = 'keel:kernel/log@0.1.0';
  let exports: Record<string, any>;
  let memory: WebAssembly.Memory;
  const logged: [number, string][] = [];
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();

  beforeAll(async () => {
    const core = builds.get('hello')!.core;
    const module = await WebAssembly.compile(core as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: LOG, name: 'log', kind: 'function' }]);
    const instance = await WebAssembly.instantiate(module, {
      [LOG]: {
        log: (level: number, ptr: number, len: number) => {
          logged.push([level, decoder.decode(new Uint8Array(memory.buffer, ptr, len))]);
        },
      },
    });
    exports = instance.exports as Record<string, any>;
    memory = exports.memory as WebAssembly.Memory;
  });

  /** What the host does to pass a string: cabi_realloc, then write UTF-8. */
  function lowerString(text: string): [number, number] {
    const bytes = encoder.encode(text);
    if (bytes.length === 0) return [1, 0];
    const ptr = exports.cabi_realloc(0, 0, 1, bytes.length) as number;
    new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  }

  function readSlice(area: number): [number, number] {
    const view = new DataView(memory.buffer);
    return [view.getUint32(area, true), view.getUint32(area + 4, true)];
  }

  function greet(name: string): string {
    const area = exports.greet(...lowerString(name)) as number;
    const [ptr, len] = readSlice(area);
    const text = decoder.decode(new Uint8Array(memory.buffer, ptr, len));
    exports.cabi_post_greet(area);
    return text;
  }

  function words(text: string): string[] {
    const area = exports.words(...lowerString(text)) as number;
    const [ptr, len] = readSlice(area);
    const out: string[] = [];
    for (let i = 0; i < len; i++) {
      const [p, n] = readSlice(ptr + i * 8);
      out.push(decoder.decode(new Uint8Array(memory.buffer, p, n)));
    }
    exports.cabi_post_words(area);
    return out;
  }

  it('exports memory, cabi_realloc, each function and a post-return for each result in memory', () => {
    expect(Object.keys(exports).sort()).toEqual(
      [
        'cabi_post_greet',
        'cabi_post_reverse',
        'cabi_post_words',
        'cabi_realloc',
        'fail',
        'greet',
        'memory',
        'reverse',
        'shout',
        'sum',
        'words',
      ].sort(),
    );
  });

  it('cabi_realloc honours alignment and hands out a sentinel for empty allocations', () => {
    for (const align of [1, 2, 4, 8]) {
      const ptr = exports.cabi_realloc(0, 0, align, 24) as number;
      expect(ptr % align).toBe(0);
      const grown = exports.cabi_realloc(ptr, 24, align, 4_000) as number;
      expect(grown % align).toBe(0);
      expect(exports.cabi_realloc(grown, 4_000, align, 0)).toBe(align);
    }
    expect(exports.cabi_realloc(0, 0, 4, 0)).toBe(4);
  });

  it('lifts and lowers strings and lists of strings', () => {
    expect(greet('Keel')).toBe('Hello, Keel!');
    expect(greet('')).toBe('Hello, !');
    expect(words(' a  bé 🚀 ')).toEqual(['a', 'bé', '🚀']);
    expect(words('')).toEqual([]);
    expect(logged.at(-1)).toEqual([2, 'greeted ']);
  });

  it('lifts a list<s32> and returns an s64 as a core i64', () => {
    const values = Int32Array.of(2_147_483_647, 2_147_483_647, 3);
    const ptr = exports.cabi_realloc(0, 0, 4, values.byteLength) as number;
    new Int32Array(memory.buffer, ptr, values.length).set(values);
    expect(exports.sum(ptr, values.length)).toBe(4_294_967_297n);
  });

  it('frees every argument and result: memory stops growing over many calls', () => {
    const name = 'é'.repeat(2_000);
    for (let i = 0; i < 200; i++) {
      greet(name);
      words('one two three four five');
    }
    const settled = memory.buffer.byteLength;
    for (let i = 0; i < 5_000; i++) {
      greet(name);
      words('one two three four five');
    }
    expect(memory.buffer.byteLength).toBe(settled);
  });
});

describe('WIT and bindings', () => {
  it('spells WIT names as AssemblyScript names', () => {
    expect(asName('get-value')).toBe('getValue');
    expect(asName('to-u8-list')).toBe('toU8List');
  });

  it('parses the supported function types', () => {
    expect(parseFunc('f', 'func(a: u8, b: list<string>) -> float64')).toEqual({
      name: 'f',
      params: [
        { name: 'a', type: { kind: 'scalar', name: 'u8' } },
        { name: 'b', type: { kind: 'list', element: { kind: 'string' } } },
      ],
      result: { kind: 'scalar', name: 'f64' },
    });
  });

  it('refuses types the SDK does not bind yet, naming the function and the type', () => {
    expect(() => parseFunc('lookup', 'func(key: string) -> option<string>')).toThrow(
      /lookup result: type option<string> is not supported/,
    );
    expect(() => parseFunc('f', 'func(a: list<list<u8>>)')).toThrow(WitError);
    expect(() => parseFunc('f', 'func(c: char)')).toThrow(/f\(c\): type char/);
  });

  it('resolves includes and versions through wasm-tools', async () => {
    const world = await resolveWorld(
      `package a:b@1.0.0;
       world w { include keel:kernel/plugin@0.1.0; export go: func(n: u32) -> string; }
       package keel:kernel@0.1.0 { interface log { log: func(message: string); } world plugin { import log; } }`,
      'w',
    );
    expect(world.imports).toEqual(['keel:kernel/log@0.1.0']);
    expect(world.exports).toEqual([
      {
        coreName: 'go',
        fn: {
          name: 'go',
          params: [{ name: 'n', type: { kind: 'scalar', name: 'u32' } }],
          result: { kind: 'string' },
        },
      },
    ]);
  });

  it('generates an entry that exports cabi_realloc and renames kebab-case exports', () => {
    const bindings = generateBindings(
      [
        {
          coreName: 'get-name',
          fn: { name: 'get-name', params: [], result: { kind: 'string' } },
        },
        {
          interface: 'a:b/c@1.0.0',
          coreName: 'a:b/c@1.0.0#put',
          fn: { name: 'put', params: [{ name: 'v', type: { kind: 'scalar', name: 'bool' } }] },
        },
      ],
      './index',
    );
    expect(bindings.source).toContain('export { cabi_realloc } from "keel/abi";');
    expect(bindings.source).toContain('import { getName as __user_getName, c as __user_c } from "./index";');
    expect([...bindings.renames]).toEqual([
      ['cabi_realloc', 'cabi_realloc'],
      ['__keel_export_0', 'get-name'],
      ['__keel_post_0', 'cabi_post_get-name'],
      ['__keel_export_1', 'a:b/c@1.0.0#put'],
    ]);
  });
});

describe('build failures name what is wrong', () => {
  function guest(name: string, wit: string, source: string): { entry: string; wit: string } {
    const entry = join(scratch, `${name}.ts`);
    const witFile = join(scratch, `${name}.wit`);
    writeFileSync(entry, source);
    writeFileSync(witFile, wit);
    return { entry, wit: witFile };
  }

  it('an unsupported WIT type', async () => {
    const files = guest(
      'opt',
      'package t:opt; world opt { export find: func(key: string) -> option<u32>; }',
      'export function find(key: string): u32 { return 0; }',
    );
    await expect(buildGuest({ ...files, optimizeLevel: 0 })).rejects.toThrow(
      /find result: type option<u32> is not supported/,
    );
  });

  it('a missing export in the AssemblyScript source', async () => {
    const files = guest(
      'missing',
      'package t:missing; world missing { export go: func(); }',
      'export function other(): void {}',
    );
    const failure = await buildGuest(files).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GuestBuildError);
    expect((failure as Error).message).toMatch(/asc failed[\s\S]*go/);
  });

  it('an AssemblyScript feature that needs a host import Keel does not provide', async () => {
    const files = guest(
      'random',
      'package t:random; world random { export roll: func() -> u32; }',
      'export function roll(): u32 { return <u32>(Math.random() * 6.0); }',
    );
    await expect(buildGuest({ ...files, optimizeLevel: 0 })).rejects.toThrow(
      /imports env\.seed, which no interface of its world provides/,
    );
  });

  it('a WIT file with several worlds and none chosen', async () => {
    const files = guest('two', 'package t:two; world a {} world b {}', '');
    await expect(buildGuest(files)).rejects.toThrow(/name the world to build \(declared: a, b\)/);
  });
});
