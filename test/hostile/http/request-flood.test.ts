/**
 * Attack: one invocation sends request after request (each holds the kernel's thread while it
 * runs). The grant caps requests per invocation; past it, `HTTP-request-denied` without any
 * connection, and the next invocation has its allowance again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { httpWorld, request } from '../../caps/http/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('caps requests per invocation', async () => {
  const world = httpWorld({ allow: [server.url('')], maxRequests: 3 });
  const hello = () =>
    request(world, { scheme: { tag: 'HTTP' }, authority: `127.0.0.1:${server.port}`, path: '/hello' });
  const served = async () => Number(await (await fetch(server.url('/count'))).text());
  const before = await served();
  for (let i = 0; i < 3; i++) expect(hello()).toEqual({ status: 200, body: 'hi' });
  for (let i = 0; i < 50; i++) expect(hello()).toEqual({ error: { tag: 'HTTP-request-denied' } });
  expect(await served()).toBe(before + 3);
  world.nextInvocation();
  expect(hello()).toEqual({ status: 200, body: 'hi' });
  // Each request is charged its fixed price and its bytes.
  expect(world.fuel.charged).toBeGreaterThanOrEqual(4 * 100_000);
});
