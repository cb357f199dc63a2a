/**
 * `keel inspect` as a new user reads it: WIT types for every export (world-level and interface
 * exports alike), resources with their methods, the exact `--invoke` name of each function, and
 * no `--grant` asked for what `keel run` always grants.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../helpers/components.js';
import { keel, lastJson, scratchDir } from './harness.js';

const dir = scratchDir('inspect');
const cache = join(dir, 'cache');
const files: Record<string, string> = {};

/** An interface exporting a resource (constructor, method, static function) and a function returning a result. */
const COUNTER_WAT = `(module
  (import "[export]docs:res/counter@0.1.0" "[resource-new]counter" (func $new (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "negative")
  (func (export "docs:res/counter@0.1.0#[constructor]counter") (param i32) (result i32) (call $new (local.get 0)))
  (func (export "docs:res/counter@0.1.0#[method]counter.add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "docs:res/counter@0.1.0#[static]counter.zero") (result i32) (call $new (i32.const 0)))
  (func (export "docs:res/counter@0.1.0#check") (param i32) (result i32)
    (if (i32.lt_s (local.get 0) (i32.const 0)) (then
      (i32.store8 (i32.const 0) (i32.const 1))
      (i32.store (i32.const 4) (i32.const 100))
      (i32.store (i32.const 8) (i32.const 8))
      (return (i32.const 0))))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get 0))
    (i32.const 0)))`;

const COUNTER_WIT = `package docs:res@0.1.0;
interface counter {
  enum mode { up, down }
  resource counter {
    constructor(start: u32);
    add: func(n: u32) -> u32;
    zero: static func() -> counter;
  }
  check: func(n: s32) -> result<s32, string>;
}
world res { export counter; }`;

beforeAll(async () => {
  const write = (name: string, bytes: Uint8Array) => {
    files[name] = join(dir, `${name}.wasm`);
    writeFileSync(files[name], bytes);
  };
  write('adder', await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
  write('counter', await componentFromWat(COUNTER_WAT, COUNTER_WIT, 'res'));
});

describe('keel inspect', () => {
  it('shows WIT types for interface and world exports, with the --invoke name of each', () => {
    const r = keel(['inspect', files.adder!], { cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n {2}shout: func\(s: string\) -> string +--invoke shout\n/);
    expect(r.stdout).toMatch(
      /\n {2}docs:adder\/add@0\.1\.0\n {4}add: func\(x: u32, y: u32\) -> u32 +--invoke docs:adder\/add#add\n/,
    );
    // No JavaScript types anywhere.
    expect(r.stdout).not.toMatch(/number|bigint|Uint8Array|void/);
    // Sizes people read: `1,006 bytes`, `14.0 KiB (14,299 bytes)`, never `14299B (14299 bytes)`.
    expect(r.stdout).toMatch(/^adder {2}component, \d,\d{3} bytes$/m);
    const hello = keel(['inspect', 'guests/as/hello/hello.wasm'], { cache });
    expect(hello.stdout).toMatch(/^hello {2}component, \d+\.\d KiB \(\d{2},\d{3} bytes\)$/m);
    expect(r.stdout).not.toMatch(/\d+B\b/);
  });

  it('shows resources with their constructor, methods and static functions, and named types', () => {
    const r = keel(['inspect', files.counter!], { cache });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      [
        '  docs:res/counter@0.1.0',
        '    enum mode { up, down }',
        '    resource counter',
        '      constructor(start: u32)',
        '      add: func(n: u32) -> u32',
        '      zero: static func() -> counter',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(
      / {4}check: func\(n: s32\) -> result<s32, string> +--invoke docs:res\/counter#check\n/,
    );
    expect(r.stdout).not.toMatch(/#add|addfunc/);
    const json = lastJson(keel(['inspect', files.counter!, '--json'], { cache }).stdout);
    expect(json.exports).toEqual([
      {
        name: 'docs:res/counter@0.1.0',
        kind: 'interface',
        functions: [
          {
            name: 'check',
            signature: 'func(n: s32) -> result<s32, string>',
            invoke: 'docs:res/counter#check',
          },
        ],
        resources: [
          {
            name: 'counter',
            functions: [
              'constructor(start: u32)',
              'add: func(n: u32) -> u32',
              'zero: static func() -> counter',
            ],
          },
        ],
        types: ['enum mode { up, down }'],
      },
    ]);
  });

  it('the --invoke name it shows works, and a result from an interface export is tagged', () => {
    const ok = keel(
      ['run', files.counter!, '--invoke', 'docs:res/counter#check', '--args', '[5]', '--json'],
      {
        cache,
      },
    );
    expect(lastJson(ok.stdout)).toMatchObject({ ok: true, value: { tag: 'ok', val: 5 } });
    const err = keel(
      ['run', files.counter!, '--invoke', 'docs:res/counter#check', '--args', '[-1]', '--json'],
      {
        cache,
      },
    );
    expect(lastJson(err.stdout)).toMatchObject({ ok: true, value: { tag: 'err', val: 'negative' } });
  });
});
