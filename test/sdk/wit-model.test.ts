/**
 * The WIT model every SDK generator shares: the parser (escapes, nested comments, gates,
 * nested packages), resolution (uses point at one definition, exported interfaces get their
 * own types), and the canonical ABI's layout and flattening, checked against CanonicalABI.md's
 * rules on types where the answer is known.
 */
import { describe, expect, it } from 'vitest';
import { align, coreSignature, flat, memberOffsets, payloadOffset, size } from '../../scripts/sdk/wit/abi.js';
import { loadWorld, readWitPackages } from '../../scripts/sdk/wit/load.js';
import { type Interface, PackageSet, type Type, typeOwners } from '../../scripts/sdk/wit/model.js';
import { parseWit, WitSyntaxError } from '../../scripts/sdk/wit/syntax.js';

const KEEL = readWitPackages(new URL('../../wit', import.meta.url).pathname);

describe('parser', () => {
  it('reads escaped keywords, nested block comments, feature gates and nested packages', () => {
    const file = parseWit(`
      package a:b@1.2.3-rc.1+build.5;
      /* outer /* inner */ still a comment */
      @since(version = 1.0.0)
      interface %interface {
        @unstable(feature = x)
        record %record { %u8: u8, %type: string, }
        %func: func(%list: list<u8>) -> result<_, string>;
      }
      package c:d { interface e { f: func(); } }
    `);
    expect(file.package).toBe('a:b@1.2.3-rc.1+build.5');
    expect(file.interfaces[0]!.name).toBe('interface');
    expect(file.interfaces[0]!.types[0]).toMatchObject({ kind: 'record', name: 'record' });
    expect(file.interfaces[0]!.funcs[0]!.name).toBe('func');
    expect(file.nested.map((p) => p.name)).toEqual(['c:d']);
  });

  it('refuses what is not WIT, with a position', () => {
    expect(() => parseWit('package a:b;\ninterface x { f: func() -> ; }')).toThrow(WitSyntaxError);
    expect(() => parseWit('package a:b;\ninterface x { "q": func(); }')).toThrow(/line 2/);
    expect(() => parseWit('package a:b;\ninterface x { a_b: func(); }')).toThrow(WitSyntaxError);
  });
});

describe('model', () => {
  it('resolves uses to the defining interface, across packages and versions', () => {
    const set = new PackageSet([
      { text: 'package t:a@1.0.0; interface types { enum e { x, y } }', where: 'a' },
      {
        text: 'package t:b; interface i { use t:a/types@1.0.0.{e as renamed}; f: func(v: renamed); }',
        where: 'b',
      },
    ]);
    const i = set.interface('t:b', 'i');
    const param = i.funcs[0]!.params[0]!.type as Extract<Type, { kind: 'ref' }>;
    expect(param.def.name).toBe('e');
    expect((param.def.owner as Interface).id).toBe('t:a/types@1.0.0');
  });

  it('gives an interface both imported and exported two sets of types', async () => {
    const { world } = await loadWorld(
      `package t:g@0.1.0;
       interface i { resource r; f: func(x: r); }
       world w { import i; export i; }`,
      KEEL,
    );
    const imported = world.imports.find((x) => x.kind === 'interface')!;
    const exported = world.exports.find((x) => x.kind === 'interface')!;
    expect(imported.kind === 'interface' && imported.iface.direction).toBe('import');
    expect(exported.kind === 'interface' && exported.iface.direction).toBe('export');
    expect(typeOwners(world).filter((o) => o.kind === 'interface' && o.id === 't:g/i@0.1.0')).toHaveLength(2);
  });

  it('flattens includes and brings in the interfaces that uses need (keel:kernel/types)', async () => {
    const { world } = await loadWorld(
      'package t:g@0.1.0; world w { include keel:kernel/actor@0.2.0; }',
      KEEL,
    );
    const ids = world.imports.flatMap((x) => (x.kind === 'interface' ? [x.iface.id] : []));
    expect(ids).toEqual(expect.arrayContaining(['keel:kernel/types@0.2.0', 'keel:kernel/ipc@0.2.0']));
  });

  it('reports invalid WIT with wasm-tools’ message', async () => {
    await expect(loadWorld('package t:g; world w { import nothing-here; }', KEEL)).rejects.toThrow(
      /invalid WIT for world w/,
    );
  });
});

describe('canonical ABI layout', () => {
  const u8: Type = { kind: 'prim', name: 'u8' };
  const u32: Type = { kind: 'prim', name: 'u32' };
  const u64: Type = { kind: 'prim', name: 'u64' };
  const f32: Type = { kind: 'prim', name: 'f32' };
  const f64: Type = { kind: 'prim', name: 'f64' };
  const str: Type = { kind: 'prim', name: 'string' };

  it('sizes and aligns records and tuples with padding', () => {
    const t: Type = { kind: 'tuple', types: [u8, u64, u8] };
    expect([size(t), align(t)]).toEqual([24, 8]);
    expect(memberOffsets(t)).toEqual([0, 8, 16]);
    expect([size(str), align(str)]).toEqual([8, 4]);
  });

  it('places a variant’s payload after its discriminant, aligned', () => {
    const r: Type = { kind: 'result', ok: u64, err: str };
    expect([size(r), align(r), payloadOffset(r)]).toEqual([16, 8, 8]);
    const o: Type = { kind: 'option', some: u8 };
    expect([size(o), payloadOffset(o)]).toEqual([2, 1]);
  });

  it('joins variant payloads’ core types', () => {
    expect(flat({ kind: 'result', ok: f32, err: u32 })).toEqual(['i32', 'i32']);
    expect(flat({ kind: 'result', ok: f64, err: u32 })).toEqual(['i32', 'i64']);
    expect(flat({ kind: 'result', ok: f32, err: f64 })).toEqual(['i32', 'i64']);
    expect(flat({ kind: 'option', some: str })).toEqual(['i32', 'i32', 'i32']);
  });

  it('spills parameters beyond 16 flat values and results beyond one', () => {
    const params = Array.from({ length: 17 }, (_, i) => ({ name: `p${i}`, type: u32 }));
    const f = { name: 'f', kind: 'freestanding' as const, params, result: str };
    expect(coreSignature(f, 'import')).toMatchObject({
      params: ['i32', 'i32'],
      results: [],
      paramsInMemory: true,
    });
    expect(coreSignature(f, 'export')).toMatchObject({
      params: ['i32'],
      results: ['i32'],
      resultInMemory: true,
    });
  });
});
