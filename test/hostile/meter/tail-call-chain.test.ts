/**
 * Attack on the rewriter itself: a long chain of functions that tail-call the next, ending in
 * an import. Every link must share the import's calling convention, which the pass works out
 * with a worklist; a sweep-until-stable would be quadratic in the chain's length.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { wat, watFile } from '../../helpers/wat.js';
import { expectLinear, instantiateMetered } from '../../meter/support.js';

/** `$f0` (exported) → `$f1` → ... → `$f{n-1}` → `host.end`, each by `return_call`. */
function chain(n: number): string {
  const funcs = [];
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? `$f${i + 1}` : '$end';
    const exported = i === 0 ? '(export "run") ' : '';
    funcs.push(
      `(func $f${i} ${exported}(param i32) (result i32) (return_call ${next} (i32.add (local.get 0) (i32.const 1))))`,
    );
  }
  return `(module (import "host" "end" (func $end (param i32) (result i32))) ${funcs.join('\n')})`;
}

it('tail-call chain: the small shape runs metered', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/tail-call-chain.wat');
  const { exports } = instantiateMetered(bytes, {}, {}, { host: { end: (x: number) => x * 10 } });
  expect(exports.run(0)).toBe(30);
});

it('tail-call chain: 20,000 links meter in linear time and still end in the import', async () => {
  const sizes = new Map<number, Uint8Array>();
  for (const n of [2500, 20000]) sizes.set(n, await wat(chain(n)));
  const { exports } = instantiateMetered(sizes.get(20000)!, {}, {}, { host: { end: (x: number) => x } });
  expect(exports.run(0)).toBe(20000);
  const { ok, tSmall, tLarge } = expectLinear(
    (n) => sizes.get(n)!,
    (b) => meterModule(b),
    2500,
  );
  expect(ok, `2,500: ${tSmall.toFixed(1)} ms, 20,000: ${tLarge.toFixed(1)} ms`).toBe(true);
});
