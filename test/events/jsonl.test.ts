import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CapabilityProvider, EventRecordSchema, eventJsonSchema, Kernel } from '../../host/index.js';
import {
  ADDER_WAT,
  ADDER_WIT,
  componentFromWat,
  PREVIEW1_ENV_WAT,
  tempCacheDir,
} from '../helpers/components.js';
import { wat } from '../helpers/wat.js';

describe('JSONL event log', () => {
  it('every line of a real run validates against schema v1', async () => {
    const dir = tempCacheDir();
    const log = join(dir, 'logs', 'run.jsonl');
    const never: CapabilityProvider = { name: 'never', interfaces: [], coreImports: [], link: () => ({}) };
    const kernel = new Kernel({
      cacheDir: dir,
      log,
      providers: [never],
      redact: { values: ['s3cret-value'] },
    });
    kernel.on('sandbox:spawn', () => {
      throw new Error('a broken observer');
    });
    const adder = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'), { name: 'adder' });
    const sandbox = await kernel.spawn(adder);
    await sandbox.invoke('docs:adder/add#add', [1, 2]);
    await sandbox.invoke('boom').catch(() => {});
    const hello = await kernel.load(await wat(PREVIEW1_ENV_WAT), { name: 'env-printer' });
    const printer = await kernel.spawn(hello, {
      grants: [
        'wasi:cli/stdin',
        'wasi:cli/stdout',
        'wasi:cli/stderr',
        { interface: 'wasi:cli/environment', scope: { env: { TOKEN: 's3cret-value' } } },
      ],
    });
    await printer.invoke('wasi:cli/run#run');
    await kernel.load(new Uint8Array([1, 2, 3])).catch(() => {});
    await kernel.spawn(await kernel.load(await wat('(module (import "env" "x" (func)))'))).catch(() => {});
    await kernel.close();

    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const events = lines.map((line) => JSON.parse(line));
    for (const event of events) {
      const result = EventRecordSchema.safeParse(event);
      expect(result.success, `${JSON.stringify(event)}: ${result.error?.message}`).toBe(true);
    }
    const names = new Set(events.map((e) => e.event));
    for (const name of [
      'kernel:start',
      'module:load',
      'sandbox:spawn',
      'invoke:start',
      'invoke:end',
      'invoke:error',
      'sandbox:crash',
      'guest:stdout',
      'capability:denied',
      'hook:error',
      'kernel:stop',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(events.every((e) => e.session === events[0].session)).toBe(true);
    // The guest printed its environment; the secret value never reached the log.
    expect(readFileSync(log, 'utf8')).not.toContain('s3cret-value');
    expect(readFileSync(log, 'utf8')).toContain('TOKEN=[redacted]');
  });

  it('publishes the schema as JSON Schema in docs/event.schema.json, kept current', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../docs/event.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(eventJsonSchema());
  });
});
