/**
 * Attack: start many asynchronous requests, then spin. A worker sandbox sends requests to a
 * server that answers after 10 s without waiting for any, then loops for ever. Its requests are
 * capped per invocation (`maxRequests`, 16 by default: the 17th and later are refused before any
 * connection), none outlives its time cap nor the call's deadline, and ending the sandbox (here
 * a kill, long before either) ends every request it left in flight at once: no socket left on
 * the kernel's thread, none open at the server, none waiting for the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { active, attacker, eventually, httpGrants, serverCount, serverOpen } from './async-support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

describe('asynchronous request flood, then a spin', () => {
  it('sends at most maxRequests, and ending the sandbox ends every one of them at once', async () => {
    const { kernel, module } = await attacker();
    try {
      const sandbox = await kernel.spawn(module, {
        grants: httpGrants(server),
        limits: { deadlineMs: 20_000 },
      });
      const sockets = active('TCPSocketWrap');
      const before = await serverCount(server);
      const call = sandbox.invoke('flood', [`127.0.0.1:${server.port}`, '/slow?ms=10000', 40, 1]).then(
        () => undefined,
        (error: unknown) => error,
      );
      // The requests are sent while the guest spins (asynchronously), capped at 16.
      expect(await eventually(async () => (await serverCount(server)) >= before + 16, 5000)).toBe(true);
      expect(await eventually(async () => (await serverOpen(server)) === 16, 1000)).toBe(true);
      const killedAt = performance.now();
      sandbox.terminate('test');
      expect(((await call) as { code?: string })?.code).toBe('killed');
      expect(performance.now() - killedAt).toBeLessThan(200);
      expect(await serverCount(server)).toBe(before + 16);
      // ... and all end with the sandbox, long before the server would answer.
      expect(await eventually(() => active('TCPSocketWrap') <= sockets, 500)).toBe(true);
      expect(await eventually(async () => (await serverOpen(server)) === 0, 1000)).toBe(true);
    } finally {
      await kernel.close();
    }
  }, 30_000);
});
