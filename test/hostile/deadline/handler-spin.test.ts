/**
 * Attack: a message handler that computes forever, in a sandbox given all the fuel there is
 * per delivery. Deliveries are calls like any other: the deadline stops this one, the
 * scheduler ends the sandbox (`timeout`), and the other sandboxes are served.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IpcWorld, ipcWorld, received } from '../../ipc/harness.js';
import { DEADLINE_MS, HUGE, LATE_MS, oversubscribedMs } from './support.js';

let w: IpcWorld;
beforeAll(async () => {
  w = await ipcWorld({ limits: HUGE });
});
afterAll(() => w.close());

it('a spinning handler is stopped at its deadline; the bystander gets every message', async () => {
  const spinner = await w.spawn('/d/spinner');
  const bystander = await w.spawn('/d/bystander');
  w.kernel.sched.send(spinner, 'spin 1000000000000000');
  for (let i = 0; i < 5; i++) w.kernel.sched.send(bystander, `work-${i}`);
  const start = performance.now();
  const result = await w.kernel.sched.run();
  const elapsed = performance.now() - start;
  expect(result.reason).toBe('idle');
  expect(spinner.state).toBe('poisoned');
  expect(spinner.failure?.code).toBe('timeout');
  expect(w.named('deadline:exceeded', spinner)).toHaveLength(1);
  expect(w.named('sandbox:crash', spinner)[0]?.error?.code).toBe('timeout');
  expect(received(w.logs(bystander))).toHaveLength(5);
  expect(bystander.state).toBe('ready');
  // The whole run took the one deadline, not the handler's days of compute.
  expect(elapsed).toBeLessThan(DEADLINE_MS + LATE_MS + oversubscribedMs() + 1000);
});
