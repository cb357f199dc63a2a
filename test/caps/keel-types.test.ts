/**
 * Keel's providers of keel:kernel declare its WIT types (wit-types/keel-kernel.wasm, built from
 * wit/keel-kernel by scripts/build-wit-types.ts): a component that imports one of its functions
 * with another type is refused at spawn, and the committed types are the build's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keelEvents } from '../../host/caps/keel-events.js';
import { keelIpc } from '../../host/caps/keel-ipc.js';
import { keelLog } from '../../host/caps/keel-log.js';
import { keelSelf } from '../../host/caps/keel-self.js';
import { Kernel } from '../../host/index.js';
import { servedTypes } from '../../host/kernel/import-types.js';
import { sha256 } from '../../scripts/build-c-guests.js';
import { componentEmbed, componentNew } from '../../scripts/lib/wasm-tools.js';
import { wat } from '../../scripts/lib/wat.js';

async function guest(core: string, wit: string): Promise<Uint8Array> {
  const embedded = await componentEmbed({
    binary: await wat(`(module ${core} (memory (export "memory") 1))`, 'guest.wat'),
    witSource: wit,
    world: 'w',
  });
  return componentNew(embedded, undefined);
}

const LOG = `(import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (func (export "f") (call $log (i32.const 2) (i32.const 0) (i32.const 0)))`;

/** What each spawn left in the event log: `capability:denied` events' data, in order. */
const denials: unknown[] = [];

async function spawnLog(declared: string): Promise<unknown> {
  const kernel = new Kernel({ cacheDir: false });
  kernel.events.subscribe('capability:denied', (event) => void denials.push(event.data));
  try {
    const bytes = await guest(
      LOG,
      `package keel:kernel@0.2.0; interface log { ${declared} } world w { import log; export f: func(); }`,
    );
    const sandbox = await kernel.spawn(await kernel.load(bytes, { name: 'logger' }), {
      grants: ['keel:kernel/log'],
    });
    sandbox.fn('f')();
    return 'ran';
  } catch (error) {
    return error;
  } finally {
    await kernel.close();
  }
}

describe('keel:kernel imports against the types Keel serves', () => {
  it('log imported as the WIT says: runs', async () => {
    expect(
      await spawnLog(
        'enum level { trace, debug, info, warn, error } log: func(level: level, message: string);',
      ),
    ).toBe('ran');
  });

  it('log imported with a u32 for its level: capability-denied naming both types', async () => {
    const outcome = (await spawnLog('log: func(level: u32, message: string);')) as {
      code: string;
      message: string;
    };
    expect(outcome.code).toBe('capability-denied');
    expect(outcome.message).toContain(
      'keel:kernel/log@0.2.0#log is imported as func(level: u32, message: string)',
    );
    expect(outcome.message).toContain('the host serves func(level: level, message: string)');
  });

  it('the refused spawn leaves a capability:denied event naming the import and the reason', async () => {
    denials.length = 0;
    await spawnLog('log: func(level: u32, message: string);');
    expect(denials).toEqual([
      { interface: 'keel:kernel/log', import: 'keel:kernel/log@0.2.0', reason: 'type-mismatch' },
    ]);
  });

  it('every keel:kernel provider declares types for each interface it serves', () => {
    for (const provider of [keelLog, keelEvents, keelIpc, keelSelf]) {
      const types = servedTypes(provider)!;
      for (const iface of provider.interfaces)
        expect(types.has(iface), `${provider.name}: ${iface}`).toBe(true);
    }
  });

  it('the four providers share one declaration, read once', () => {
    expect(servedTypes(keelIpc)).toBe(servedTypes(keelLog));
    expect(servedTypes(keelSelf)).toBe(servedTypes(keelEvents));
  });

  it('the committed types are the build record’s', () => {
    const records = JSON.parse(
      readFileSync(new URL('../../wit-types/types.json', import.meta.url), 'utf8'),
    ) as Record<string, { component: string }>;
    for (const [file, record] of Object.entries(records)) {
      expect(sha256(readFileSync(new URL(`../../wit-types/${file}`, import.meta.url))), file).toBe(
        record.component,
      );
    }
  });
});
