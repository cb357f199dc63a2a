/**
 * A host call's arguments are lifted on the kernel's thread as a call's results are: an
 * embedder's `hostArgBytes` past the thread's heap share must not let one call ask the host for
 * more heap than a quarter of its limit (review18 L1; 14f53a4 capped only the call's budget).
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { HOST_CALL_BYTES } from '../../../host/kernel/limits.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const WAT = `(module (memory (export "memory") 1) (func (export "get") (result i32) (i32.const 1)))`;
const WIT = `package test:hostargs@0.1.0;
world hostargs { export get: func() -> u32; }`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
afterAll(async () => {
  await kernel.close();
});

it('host arg bytes past host heap: the host-call budget is capped as the call budget is', async () => {
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'hostargs'));
  const huge = 8 * 1024 ** 3;
  const sandbox = await kernel.spawn(module, { limits: { hostArgBytes: huge, memoryBytes: huge } });
  expect(sandbox.parts.maxCallBytes).toBe(HOST_CALL_BYTES);
  expect(sandbox.parts.maxHostArgBytes).toBe(HOST_CALL_BYTES);
  expect(sandbox.limits.hostArgBytes).toBe(HOST_CALL_BYTES);
  // Below the share, what the embedder asked for.
  const small = await kernel.spawn(module, { limits: { hostArgBytes: 4096 } });
  expect(small.parts.maxHostArgBytes).toBe(4096);
  sandbox.terminate();
  small.terminate();
});
