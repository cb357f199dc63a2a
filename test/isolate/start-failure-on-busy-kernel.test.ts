/**
 * A worker sandbox whose start function fails sends its failure and its thread ends. When the
 * kernel's thread is busy as that happens, the thread's exit and the failure frame wait side by
 * side: the spawn must still fail with the failure's typed code, never `killed`.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { componentFromWat, tempCacheDir } from '../helpers/components.js';

const WIT = `package test:starting@0.1.0;
world starting { export run: func(); }`;
/** A start function that loops past a small budget, and one that traps. */
const SPINS = `(module
  (func $init (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000)))))
  (func (export "run"))
  (start $init))`;
const TRAPS = `(module (func $init unreachable) (func (export "run")) (start $init))`;

const kernel = new Kernel({ placement: 'worker', cacheDir: tempCacheDir() });
afterAll(async () => {
  await kernel.close();
});

/** Hold the kernel's thread while the worker fails and ends, as a busy host would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The worker answers and exits meanwhile.
  }
}

it.each([
  ['fuel-exhausted', SPINS],
  ['trap', TRAPS],
])(
  'a start failure read after the worker exited is %s, not killed',
  async (code, wat) => {
    const module = await kernel.load(await componentFromWat(wat, WIT, 'starting'));
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const spawning = kernel.spawn(module, { limits: { fuel: 500 } });
      busy(200);
      const error = await spawning.catch((e: unknown) => e);
      codes.push((error as { code?: string }).code ?? String(error));
    }
    expect(codes).toEqual([code, code, code, code, code]);
    expect(kernel.sandboxes.filter((s) => s.state === 'ready' || s.state === 'running')).toEqual([]);
  },
  30_000,
);
