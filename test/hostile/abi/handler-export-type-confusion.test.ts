/**
 * Attack: a component exports `keel:kernel/handler` (the interface the kernel calls to deliver
 * messages, replies, events and signals) with a type of its own choosing: `on-message` taking a
 * `u32` sender where Keel's WIT has a `string`. Before, it loaded and spawned, and its first
 * message ended its sandbox as `invalid-argument` (the kernel's own call refused) with
 * `sandbox:exit status ok`. Now the load is refused, `invalid-module` naming the export, the
 * function and both WIT types (docs/abi.md, "Export types"). Component-model subtyping in the
 * export direction: a handler with more functions than Keel's, or without some of Keel's, loads
 * (Keel calls only the functions it names, each at Keel's type).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { expectContained, hostileComponent, launch } from './support.js';

const REALLOC = `(global $bump (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))
    (local.get $p))
  (global $got (mut i32) (i32.const 0))
  (func (export "got") (result i32) (global.get $got))`;

/** A component exporting keel:kernel/handler@0.2.0 declared as `handler` (WIT), with `core` functions. */
function handler(witHandler: string, core: string, extraWit = ''): Promise<Uint8Array> {
  return hostileComponent(
    `${REALLOC}\n${core}`,
    `world w { export keel:kernel/handler@0.2.0; export got: func() -> u32; }
     package keel:kernel@0.2.0 { ${extraWit} interface handler { ${witHandler} } }`,
  );
}

const ON_MESSAGE_CORE = (params: string) =>
  `(func (export "keel:kernel/handler@0.2.0#on-message") (param ${params})
     (global.set $got (i32.add (global.get $got) (i32.const 1))))`;

describe('handler-export-type-confusion', () => {
  it('on-message exported with a u32 sender: invalid-module at load, naming the export and both types', async () => {
    const aftermath = await launch({
      component: () =>
        handler(
          'on-message: func(sender: u32, body: list<u8>, request: u64);',
          ON_MESSAGE_CORE('i32 i32 i32 i64'),
        ),
    });
    expectContained(aftermath, 'invalid-module');
    const message = aftermath.error!.message;
    expect(message).toContain(
      'hostile exports keel:kernel/handler@0.2.0 with types Keel does not call it at',
    );
    expect(message).toContain(
      'keel:kernel/handler@0.2.0#on-message is exported as func(sender: u32, body: list<u8>, request: u64)',
    );
    expect(message).toContain("Keel's WIT has func(sender: string, body: list<u8>, request: u64)");
    expect(aftermath.error!.details).toEqual({
      export: 'keel:kernel/handler@0.2.0',
      interface: 'keel:kernel/handler',
      reason: 'type-mismatch',
    });
  });

  it('the refused load leaves a module:load error event with the code', async () => {
    const kernel = new Kernel({ cacheDir: false });
    const loads: unknown[] = [];
    kernel.events.subscribe('module:load', (event) => void loads.push(event));
    try {
      const bytes = await handler(
        'on-message: func(sender: u32, body: list<u8>, request: u64);',
        ON_MESSAGE_CORE('i32 i32 i32 i64'),
      );
      await expect(kernel.load(bytes, { name: 'confused' })).rejects.toMatchObject({
        code: 'invalid-module',
      });
      expect(loads).toEqual([
        expect.objectContaining({
          status: 'error',
          module: 'confused',
          error: expect.objectContaining({ code: 'invalid-module' }),
        }),
      ]);
      expect(kernel.sandboxes).toEqual([]);
    } finally {
      await kernel.close();
    }
  });

  it('on-signal exported with an enum of other names: invalid-module', async () => {
    const aftermath = await launch({
      component: () =>
        handler(
          'enum signal { stop, cont, int, term, hup } on-signal: func(signal: signal);',
          `(func (export "keel:kernel/handler@0.2.0#on-signal") (param i32))`,
        ),
    });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toContain('keel:kernel/handler@0.2.0#');
    expect(aftermath.error!.message).toContain('enum { stop, cont, int, term, hup }');
  });

  it('handle (the embedder-facing function) exported taking a string: invalid-module', async () => {
    const aftermath = await launch({
      component: () =>
        handler(
          'handle: func(input: string) -> list<u8>;',
          `(func (export "keel:kernel/handler@0.2.0#handle") (param i32 i32) (result i32) (i32.const 0))`,
        ),
    });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toContain(
      "keel:kernel/handler@0.2.0#handle is exported as func(input: string) -> list<u8>, Keel's WIT has func(input: list<u8>) -> list<u8>",
    );
  });

  it('on-message exported with a result: invalid-module', async () => {
    const aftermath = await launch({
      component: () =>
        handler(
          'on-message: func(sender: string, body: list<u8>, request: u64) -> u32;',
          `(func (export "keel:kernel/handler@0.2.0#on-message") (param i32 i32 i32 i32 i64) (result i32) (i32.const 7))`,
        ),
    });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toContain('-> u32');
  });

  it("a handler with Keel's on-message, another function of its own and none of the others: loads, and a message reaches it", async () => {
    const kernel = new Kernel({ cacheDir: false });
    try {
      const bytes = await handler(
        'on-message: func(sender: string, body: list<u8>, request: u64); extra: func() -> u32;',
        `${ON_MESSAGE_CORE('i32 i32 i32 i32 i64')}
         (func (export "keel:kernel/handler@0.2.0#extra") (result i32) (i32.const 7))`,
      );
      const sandbox = await kernel.spawn(await kernel.load(bytes, { name: 'subtype' }));
      kernel.sched.send(sandbox, 'hello');
      await kernel.sched.run();
      expect(sandbox.state).toBe('ready');
      expect(sandbox.fn('got')()).toBe(1);
      expect(sandbox.fn('keel:kernel/handler#extra')()).toBe(7);
    } finally {
      await kernel.close();
    }
  });
});
