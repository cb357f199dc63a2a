/**
 * Attack: the guest leaves its component instance while the canonical ABI says it may not —
 * from its `cabi_realloc` (which the host calls in the middle of lowering a value) or from its
 * post-return (which runs after the host lifted the results) — by calling an import, or by the
 * resource builtins that change its handle table (`resource.new`, `resource.drop`, which may
 * run a destructor or dispose a host object). definitions.py traps all of them
 * (`trap_if(not inst.may_leave)` in `canon lower`, `canon resource.new`, `canon
 * resource.drop`; `may_leave` is down around `realloc` and `post_return`). Before the fix, a
 * scalar export's post-return could call an import through `invoke` (the fast path of `fn`
 * refused it), and `resource.new` and `resource.drop` ran from `realloc` and post-return.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel, type ModuleHandle } from '../../../host/index.js';
import { hostileComponent } from './support.js';

let pings = 0;
const PING: CapabilityProvider = {
  name: 'ping',
  interfaces: ['keel:hostile/ping'],
  link: () => ({ ping: () => void pings++ }),
};

/** What the guest's realloc or post-return does on its way: nothing, an import call, a builtin. */
const ACTIONS = {
  nothing: '',
  'an import': '(call $ping)',
  'resource.new': '(drop (call $new (i32.const 7)))',
  'resource.drop': '(call $drop (call $new (i32.const 7)))',
};

let kernel: Kernel;
const modules = new Map<string, ModuleHandle>();

async function guest(action: string): Promise<ModuleHandle> {
  const component = await hostileComponent(
    `(import "keel:hostile/ping" "ping" (func $ping))
    (import "[export]keel:hostile/things" "[resource-new]thing" (func $new (param i32) (result i32)))
    (import "[export]keel:hostile/things" "[resource-drop]thing" (func $drop (param i32)))
    (global $heap (mut i32) (i32.const 4096))
    (global $mode (mut i32) (i32.const 0))
    (func $act ${action})
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (if (global.get $mode) (then (call $act)))
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (local.get $p) (i32.add (local.get 3) (i32.const 8))))
      (local.get $p))
    (func (export "arm") (global.set $mode (i32.const 1)))
    (func (export "take") (param i32 i32) (result i32) (local.get 1))
    (func (export "text") (result i32)
      (i32.store (i32.const 16) (i32.const 100)) (i32.store (i32.const 20) (i32.const 0)) (i32.const 16))
    (func (export "cabi_post_text") (param i32) (call $act))
    (func (export "num") (result i32) (i32.const 5))
    (func (export "cabi_post_num") (param i32) (call $act))
    (func (export "keel:hostile/things#[dtor]thing") (param i32))`,
    `interface ping { ping: func(); }
    interface things { resource thing; }
    world w {
      import ping;
      export things;
      export arm: func();
      export take: func(s: string) -> u32;
      export text: func() -> string;
      export num: func() -> u32;
    }`,
  );
  return kernel.load(component);
}

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false, providers: [PING] });
  for (const [name, action] of Object.entries(ACTIONS)) modules.set(name, await guest(action));
});
afterAll(() => kernel.close());

/** Spawns the guest doing `action` and runs `call`: what it ends as, and whether the sandbox survived. */
async function outcome(
  action: keyof typeof ACTIONS,
  call: (s: Awaited<ReturnType<Kernel['spawn']>>) => unknown,
) {
  const sandbox = await kernel.spawn(modules.get(action)!, { grants: ['keel:hostile/ping'] });
  sandbox.fn('arm')();
  pings = 0;
  try {
    call(sandbox);
    return { code: 'ok', pings, state: sandbox.state };
  } catch (error) {
    return { code: (error as { code?: string }).code, pings, state: sandbox.state, message: String(error) };
  }
}

const WAYS = {
  'realloc (lowering a string argument, fn)': (s: any) => s.fn('take')('hello'),
  'realloc (lowering a string argument, invoke)': (s: any) => s.invokeSync('take', ['hello']),
  'post-return of a string result (fn)': (s: any) => s.fn('text')(),
  'post-return of a string result (invoke)': (s: any) => s.invokeSync('text', []),
  'post-return of a scalar result (fn)': (s: any) => s.fn('num')(),
  'post-return of a scalar result (invoke)': (s: any) => s.invokeSync('num', []),
};

for (const [way, call] of Object.entries(WAYS)) {
  it(`${way}: doing nothing else is fine`, async () => {
    expect(await outcome('nothing', call)).toMatchObject({
      code: 'ok',
      state: expect.not.stringMatching('poisoned'),
    });
  });
  for (const action of ['an import', 'resource.new', 'resource.drop'] as const) {
    it(`${way}: ${action} is a trap`, async () => {
      const o = await outcome(action, call);
      expect(o, o.message).toMatchObject({ code: 'trap', pings: 0, state: 'poisoned' });
      expect(o.message).toMatch(/realloc or post-return/);
    });
  }
}
