import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planComponent } from '../../host/abi/plan.js';
import { funcText } from '../../host/abi/wit.js';
import { parse } from '../../scripts/lib/wasm-tools.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

/** What jco 1.12's glue reads from its imports object, for the same components. */
const JCO_IMPORTS: Record<string, string[]> = {
  'guests/as/types/types.wasm': [],
  'guests/as/probe/probe.wasm': [
    'keel:kernel/events',
    'keel:kernel/ipc',
    'keel:kernel/log',
    'keel:kernel/self',
  ],
  'guests/c/files/files.wasm': [
    'wasi:cli/exit',
    'wasi:cli/stderr',
    'wasi:cli/stdin',
    'wasi:cli/stdout',
    'wasi:cli/terminal-input',
    'wasi:cli/terminal-output',
    'wasi:cli/terminal-stderr',
    'wasi:cli/terminal-stdin',
    'wasi:cli/terminal-stdout',
    'wasi:filesystem/preopens',
    'wasi:filesystem/types',
    'wasi:io/error',
    'wasi:io/streams',
  ],
  'guests/js/bench/build/bench.wasm': [
    'keel:bench/host',
    'wasi:http/types',
    'wasi:io/poll',
    'wasi:io/streams',
  ],
};

const unversioned = (name: string) => name.replace(/@.*$/, '');

describe('component plans', () => {
  it('needs exactly the imports jco 1.12 linked, for the guests of every toolchain', () => {
    for (const [file, expected] of Object.entries(JCO_IMPORTS)) {
      const plan = planComponent(readFileSync(root(file)));
      const used = plan.imports.filter((i) => i.used).map((i) => unversioned(i.name));
      expect(used.sort(), file).toEqual(expected);
    }
  });

  it('inlines the nested components of interface exports and keeps WIT signatures', () => {
    const plan = planComponent(readFileSync(root('guests/as/types/types.wasm')));
    expect([...plan.exports.keys()]).toEqual(
      expect.arrayContaining(['join', 'numbers', 'keel:types/text@0.1.0', 'sixteen']),
    );
    const text = plan.exports.get('keel:types/text@0.1.0');
    expect(text?.sort).toBe('instance');
    const upper = text?.sort === 'instance' ? text.exports.get('upper') : undefined;
    expect(upper?.sort === 'func' && funcText(upper.func.type)).toBe('func(s: string) -> string');
    expect(plan.modules).toHaveLength(1);
    expect(plan.instantiations).toHaveLength(1);
  });

  it('plans a composed C component (adapter, shim and fixup modules, resources)', () => {
    const plan = planComponent(readFileSync(root('guests/c/files/files.wasm')));
    expect(plan.modules).toHaveLength(4);
    expect(plan.trampolines.filter((t) => t.kind === 'resource.drop').length).toBeGreaterThan(3);
    expect(plan.exports.has('wasi:cli/run@0.2.3')).toBe(true);
  });
});

async function component(wat: string): Promise<Uint8Array> {
  return parse(wat);
}

describe('refusals and malformed input are invalid-module, never a stack trace', () => {
  const refused = async (wat: string, message: RegExp) => {
    const bytes = await component(wat);
    expect(() => planComponent(bytes)).toThrow(
      expect.objectContaining({ code: 'invalid-module', message: expect.stringMatching(message) }),
    );
  };

  it('refuses stream and future types as component-model async', async () => {
    await refused(
      '(component (type (stream u8)))',
      /component-model async is not supported yet: stream types/,
    );
    await refused(
      '(component (type (future u8)))',
      /component-model async is not supported yet: future types/,
    );
  });

  it('refuses the async builtins and async functions', async () => {
    await refused(
      '(component (core func (canon task.return)))',
      /component-model async is not supported yet/,
    );
    await refused(
      '(component (type (func async)))',
      /component-model async is not supported yet: async function types/,
    );
  });

  it('checks every name against the name grammar', async () => {
    await refused('(component (import "a\\22b" (func)))', /import name "a\\"b" not a plain name/);
    await refused(
      '(component (type (record (field "X_y" u8))))',
      /record field name "X_y" not a kebab-case label/,
    );
  });

  it('refuses component imports, naming them', async () => {
    await refused('(component (import "c" (component)))', /imports of components \("c"\)/);
  });

  it('names a bad index and its section', async () => {
    await refused(
      '(component (alias core export 3 "f" (core func)))',
      /core instance index 3 is out of bounds/,
    );
  });

  it('checks canon lift against the core signature', async () => {
    await refused(
      `(component
        (core module $m (func (export "f") (param i32) (result i32) (local.get 0)))
        (core instance $i (instantiate $m))
        (func (param "x" u64) (result u32) (canon lift (core func $i "f"))))`,
      /canon lift of a core function of type \(i32\) -> \(i32\) as a function whose flat type is \(i64\) -> \(i32\)/,
    );
  });

  it('checks every core import is satisfied', async () => {
    await refused(
      `(component
        (core module $m (import "env" "f" (func)))
        (core instance $i (instantiate $m)))`,
      /import "env\.f" has no instantiation argument/,
    );
  });

  it('reports truncated bytes as malformed', async () => {
    const bytes = readFileSync(root('guests/as/types/types.wasm'));
    for (const cut of [9, 40, 200, 5000]) {
      expect(() => planComponent(bytes.subarray(0, cut))).toThrow(
        expect.objectContaining({ code: 'invalid-module' }),
      );
    }
  });

  it('requires memory and realloc where the type needs them', async () => {
    await refused(
      `(component
        (core module $m (func (export "f") (param i32 i32)))
        (core instance $i (instantiate $m))
        (func (param "s" string) (canon lift (core func $i "f"))))`,
      /canon lift needs a memory option/,
    );
  });
});
