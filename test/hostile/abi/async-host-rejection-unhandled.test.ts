/**
 * Attack: make an asynchronous provider function reject where nothing awaits it. A provider's
 * `async` function served inline is reached by the guest's synchronous call (an import with no
 * result, as `log(msg)`): the host dropped the promise it returned, and when the guest's
 * arguments made it reject, the rejection was unhandled, which ends a Node process by default
 * (review15, L3): a guest choosing its arguments could end the host. With a result, the promise
 * was refused as a value that does not fit, and its rejection unhandled as well. Must: the
 * promise's rejection is handled, the call fails `invalid-argument` (as a worker refuses it), the
 * sandbox is poisoned, and no unhandled rejection reaches the process.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type ModuleHandle } from '../../../host/index.js';
import { hostileComponent } from './support.js';

const PROVIDER: CapabilityProvider = {
  name: 'rejects',
  interfaces: ['keel:hostile/rejects'],
  link: () => ({
    say: async (n: number) => {
      throw new Error(`rejected ${n}`);
    },
    count: async (n: number) => {
      throw new Error(`rejected ${n}`);
    },
  }),
};

const FIELDS = `(import "keel:hostile/rejects" "say" (func $say (param i32)))
    (import "keel:hostile/rejects" "count" (func $count (param i32) (result i32)))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "say") (result i32) (call $say (i32.const 1)) (i32.const 7))
    (func (export "count") (result i32) (drop (call $count (i32.const 2))) (i32.const 7))`;

const WIT = `interface rejects { say: func(n: u32); count: func(n: u32) -> u32; }
    world w { import rejects; export say: func() -> u32; export count: func() -> u32; }`;

let kernel: Kernel;
let module: ModuleHandle;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, providers: [PROVIDER] });
  module = await kernel.load(await hostileComponent(FIELDS, WIT));
});
afterAll(() => kernel.close());
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

for (const name of ['say', 'count']) {
  it(`async host rejection unhandled (${name}): refused, handled, the sandbox poisoned`, async () => {
    for (const path of ['fn', 'invokeSync'] as const) {
      const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/rejects'] });
      const call = () => (path === 'fn' ? sandbox.fn<() => number>(name)() : sandbox.invokeSync(name));
      expect(call, path).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
      expect(sandbox.state).toBe('poisoned');
    }
    // The rejections settle on later turns: none may be unhandled.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  });
}
