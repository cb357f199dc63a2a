/**
 * Attack: leak a granted secret through keel:kernel/log by logging it in pieces: one character
 * per message, and split once at every offset, inside ordinary text. The guest's log is
 * redacted over its stream of messages: no digit of the secret reaches a `guest:log` event,
 * and the messages keep their order and the text around the secret.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type Sandbox } from '../../../host/index.js';
import { eventsGuest } from './guests.js';

const SECRET = '9137448200657781';
let kernel: Kernel;
let sandbox: Sandbox;
const events: KeelEvent[] = [];

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  kernel.on('guest:log', (event) => void events.push(event));
  const module = await kernel.load(await eventsGuest('log-chars'), { name: 'log-chars' });
  // The secret is granted to the guest (as its environment); it never reads it here, the
  // embedder hands it over as the argument, as a guest that read it would.
  sandbox = await kernel.spawn(module, {
    grants: ['keel:kernel/log', { interface: 'wasi:cli/environment', scope: { env: { TOKEN: SECRET } } }],
  });
});
afterAll(() => kernel.close());

async function logPieces(text: string, size: number): Promise<string[]> {
  events.length = 0;
  await sandbox.invoke('log-pieces', [text, size]);
  return events.map((e) => e.data!.message as string);
}

it('one character per message', async () => {
  const text = `token is ${SECRET}, keep it`;
  const messages = await logPieces(text, 1);
  expect(messages).toHaveLength(text.length);
  for (const message of messages) expect(message).not.toMatch(/[0-9]/);
  expect(messages.join('')).toBe(`token is ${'[redacted]'.repeat(SECRET.length)}, keep it`);
});

it('split once at every offset of the secret', async () => {
  const prefix = 'token: ';
  for (let size = prefix.length + 1; size < prefix.length + SECRET.length; size++) {
    const messages = await logPieces(`${prefix}${SECRET} end`, size);
    for (const message of messages) expect(message, JSON.stringify(messages)).not.toMatch(/[0-9]/);
    expect(messages.join('').startsWith(prefix)).toBe(true);
    expect(messages.join('').endsWith(' end')).toBe(true);
  }
});

it('a secret whole in one message is redacted and nothing is held back', async () => {
  expect(await logPieces(`a ${SECRET} b`, 1000)).toEqual(['a [redacted] b']);
});
