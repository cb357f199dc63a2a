/**
 * Keel's WIT packages (wit/): they parse, the guest-facing world resolves, the log levels agree
 * with the AssemblyScript SDK, and the WIT examples in docs/wit.md still resolve.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../host/kernel/errors.js';
import { GUEST_ERROR_CODES } from '../../host/sched/port.js';
import { SIGNALS } from '../../host/sched/scheduler.js';
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
  it('is one package in two versions: 0.2.0 (current) and 0.1.0 (as published)', () => {
    expect(packages.map((p) => p.name)).toEqual(['keel:kernel@0.2.0', 'keel:kernel@0.1.0']);
  });

  it('keeps log unchanged from 0.1.0 to 0.2.0', () => {
    const squash = (s: string) =>
      stripComments(s)
        .replace(/\s+/g, '')
        .replace(/package[^;]+;/, '');
    expect(squash(readFileSync(`${root}wit/keel-kernel/log.wit`, 'utf8'))).toBe(
      squash(readFileSync(`${root}wit/keel-kernel-0.1.0/log.wit`, 'utf8')),
    );
  });

  it('lets a guest world include actor@0.2.0: ipc, events, self and log imported, handler exported', async () => {
    const world = await resolveWorld(
      joinWit('package t:g@0.1.0; world g { include keel:kernel/actor@0.2.0; }', packages),
      'g',
    );
    expect(world.imports).toEqual(
      expect.arrayContaining([
        'keel:kernel/ipc@0.2.0',
        'keel:kernel/events@0.2.0',
        'keel:kernel/self@0.2.0',
        'keel:kernel/log@0.2.0',
      ]),
    );
    expect(world.exports.map((e) => e.coreName)).toEqual([
      'keel:kernel/handler@0.2.0#on-message',
      'keel:kernel/handler@0.2.0#on-reply',
      'keel:kernel/handler@0.2.0#on-event',
      'keel:kernel/handler@0.2.0#on-signal',
      'keel:kernel/handler@0.2.0#handle',
    ]);
    const onSignal = world.exports.find((e) => e.fn.name === 'on-signal')!;
    expect(onSignal.fn.params[0]!.type).toEqual({
      kind: 'enum',
      name: 'signal',
      cases: ['stop', 'cont', 'int', 'term', 'kill'],
    });
  });

  it('orders error codes, signals and reply statuses as the kernel and the AssemblyScript SDK do', () => {
    const wit = readFileSync(`${root}wit/keel-kernel/types.wit`, 'utf8');
    const sdk = readFileSync(`${root}sdk/assemblyscript/keel/types.ts`, 'utf8');
    const members = (name: string) => {
      const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(stripComments(sdk))?.[1] ?? '';
      return [...body.matchAll(/(\w+) = (\d+)/g)].map((m) => [m[1]!, Number(m[2])]);
    };
    const pascal = (c: string) => c.replace(/(^|-)([a-z])/g, (_, __, x: string) => x.toUpperCase());
    expect(enumCases(wit, 'error-code')).toEqual([...GUEST_ERROR_CODES]);
    expect(members('Status')).toEqual([
      ['Ok', 0],
      ...enumCases(wit, 'error-code').map((c, i) => [pascal(c), i + 1]),
    ]);
    expect(members('Signal')).toEqual(enumCases(wit, 'signal').map((c, i) => [pascal(c), i]));
    expect(enumCases(wit, 'signal')).toEqual([...SIGNALS]);
    expect(members('ReplyStatus')).toEqual(enumCases(wit, 'reply-status').map((c, i) => [pascal(c), i]));
    for (const code of GUEST_ERROR_CODES) expect(ERROR_CODES).toContain(code);
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
    // So are the 0.2.0 interfaces and worlds, each in its own block.
    const current = stripComments(readWitPackages(`${root}wit`)[0]!.body);
    for (const name of ['types', 'ipc', 'events', 'self', 'handler']) {
      const block = blocks.find((b) => new RegExp(`^interface ${name} \\{`, 'm').test(b));
      expect(block, `docs/wit.md shows interface ${name}`).toBeDefined();
      const start = current.indexOf(`interface ${name} {`);
      const body = current.slice(start, current.indexOf('\n}', start) + 2);
      expect(squash(block!).replace(/,}/g, '}')).toBe(squash(body).replace(/,}/g, '}'));
    }
    const actor = blocks.find((b) => b.startsWith('world actor'))!;
    expect(squash(current)).toContain(squash(actor));
    // Full packages in the doc resolve against wit/.
    for (const block of blocks.filter((b) => /^package (?!keel:kernel)/m.test(b))) {
      const world = /world\s+([a-z][a-z0-9-]*)/.exec(block)![1]!;
      await expect(resolveWorld(joinWit(block, packages), world)).resolves.toBeTruthy();
    }
  });
});
