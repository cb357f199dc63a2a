/**
 * The AssemblyScript SDK's side of IPC: enum parameters in exports, import versions matched to
 * the guest's world, the documented example guest builds, and a component imports only the
 * kernel interfaces its code calls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { generateBindings } from '../../scripts/as-sdk/bindgen.js';
import { buildGuest, importVersions } from '../../scripts/as-sdk/build.js';
import { IPC_CACHE } from './harness.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-ipc-sdk-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bindings', () => {
  it('pass an enum parameter as its case index and return one as i32', () => {
    const signal = { kind: 'enum' as const, name: 'signal', cases: ['stop', 'term'] };
    const { source } = generateBindings(
      [
        {
          interface: 'keel:kernel/handler@0.2.0',
          fn: { name: 'on-signal', params: [{ name: 'signal', type: signal }] },
          coreName: 'keel:kernel/handler@0.2.0#on-signal',
        },
        { fn: { name: 'pick', params: [], result: signal }, coreName: 'pick' },
      ],
      './index',
    );
    expect(source).toContain('export function __keel_export_0(p0_0: i32): void {');
    expect(source).toContain('__user_handler.onSignal(p0_0);');
    expect(source).toContain('return <i32>__user_pick();');
  });

  it('name the kernel version the guest world imports', () => {
    const sdk = '@external("keel:kernel/log@0.2.0", "log")\n@external("keel:kernel/ipc@0.2.0", "send")';
    expect(importVersions(sdk, ['keel:kernel/log@0.1.0'])).toBe(
      '@external("keel:kernel/log@0.1.0", "log")\n@external("keel:kernel/ipc@0.2.0", "send")',
    );
  });
});

describe('guests', () => {
  function example(): { wit: string; ts: string } {
    const doc = readFileSync(new URL('../../docs/sdk-assemblyscript.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Kernel-driven guests'));
    return {
      wit: /```wit\n([\s\S]*?)```/.exec(section)![1]!,
      ts: /```ts\n([\s\S]*?)```/.exec(section)![1]!,
    };
  }

  it('the documented example builds and imports what it calls', async () => {
    const { wit, ts } = example();
    writeFileSync(join(scratch, 'world.wit'), wit);
    writeFileSync(join(scratch, 'index.ts'), ts);
    const { component, world } = await buildGuest({
      entry: join(scratch, 'index.ts'),
      wit: join(scratch, 'world.wit'),
    });
    expect(world.exports.map((e) => e.fn.name)).toEqual([
      'on-message',
      'on-reply',
      'on-event',
      'on-signal',
      'handle',
    ]);
    const kernel = new Kernel({ cacheDir: IPC_CACHE });
    try {
      const module = await kernel.load(component, { name: 'example' });
      expect(kernel.needs(module).map((n) => `${n.interface} ${n.status}`)).toEqual([
        'keel:kernel/events needs-grant',
        'keel:kernel/ipc needs-grant',
        'keel:kernel/log needs-grant',
        'keel:kernel/self authority-free',
      ]);
    } finally {
      await kernel.close();
    }
  });

  it('a guest that only sends needs only keel:kernel/ipc (with aborts that trap, not log)', async () => {
    writeFileSync(
      join(scratch, 'world.wit'),
      'package t:sender@0.1.0;\nworld sender { include keel:kernel/actor@0.2.0; }\n',
    );
    writeFileSync(
      join(scratch, 'index.ts'),
      `import { send } from 'keel/ipc';
export namespace handler {
  export function onMessage(sender: string, body: Uint8Array, _r: u64): void { send(sender, body); }
  export function onReply(_q: u64, _s: i32, _b: Uint8Array): void {}
  export function onEvent(_t: string, _s: string, _b: Uint8Array): void {}
  export function onSignal(_s: i32): void {}
  export function handle(input: Uint8Array): Uint8Array { return input; }
}
`,
    );
    const { component } = await buildGuest({
      entry: join(scratch, 'index.ts'),
      wit: join(scratch, 'world.wit'),
      abort: 'trap',
    });
    const kernel = new Kernel({ cacheDir: IPC_CACHE });
    try {
      const module = await kernel.load(component, { name: 'sender' });
      expect(kernel.needs(module).map((n) => n.interface)).toEqual(['keel:kernel/ipc']);
      await kernel.spawn(module, { grants: ['keel:kernel/ipc'] });
    } finally {
      await kernel.close();
    }
  });
});
