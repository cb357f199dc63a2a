/**
 * Outgoing HTTP from a real guest: StarlingMonkey's `fetch` (componentize-js), over
 * `wasi:http`, to a server on 127.0.0.1 that the grant names; in both placements (a worker
 * sandbox's requests run on the kernel's event loop, an inline one's block on the network thread).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeelEvent, Kernel, type ModuleHandle } from '../../../host/index.js';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { SHARED_CACHE } from '../harness.js';

let server: TestServer;
const events: KeelEvent[] = [];

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const served = async () => Number(await (await fetch(server.url('/count'))).text());

describe.each(PLACEMENTS)('outgoing HTTP from a fetch guest (%s)', (placement) => {
  let kernel: Kernel;
  let guest: ModuleHandle;

  beforeAll(async () => {
    kernel = new Kernel({ cacheDir: SHARED_CACHE, placement });
    kernel.on('*', (event) => {
      events.push(event);
    });
    guest = await kernel.load(
      new Uint8Array(readFileSync(new URL('../../../guests/js/http/build/http.wasm', import.meta.url))),
    );
  }, 180_000);

  afterAll(async () => {
    await kernel?.close();
  });

  async function sandbox(scope: Record<string, unknown>) {
    const box = await kernel.spawn(guest, {
      grants: [
        'wasi:clocks/*',
        'wasi:random/*',
        'wasi:cli/stderr',
        { interface: 'wasi:http/outgoing-handler', scope },
      ],
    });
    expect(box.placement).toBe(placement);
    return box;
  }

  it('GETs an allowed URL, with events that show the authority and never the path or body', async () => {
    const box = await sandbox({ allow: [server.url('')] });
    const mark = events.length;
    expect(await box.call('get', server.url('/hello?token=s3cret'))).toBe('200 hi');
    const http = events.slice(mark).filter((e) => e.event.startsWith('http:'));
    expect(http.map((e) => e.event)).toEqual(['http:request', 'http:response']);
    expect(http[1]!.data).toMatchObject({
      method: 'GET',
      authority: `127.0.0.1:${server.port}`,
      status: 200,
      bytes: 2,
    });
    expect(JSON.stringify(http)).not.toContain('s3cret');
  });

  it('streams a request body, sends the authority as Host and redacts secret headers in events', async () => {
    const box = await sandbox({ allow: [server.url('')] });
    const mark = events.length;
    const answer = (await box.call(
      'send',
      'POST',
      server.url('/echo'),
      JSON.stringify({ 'x-probe': 'p1', authorization: 'Bearer s3cret-token' }),
      'x'.repeat(200_000),
    )) as string;
    expect(answer.startsWith('200 ')).toBe(true);
    expect(JSON.parse(answer.slice(4))).toEqual({
      method: 'POST',
      host: `127.0.0.1:${server.port}`,
      probe: 'p1',
      length: 200_000,
    });
    expect(JSON.stringify(events.slice(mark))).not.toContain('s3cret-token');
  });

  it('refuses a host, a port and a method the grant does not name, before any connection', async () => {
    const box = await sandbox({
      allow: [{ host: '127.0.0.1', schemes: ['http'], ports: [server.port], methods: ['GET'] }],
    });
    const before = await served();
    const mark = events.length;
    expect(await box.call('get', `http://127.0.0.2:${server.port}/hello`)).toMatch(/^error:/);
    expect(await box.call('get', `http://127.0.0.1:${server.port + 1}/hello`)).toMatch(/^error:/);
    expect(await box.call('send', 'POST', server.url('/echo'), '{}', 'x')).toMatch(/^error:/);
    expect(await served()).toBe(before);
    const denied = events.slice(mark).filter((e) => e.event === 'capability:denied');
    expect(denied.map((e) => (e.data as { authority: string }).authority)).toEqual([
      `127.0.0.2:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      `127.0.0.1:${server.port}`,
    ]);
  });

  it('hands a redirect to the guest unless the grant follows them, and checks every hop', async () => {
    const to = `http://localhost:${server.port}/hello`;
    const plain = await sandbox({ allow: [server.url('')] });
    expect(
      await plain.call('get', server.url(`/redirect?to=${encodeURIComponent(server.url('/hello'))}`)),
    ).toMatch(/^(200 hi|302)/);
    const following = await sandbox({ allow: [server.url('')], maxRedirects: 3 });
    expect(
      await following.call('get', server.url(`/redirect?to=${encodeURIComponent(server.url('/hello'))}`)),
    ).toBe('200 hi');
    const before = await served();
    expect(await following.call('get', server.url(`/redirect?to=${encodeURIComponent(to)}`))).toMatch(
      /^error:/,
    );
    // The first hop was served; the refused second one never left the host.
    expect(await served()).toBe(before + 1);
  });

  it('refuses a name that resolves to a private address unless the rule names the range', async () => {
    const byName = await sandbox({ allow: [`http://localhost:${server.port}`] });
    const before = await served();
    expect(await byName.call('get', `http://localhost:${server.port}/hello`)).toMatch(/^error:/);
    expect(await served()).toBe(before);
    const named = await sandbox({
      allow: [
        { host: 'localhost', schemes: ['http'], ports: [server.port], addresses: ['127.0.0.0/8', '::1/128'] },
      ],
    });
    expect(await named.call('get', `http://localhost:${server.port}/hello`)).toBe('200 hi');
  });

  it('gives up on a slow server at the time cap, holding the kernel no longer', async () => {
    const box = await sandbox({ allow: [server.url('')], timeoutMs: 300 });
    const started = performance.now();
    expect(await box.call('get', server.url('/slow'))).toMatch(/^error:/);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('refuses a response over the byte cap', async () => {
    const box = await sandbox({ allow: [server.url('')], maxResponseBytes: 1024 * 1024 });
    const mark = events.length;
    expect(await box.call('get', server.url('/huge?mib=2'))).toMatch(/^error:/);
    expect(events.slice(mark).find((e) => e.event === 'http:response')?.data).toMatchObject({
      error: 'HTTP-response-body-size',
    });
    const big = await sandbox({ allow: [server.url('')], maxResponseBytes: 4 * 1024 * 1024 });
    expect(((await big.call('get', server.url('/huge?mib=2'))) as string).length).toBe(4 + 2 * 1024 * 1024);
  });
});
