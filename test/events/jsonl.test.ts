import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CapabilityProvider,
  EVENTS,
  EventBus,
  eventJsonSchema,
  eventRecordSchema,
  JsonlSink,
  Kernel,
} from '../../host/index.js';
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
      const result = eventRecordSchema().safeParse(event);
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

describe('JsonlSink buffer', () => {
  /** A destination that acknowledges nothing until `release()`: everything stays buffered. */
  function heldDestination() {
    const held: ((error?: Error | null) => void)[] = [];
    const chunks: string[] = [];
    let open = false;
    return {
      stream: {
        writableLength: 0,
        on() {},
        write(chunk: string, done?: (error?: Error | null) => void) {
          chunks.push(String(chunk));
          if (done && open) setImmediate(done);
          else if (done) held.push(done);
          return true;
        },
      },
      release() {
        open = true;
        for (const done of held.splice(0)) done();
      },
      text: () => chunks.join(''),
    };
  }

  it('holds lines of multibyte text up to the cap exactly, never past it, and writes them whole', async () => {
    const cap = 64 * 1024;
    const destination = heldDestination();
    const bus = new EventBus({ session: 'ses_test' });
    const sink = new JsonlSink({ destination: destination.stream, maxBufferBytes: cap }).attach(bus);
    const message = '€'.repeat(100); // 300 bytes of UTF-8 in 100 characters
    for (let i = 0; i < 1000; i++) bus.emit({ event: EVENTS.guestLog, data: { message, i } });
    const stats = sink.stats;
    expect(stats.peakBufferedBytes).toBeLessThanOrEqual(cap);
    // Counted at their real size: the buffer is filled to within one line of the room kept for
    // the report of drops (1 KiB), not refused at the worst case of 3 bytes a character.
    expect(stats.dropped).toBeGreaterThan(0);
    const lineBytes = 460; // each line: about 440 bytes (checked below)
    expect(stats.bufferedBytes).toBeGreaterThan(cap - 1024 - lineBytes);
    await new Promise((resolve) => setImmediate(resolve));
    destination.release();
    await sink.close();
    const lines = destination.text().trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line));
    const logged = parsed.filter((e) => e.event === 'guest:log');
    expect(logged.every((e, i) => e.data.i === i && e.data.message === message)).toBe(true);
    expect(Buffer.byteLength(`${lines[0]}\n`)).toBeLessThan(lineBytes);
    const report = parsed.find((e) => e.event === 'log:dropped');
    expect(logged.length + report.data.dropped).toBe(1000);
  });
});
