/**
 * Keel's WIT packages (wit/): they parse, the guest-facing world resolves, the log levels agree
 * with the AssemblyScript SDK, and the WIT examples in docs/wit.md still resolve.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinWit, readWitPackages, resolveWorld, stripComments } from '../../scripts/as-sdk/wit.js';

const root = new URL('../../', import.meta.url).pathname;
const packages = readWitPackages(`${root}wit`);

function enumCases(source: string, name: string): string[] {
  const body = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(stripComments(source))?.[1] ?? '';
  return body
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

describe('keel:kernel WIT', () => {
  it('is one versioned package, keel:kernel@0.1.0', () => {
    expect(packages.map((p) => p.name)).toEqual(['keel:kernel@0.1.0']);
  });

  it('lets a guest world include plugin and import keel:kernel/log@0.1.0', async () => {
    const world = await resolveWorld(
      joinWit('package t:g@0.1.0; world g { include keel:kernel/plugin@0.1.0; export f: func(); }', packages),
      'g',
    );
    expect(world.imports).toEqual(['keel:kernel/log@0.1.0']);
    expect(world.wit).toContain('import keel:kernel/log@0.1.0;');
  });

  it('orders log levels as the kernel and the AssemblyScript SDK do (trace = 0 … error = 4)', () => {
    const wit = readFileSync(`${root}wit/keel-kernel/log.wit`, 'utf8');
    expect(enumCases(wit, 'level')).toEqual(['trace', 'debug', 'info', 'warn', 'error']);
    const sdk = readFileSync(`${root}sdk/assemblyscript/keel/log.ts`, 'utf8');
    const members = [...sdk.matchAll(/^\s+(\w+) = (\d+),$/gm)].map((m) => [
      m[1]!.toLowerCase(),
      Number(m[2]),
    ]);
    expect(members).toEqual(['trace', 'debug', 'info', 'warn', 'error'].map((l, i) => [l, i]));
  });

  it('docs/wit.md shows the package as it is', async () => {
    const doc = readFileSync(`${root}docs/wit.md`, 'utf8');
    const blocks = [...doc.matchAll(/```wit\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const log = readFileSync(`${root}wit/keel-kernel/log.wit`, 'utf8');
    const squash = (s: string) => stripComments(s).replace(/\s+/g, '');
    // The interface as documented equals the package's, comments and layout aside.
    const documented = blocks.find((b) => b.includes('interface log'))!;
    expect(squash(log).replace(/,}/g, '}')).toBe(squash(documented));
    // Full packages in the doc resolve against wit/.
    for (const block of blocks.filter((b) => /^package (?!keel:kernel)/m.test(b))) {
      const world = /world\s+([a-z][a-z0-9-]*)/.exec(block)![1]!;
      await expect(resolveWorld(joinWit(block, packages), world)).resolves.toBeTruthy();
    }
  });
});
