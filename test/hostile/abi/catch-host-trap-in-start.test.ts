/**
 * Attack: catch a host trap in a start function. A core module's start function (legacy
 * exception handling, `try`/`catch_all`) makes the host throw into it at instantiation (a
 * capability refused at the call, a handle that is not live, a provider's failure), catches the
 * error and returns, then calls the host again. Before the fix the spawn succeeded and the later
 * host call ran. Must: the spawn fails with the host's first error, and the later call never
 * reaches the provider.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../../host/index.js';
import { WAT_ALL_FEATURES } from '../../../scripts/lib/wat.js';
import { hostileComponent } from './support.js';

const served: string[] = [];
const PING: CapabilityProvider = {
  name: 'ping',
  interfaces: ['keel:hostile/ping'],
  link: () => ({
    ping: () => void served.push('ping'),
    fail: () => {
      served.push('fail');
      throw new RangeError('Invalid array length');
    },
  }),
};

const WIT = `interface ping { ping: func(); fail: func(); }
    interface secret { peek: func(); }
    interface things { resource thing; }
    world w { import ping; import secret; export things; export run: func() -> u32; }`;

/** The start function's attack: each makes the host throw. */
const ATTACKS = {
  'capability refusal': { call: '(call $peek)', code: 'capability-denied', served: [] },
  'not a live handle': { call: '(drop (call $rep (i32.const 12345)))', code: 'trap', served: [] },
  'provider failure': { call: '(call $fail)', code: 'trap', served: ['fail'] },
};

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false, providers: [PING], denial: 'call' });
});
afterAll(() => kernel.close());

function guest(attack: string): Promise<Uint8Array> {
  return hostileComponent(
    `(import "keel:hostile/ping" "ping" (func $ping))
    (import "keel:hostile/ping" "fail" (func $fail))
    (import "keel:hostile/secret" "peek" (func $peek))
    (import "[export]keel:hostile/things" "[resource-rep]thing" (func $rep (param i32) (result i32)))
    (func $start
      (try (do ${attack}) (catch_all))
      (call $ping))
    (start $start)
    (func (export "run") (result i32) (i32.const 7))
    (func (export "keel:hostile/things#[dtor]thing") (param i32))`,
    WIT,
    'utf8',
    WAT_ALL_FEATURES,
  );
}

it('catch a host trap in a start function: a start function that calls out benignly spawns', async () => {
  const module = await kernel.load(await guest('(nop)'));
  served.length = 0;
  const sandbox = await kernel.spawn(module, { grants: ['keel:hostile/ping'] });
  expect(served).toEqual(['ping']);
  expect(sandbox.invokeSync('run').value).toBe(7);
});

for (const [attack, { call, code, served: expected }] of Object.entries(ATTACKS)) {
  it(`catch a host trap in a start function (${attack}): the spawn fails with ${code}`, async () => {
    const module = await kernel.load(await guest(call));
    served.length = 0;
    await expect(kernel.spawn(module, { grants: ['keel:hostile/ping'] })).rejects.toMatchObject({ code });
    // The start function's `ping` after the caught error was refused.
    expect(served).toEqual(expected);
  });
}
