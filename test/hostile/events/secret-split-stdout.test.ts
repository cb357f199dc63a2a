/**
 * Attack: leak a granted secret into the log through stdout by writing it in pieces, so that
 * no single `guest:stdout` event holds all of it: one byte per write, and split once at every
 * offset. Redaction runs over the stream, not per event: no digit of the secret reaches an
 * event or the JSONL log, while the bytes the embedder's `io.stdout` receives and each event's
 * `data.bytes` are the guest's own. Before, each event was redacted on its own and the pieces
 * went through.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type ModuleHandle } from '../../../host/index.js';
import { watFile } from '../../helpers/wat.js';

// Digits only: nothing else the guest prints ("TOKEN=", newlines, "[redacted]") has one.
const SECRET = '9137448200657781';
const LINE = `TOKEN=${SECRET}\n`;
const dir = mkdtempSync(join(tmpdir(), 'keel-secret-stdout-'));
let kernel: Kernel;
let module: ModuleHandle;
const events: KeelEvent[] = [];
const log = join(dir, 'run.jsonl');

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, log });
  kernel.on('*', (event) => void events.push(event));
  module = await kernel.load(await watFile('guests/wat/hostile/events/env-chunks.wat'), {
    name: 'env-chunks',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function print(chunk: number, stream: 'stdout' | 'stderr' = 'stdout') {
  let out = '';
  const sandbox = await kernel.spawn(module, {
    grants: [
      'wasi:cli/stdout',
      'wasi:cli/stderr',
      {
        interface: 'wasi:cli/environment',
        scope: {
          env: { TOKEN: SECRET },
          args: ['env-chunks', String(chunk), ...(stream === 'stderr' ? ['stderr'] : [])],
        },
      },
    ],
    io: {
      [stream]: (bytes: Uint8Array) => {
        out += new TextDecoder().decode(bytes);
      },
    },
  });
  const first = events.length;
  await sandbox.invoke('_start');
  const mine = events.slice(first).filter((e) => e.event === `guest:${stream}` && e.sandbox === sandbox.id);
  return { out, mine };
}

function expectNoDigit(texts: string[]) {
  for (const text of texts) expect(text, JSON.stringify(texts)).not.toMatch(/[0-9]/);
}

it('one byte per write: every event is redacted, the bytes are the guest own', async () => {
  const { out, mine } = await print(1);
  expect(out).toBe(LINE);
  expect(mine).toHaveLength(LINE.length);
  expect(mine.every((e) => e.data!.bytes === 1)).toBe(true);
  const texts = mine.map((e) => e.data!.text as string);
  expectNoDigit(texts);
  expect(texts.join('')).toBe(`TOKEN=${'[redacted]'.repeat(SECRET.length)}\n`);
});

it('split once at every offset of the secret: never a piece of it in an event', async () => {
  // Writes of c bytes cut "TOKEN=<secret>" at c, 2c, ...: c = 7 … 6 + len - 1 puts the first cut
  // at every offset inside the secret.
  for (let chunk = 7; chunk < 6 + SECRET.length; chunk++) {
    const { out, mine } = await print(chunk);
    expect(out).toBe(LINE);
    expect(mine.reduce((n, e) => n + (e.data!.bytes as number), 0)).toBe(LINE.length);
    expectNoDigit(mine.map((e) => e.data!.text as string));
  }
});

it('stderr is redacted over its own stream the same way', async () => {
  const { out, mine } = await print(1, 'stderr');
  expect(out).toBe(LINE);
  expectNoDigit(mine.map((e) => e.data!.text as string));
});

it('the JSONL log holds no digit of the secret either', async () => {
  await kernel.close();
  const text = readFileSync(log, 'utf8');
  expect(text).not.toContain(SECRET);
  const outputs = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as KeelEvent)
    .filter((e) => e.event === 'guest:stdout' || e.event === 'guest:stderr');
  expect(outputs.length).toBeGreaterThan(50);
  expectNoDigit(outputs.map((e) => e.data!.text as string));
});
