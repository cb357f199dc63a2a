/**
 * Attack: catch the stop and return an `err`. A guest built with legacy exception handling spins
 * in a loop inside `try`/`catch_all`; the meter's fuel error (or the deadline's timeout) is
 * thrown into it at a check, it catches it and returns `result::err` without another check.
 * A returned value was already settled (`#endCall`: a caught stop still ran out), but the `err`
 * went the failure path, which handed it back: before the fix invokeSync returned
 * `{ tag: 'err', val: 77 }` with the sandbox `ready`, on `{ fuel: 100000 }` and on
 * `{ deadlineMs: 100 }` (48 M fuel of spinning, then a value). Now `fuel-exhausted` and
 * `timeout`, the sandbox poisoned, inline and (fuel) in a worker.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { WAT_ALL_FEATURES } from '../../../scripts/lib/wat.js';
import { hostileComponent } from '../abi/support.js';

const FIELDS = `(func (export "spin") (result i32)
    (try (do (loop $l (br $l))) (catch_all))
    (i32.store (i32.const 8) (i32.const 1)) (i32.store (i32.const 12) (i32.const 77)) (i32.const 8))`;
const WIT = 'world w { export spin: func() -> result<u32, u32>; }';
const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

const CASES = [
  { limits: { fuel: 100_000 }, placement: 'inline', code: 'fuel-exhausted' },
  { limits: { fuel: 100_000 }, placement: 'worker', code: 'fuel-exhausted' },
  { limits: { deadlineMs: 100 }, placement: 'inline', code: 'timeout' },
] as const;

for (const { limits, placement, code } of CASES)
  it(`catch the stop and return an err (${code}, ${placement}): the call fails, the sandbox poisoned`, async () => {
    const module = await kernel.load(await hostileComponent(FIELDS, WIT, 'utf8', WAT_ALL_FEATURES));
    const sandbox = await kernel.spawn(module, { limits, placement });
    const call =
      placement === 'inline'
        ? Promise.resolve().then(() => sandbox.invokeSync('spin'))
        : sandbox.invoke('spin');
    await expect(call).rejects.toMatchObject({ code });
    expect(sandbox.state).toBe('poisoned');
  });
