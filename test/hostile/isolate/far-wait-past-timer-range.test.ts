/**
 * Attack: in a worker sandbox whose deadline is 2^31 ms or more (`limits.deadlineMs` and
 * `keel run --timeout` take up to 2^53 - 1), block on a pollable due years ahead. The kernel
 * waits for it on its event loop with one timer for what is left of the wait, capped by the
 * deadline: past setTimeout's range (2^31 - 1 ms), Node fires such a timer after 1 ms and
 * prints a TimeoutOverflowWarning on the embedder's stderr. The pollable is not ready, so the
 * timer was armed again: a thousand warnings and wake-ups a second on the kernel's thread, for
 * as long as the guest liked. A wait's timer is now armed within setTimeout's range.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const WIT = `package test:hostile;
world far-wait {
  import wasi:clocks/monotonic-clock@0.2.3;
  import wasi:io/poll@0.2.3;
  /// Waits d ns (subscribe-duration, block).
  export wait: func(d: u64);
}
package wasi:io@0.2.3 { interface poll { resource pollable { block: func(); } } }
package wasi:clocks@0.2.3 { interface monotonic-clock {
  use wasi:io/poll@0.2.3.{pollable};
  type duration = u64;
  subscribe-duration: func(when: duration) -> pollable;
} }
`;

const WAT = `(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $after (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (memory (export "memory") 1)
  (func (export "wait") (param $d i64) (call $block (call $after (local.get $d)))))`;

it('a wait of years in a worker sandbox with a deadline past 2^31 ms arms no overflowing timer', async () => {
  const kernel = new Kernel({ cacheDir: false, placement: 'worker' });
  const overflows: Error[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning);
  };
  process.on('warning', onWarning);
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'far-wait'));
    const sandbox = await kernel.spawn(module, {
      grants: ['wasi:clocks/monotonic-clock', 'wasi:io/poll'],
      limits: { deadlineMs: 2 ** 32 + 5 },
    });
    let settled = false;
    const call = sandbox.invoke('wait', [10n ** 17n]).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Still waiting (due in three years), and no timer overflowed meanwhile.
    expect(settled).toBe(false);
    expect(overflows.length).toBe(0);
    sandbox.terminate('done');
    await expect(call).rejects.toMatchObject({ code: 'killed' });
  } finally {
    process.off('warning', onWarning);
    await kernel.close();
  }
});
