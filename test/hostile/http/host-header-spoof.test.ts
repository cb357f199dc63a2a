/**
 * Attack: a guest sets its own `Host` header (or `Connection`, `Transfer-Encoding`, ...) to
 * route an allowed request to another virtual host or to smuggle a second request. Those
 * fields are the host's: setting them is `header-error.forbidden`, and the server sees the
 * authority the grant allowed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { attempt, bytes, httpWorld, request } from '../../caps/http/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('refuses host-owned header names in every case and form', () => {
  const { types } = httpWorld({ allow: [server.url('')] });
  for (const name of [
    'host',
    'Host',
    'HOST',
    'connection',
    'transfer-encoding',
    'upgrade',
    'keep-alive',
    'te',
  ]) {
    const fields = new types.Fields();
    expect(
      attempt(() => fields.append(name, bytes('evil.example'))),
      name,
    ).toEqual({ err: { tag: 'forbidden' } });
    expect(
      attempt(() => fields.set(name, [bytes('x')])),
      name,
    ).toEqual({ err: { tag: 'forbidden' } });
    expect(
      attempt(() => types.Fields.fromList([[name, bytes('x')]])),
      name,
    ).toEqual({ err: { tag: 'forbidden' } });
  }
});

it('sends the allowed authority as Host whatever else the guest sets', () => {
  const world = httpWorld({ allow: [server.url('')] });
  const result = request(world, {
    scheme: { tag: 'HTTP' },
    authority: `127.0.0.1:${server.port}`,
    path: '/echo',
    headers: [['x-probe', bytes('p')]],
  });
  expect(result).toMatchObject({ status: 200 });
  expect(JSON.parse((result as { body: string }).body)).toMatchObject({
    host: `127.0.0.1:${server.port}`,
    probe: 'p',
  });
});
