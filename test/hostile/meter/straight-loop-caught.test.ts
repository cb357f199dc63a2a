/**
 * Attack: a straight loop that never ends (checked at its back edge, its refill outside it:
 * host/meter/straight.ts) inside `try ... catch_all`, in a loop that goes round again: the guest
 * catches what the refill throws (fuel exhausted, or the host's deadline) and spins once more.
 * Must: the error still ends the call, at once (every later check throws it again, and the outer
 * loop's check stands outside the `try`), with no more turns than the fuel paid for.
 */
import { expect, it } from 'vitest';
import { instantiateMetered, thrown, watAll } from '../../meter/support.js';

const SOURCE = `(module
  (memory (export "memory") 1)
  (func (export "run") (local $i i32)
    (loop $again
      (try (do
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (i32.store (i32.const 0) (local.get $i))
          (br_if $l (i32.const 1))))
        (catch_all
          (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))))
      (br $again))))`;

it('a straight loop whose refill the guest catches: fuel-exhausted ends the call, once caught at most', async () => {
  const bytes = await watAll(SOURCE);
  for (const strategy of ['local', 'global'] as const) {
    const { exports, meter } = instantiateMetered(bytes, { fuel: 1_000_000 }, { strategy });
    const start = performance.now();
    const error = thrown(() => exports.run());
    expect(error.code, strategy).toBe('fuel-exhausted');
    expect(meter.remaining()).toBe(0);
    expect(performance.now() - start).toBeLessThan(2000);
    const words = new Int32Array(exports.memory.buffer);
    // 9 fuel a turn (straight-loop-spin): the turns are what the fuel paid for, give or take one.
    expect(words[0]!, strategy).toBeLessThanOrEqual(Math.ceil(1_000_000 / 9) + 1);
    // Caught once (the refill's throw, inside the try); the outer loop's check then throws it again.
    expect(words[1]!, `${strategy}: catches`).toBe(1);

    let looks = 0;
    const deadline = instantiateMetered(
      bytes,
      { fuel: 1e12, sliceFuel: 10_000 },
      { strategy },
      {},
      {
        onSlice: () => {
          if (++looks === 3) throw new Error('deadline');
        },
      },
    );
    const stopped = thrown(() => deadline.exports.run());
    expect(stopped.message, strategy).toMatch(/deadline/);
    expect(new Int32Array(deadline.exports.memory.buffer)[1]!, `${strategy}: catches`).toBe(1);
    // The host was asked 3 times: the error it threw stands for every later check.
    expect(looks).toBe(3);
  }
});
