/**
 * Attack: a flood of pollable waits. A worker sandbox, whose waits the kernel serves on its
 * event loop, makes 1,000 pollables due in an hour and polls them 100 times together with one
 * due in 1 ms. Arming a timer for each pollable of each poll would leave 100,000 timers on the
 * kernel's thread until the deadline; `poll` arms one, for the clock due first (as a blocking
 * poll sleeps until that one), and a pollable never holds more than one timer. The kernel's own
 * timers keep firing meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { active, attacker } from '../http/async-support.js';

describe('poll flood with far clocks', () => {
  it('arms one timer per poll, not one per pollable, and leaves the kernel thread free', async () => {
    const { kernel, module } = await attacker();
    try {
      // Granted outgoing HTTP to nowhere: the guest's world imports it; this attack never sends.
      const sandbox = await kernel.spawn(module, {
        grants: ['wasi:clocks/*', { interface: 'wasi:http/outgoing-handler', scope: { allow: [] } }],
      });
      const timers = active('Timeout');
      const heap = process.memoryUsage().heapUsed;
      let most = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        most = Math.max(most, now - last);
        last = now;
      }, 10);
      const started = performance.now();
      const outcome = await sandbox.invoke('poll-flood', [100, 1000]);
      clearInterval(ticker);
      expect(outcome.value).toBe(100);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(active('Timeout') - timers).toBeLessThan(20);
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);
      expect(most).toBeLessThan(500);
    } finally {
      await kernel.close();
    }
  }, 30_000);
});
