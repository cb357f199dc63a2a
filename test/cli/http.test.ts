/**
 * `keel run --allow-http`: the real binary, a fetch guest, a server on 127.0.0.1 (in a worker
 * thread of the test, so that it answers while the test waits for the child).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../scripts/lib/http-server.js';
import { SHARED_CACHE } from '../caps/harness.js';
import { keel } from './harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const GUEST = 'guests/js/http/build/http.wasm';
const GRANTS = ['--grant', 'wasi:clocks/*', '--grant', 'wasi:random/*'];

it('lets the guest reach the URL it was allowed, and nothing else', () => {
  const allowed = keel(
    [
      'run',
      GUEST,
      ...GRANTS,
      '--allow-http',
      server.url(''),
      '--invoke',
      'get',
      '--args',
      JSON.stringify([server.url('/hello')]),
      '--json',
    ],
    { cache: SHARED_CACHE },
  );
  expect(allowed.stderr).toBe('');
  expect(allowed.status).toBe(0);
  expect(JSON.parse(allowed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, value: '200 hi' });

  const other = keel(
    [
      'run',
      GUEST,
      ...GRANTS,
      '--allow-http',
      `${server.url('')}/v1/`,
      '--invoke',
      'get',
      '--args',
      JSON.stringify([server.url('/hello')]),
    ],
    { cache: SHARED_CACHE },
  );
  expect(other.status).toBe(0);
  expect(other.stdout).toMatch(/^error:/);
});

it('grants no HTTP without the flag', () => {
  const none = keel(
    ['run', GUEST, ...GRANTS, '--invoke', 'get', '--args', JSON.stringify([server.url('/hello')])],
    {
      cache: SHARED_CACHE,
    },
  );
  // outgoing-handler is not granted: the spawn is refused, naming it.
  expect(none.status).toBe(1);
  expect(none.stderr).toMatch(/wasi:http\/outgoing-handler/);
});

it('refuses a malformed --allow-http with status 2', () => {
  for (const bad of ['ftp://x.example', 'https://user:pw@x.example', 'nonsense']) {
    const result = keel(['run', GUEST, '--allow-http', bad, '--invoke', 'get', '--args', '["x"]'], {
      cache: SHARED_CACHE,
    });
    expect(result.status, bad).toBe(2);
    expect(result.stderr, bad).toMatch(/--allow-http/);
  }
});
