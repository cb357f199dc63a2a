/**
 * Attack: an embedder's observer of a failing call's events (`fuel:exhausted`,
 * `deadline:exceeded`, `invoke:error`) starts a new call on the same sandbox. Through `invoke`
 * it is refused as re-entrant (the sandbox is still running the call); through `fn` the gate was
 * settled first, so the observer's call ran, with a fresh budget and deadline, on a sandbox about
 * to be poisoned (review14). Now `fn` settles the failure with the gate still showing the call:
 * refused alike, and the sandbox ends poisoned either way.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';

const C = `(component
  (core module $m
    (func (export "spin") (param i32) (result i32) (loop $l (br $l)) (local.get 0))
    (func (export "crash") (param i32) (result i32) (unreachable))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $i (instantiate $m))
  (func (export "spin") (param "x" u32) (result u32) (canon lift (core func $i "spin")))
  (func (export "crash") (param "x" u32) (result u32) (canon lift (core func $i "crash")))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))`;

const cases = [
  { event: 'fuel:exhausted', run: 'spin', code: 'fuel-exhausted', limits: { fuel: 1_000_000 } },
  { event: 'deadline:exceeded', run: 'spin', code: 'timeout', limits: { deadlineMs: 50 } },
  { event: 'invoke:error', run: 'crash', code: 'trap', limits: {} },
] as const;

for (const { event, run, code, limits } of cases) {
  it(`fast failure observer reenters: a call from a ${event} observer is refused, through fn as through invoke`, async () => {
    const kernel = new Kernel({ cacheDir: false, limits });
    try {
      const module = await kernel.load(await parse(C));
      for (const how of ['fn', 'invoke'] as const) {
        const sandbox = await kernel.spawn(module);
        const seen: unknown[] = [];
        kernel.on(event, () => {
          try {
            seen.push(sandbox.invokeSync('add', [1, 2]).value);
          } catch (error) {
            seen.push((error as { code?: string }).code);
          }
        });
        const call = () =>
          how === 'fn' ? sandbox.fn<(x: number) => number>(run)(1) : sandbox.invokeSync(run, [1]).value;
        expect(call, how).toThrow(expect.objectContaining({ code }));
        expect(seen, how).toEqual(['invalid-argument']);
        expect(sandbox.state, how).toBe('poisoned');
      }
    } finally {
      await kernel.close();
    }
  });
}
