/**
 * Attack: an allowed server (or one the attacker controls behind an allowed name) answers with
 * a redirect to the cloud metadata address, to loopback or to another host. When the grant lets
 * the host follow redirects, every hop is checked again like a new request: refused hops never
 * leave the host, and the guest gets `HTTP-request-denied`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { httpWorld, request } from '../../caps/http/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('checks every redirect hop against the rules', async () => {
  const world = httpWorld({ allow: [server.url('/redirect')], maxRedirects: 5 });
  const served = async () => Number(await (await fetch(server.url('/count'))).text());
  for (const to of [
    'http://169.254.169.254/latest/meta-data/',
    `http://localhost:${server.port}/hello`,
    server.url('/hello'),
    'file:///etc/passwd',
  ]) {
    const before = await served();
    const result = request(world, {
      scheme: { tag: 'HTTP' },
      authority: `127.0.0.1:${server.port}`,
      path: `/redirect?to=${encodeURIComponent(to)}`,
    });
    expect(await served(), to).toBe(before + 1);
    if (to.startsWith('file:')) expect(result, to).toMatchObject({ status: 302 });
    else expect(result, to).toEqual({ error: { tag: 'HTTP-request-denied' } });
  }
});
