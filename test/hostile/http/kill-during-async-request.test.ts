/**
 * Attack: be killed while the kernel waits on the network for you. A worker sandbox sends a
 * request to a server that answers after 1.5 s and blocks on it; the embedder kills it 300 ms
 * in. The kill must end the call at once (the kernel's thread is free: its timer fires on
 * time), close the connection (no socket left on the kernel's thread, none open at the server),
 * and nothing of the request may run after: no `http:response`, no event of the sandbox after
 * its `sandbox:exit` but the kernel's `invoke:error` for the call, when the server's answer
 * would have come.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { active, attacker, eventually, httpGrants, serverCount, serverOpen } from './async-support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

describe('kill during an asynchronous request', () => {
  it('ends the call at once, closes the connection and runs nothing of the request after', async () => {
    const { kernel, events, module } = await attacker();
    try {
      const sandbox = await kernel.spawn(module, { grants: httpGrants(server) });
      const sockets = active('TCPSocketWrap');
      const before = await serverCount(server);
      const authority = `127.0.0.1:${server.port}`;
      const call = sandbox.invoke('flood', [authority, '/slow?ms=1500', 1, 0]).then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await serverCount(server)).toBe(before + 1);
      const killedAt = performance.now();
      sandbox.terminate('test');
      const failure = (await call) as { code?: string };
      const latency = performance.now() - killedAt;
      expect(failure?.code).toBe('killed');
      expect(latency).toBeLessThan(200);
      // The connection is closed by the kill, not by the server's answer.
      expect(await eventually(() => active('TCPSocketWrap') <= sockets, 500)).toBe(true);
      expect(await eventually(async () => (await serverOpen(server)) === 0, 1000)).toBe(true);
      // Past the moment the server would have answered: nothing of the request ran.
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const mine = events.filter((e) => e.sandbox === sandbox.id);
      expect(mine.some((e) => e.event === 'http:response')).toBe(false);
      const exit = mine.findIndex((e) => e.event === 'sandbox:exit');
      expect(exit).toBeGreaterThanOrEqual(0);
      // Only the kernel's own record of the failed call follows the exit.
      expect(mine.slice(exit + 1).map((e) => e.event)).toEqual(['invoke:error']);
    } finally {
      await kernel.close();
    }
  }, 20_000);
});
