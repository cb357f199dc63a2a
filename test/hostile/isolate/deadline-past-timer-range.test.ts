/**
 * Attack (limits at their edges): a deadline of 2^31 ms or more, which `limits.deadlineMs` and
 * `keel run --timeout` accept (about 25 days: an interactive guest's embedder may well want no
 * practical deadline). A worker sandbox's deadline was a `setTimeout` of that many ms, and Node
 * fires a longer delay after 1 ms: every worker spawn and call failed with `timeout` ("ran past
 * its deadline of 2147483648 ms (624 ms)"). The timer is re-armed in steps it can take.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';

const GUEST = `(module
  (global $started (mut i32) (i32.const 0))
  (func $start (global.set $started (i32.const 1)))
  (start $start)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add global.get $started i32.add))`;

for (const deadlineMs of [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
  it(`deadline past the timer range: a worker sandbox with a deadline of ${deadlineMs} ms spawns and answers`, async () => {
    const kernel = new Kernel({ placement: 'worker', cacheDir: false, limits: { deadlineMs } });
    try {
      const sandbox = await kernel.spawn(await kernel.load(await wat(GUEST, 'add.wat')), {});
      // Later than a 1 ms timer would have fired.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await sandbox.invoke('add', [2, 3])).value).toBe(6);
      expect(await sandbox.call('add', 4, 5)).toBe(10);
    } finally {
      await kernel.close();
    }
  });
}
