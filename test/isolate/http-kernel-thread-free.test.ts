/**
 * Asynchronous host functions for real: while a worker sandbox waits on a slow server (2 s),
 * the kernel's thread is free. A timer on it fires on time and an inline sandbox's calls run
 * all along; the worker's guest sleeps on its channel until its answer comes. (Before, the
 * kernel served the worker's request by blocking its own thread on the network thread.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../../scripts/lib/fixtures.js';
import { startServer, type TestServer } from '../../scripts/lib/http-server.js';
import { attacker, httpGrants } from '../hostile/http/async-support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

describe('the kernel thread while a worker sandbox waits on the network', () => {
  it('runs timers on time and inline sandboxes meanwhile', async () => {
    const { kernel, module } = await attacker();
    try {
      const waiting = await kernel.spawn(module, { grants: httpGrants(server) });
      const adder = await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder'));
      const inline = await kernel.spawn(adder, { placement: 'inline' });
      let most = 0;
      let ticks = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        most = Math.max(most, now - last);
        last = now;
        ticks++;
      }, 10);
      let done = false;
      const started = performance.now();
      const call = waiting
        .invoke('flood', [`127.0.0.1:${server.port}`, '/slow?ms=2000', 1, 0])
        .finally(() => {
          done = true;
        });
      let calls = 0;
      while (!done) {
        expect((await inline.invoke('docs:adder/add#add', [calls, 1])).value).toBe(calls + 1);
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      clearInterval(ticker);
      expect((await call).value).toBe(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
      // A blocked thread would show one gap of about 2 s and few calls.
      expect(most).toBeLessThan(400);
      expect(ticks).toBeGreaterThan(50);
      expect(calls).toBeGreaterThan(50);
    } finally {
      await kernel.close();
    }
  }, 30_000);
});
