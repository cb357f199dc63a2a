/**
 * The guest of the caught-host-trap attacks (test/hostile/abi/catch-host-trap-*): a component
 * built with legacy exception handling (`try`/`catch_all`, which V8 11.3 runs) that makes the
 * host throw into it, catches what the host threw and carries on. `$attack(how)` makes one host
 * error: `HOW` names them.
 */
import { type CapabilityProvider, Kernel, type ModuleHandle, type Sandbox } from '../../../host/index.js';
import { WAT_ALL_FEATURES } from '../../../scripts/lib/wat.js';
import { hostileComponent } from './support.js';

/** `$attack`'s argument: which host error, and the code the call must fail with. */
export const HOW = {
  /** A lowered string argument past the end of memory: the canonical ABI's trap. */
  'bad pointer': { how: 0, code: 'trap' },
  /** `resource.rep` of a handle that is not a live one of its type. */
  'not a live handle': { how: 1, code: 'trap' },
  /** An import the sandbox was not granted, denied at the call (`denial: 'call'`). */
  'capability refusal': { how: 2, code: 'capability-denied' },
  /** A string past `limits.hostArgBytes`. */
  'string past the limit': { how: 3, code: 'resource-limit' },
  /** The host function itself fails. */
  'provider failure': { how: 4, code: 'trap' },
  /** `resource.drop` of a handle the guest does not hold. */
  'drop of a handle not held': { how: 5, code: 'trap' },
} as const;

/** Host calls the provider served (a refused call reaches none). */
export const served: string[] = [];

const PING: CapabilityProvider = {
  name: 'ping',
  interfaces: ['keel:hostile/ping'],
  link: () => ({
    ping: () => void served.push('ping'),
    say: (s: string) => void served.push(`say ${s.length}`),
    fail: () => {
      served.push('fail');
      throw new RangeError('Invalid array length');
    },
  }),
};

const FIELDS = `(import "keel:hostile/ping" "ping" (func $ping))
    (import "keel:hostile/ping" "say" (func $say (param i32 i32)))
    (import "keel:hostile/ping" "fail" (func $fail))
    (import "keel:hostile/secret" "peek" (func $peek))
    (import "[export]keel:hostile/things" "[resource-new]thing" (func $new (param i32) (result i32)))
    (import "[export]keel:hostile/things" "[resource-rep]thing" (func $rep (param i32) (result i32)))
    (import "[export]keel:hostile/things" "[resource-drop]thing" (func $drop (param i32)))
    (global $caught (mut i32) (i32.const 0))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func $attack (param $how i32)
      (block $wrong (block $fail (block $long (block $peek (block $rep (block $bad
        (br_table $bad $rep $peek $long $fail $wrong (local.get $how)))
        (call $say (i32.const 0xfffffff0) (i32.const 100)) (return))
        (drop (call $rep (i32.const 12345))) (return))
        (call $peek) (return))
        (call $say (i32.const 0) (i32.const 4096)) (return))
        (call $fail) (return))
      (call $drop (i32.const 9)))
    ;; The host's error caught: counted, and the guest carries on.
    (func $caught (param $how i32)
      (try (do (call $attack (local.get $how)))
        (catch_all (global.set $caught (i32.add (global.get $caught) (i32.const 1))))))
    (func (export "caught") (result i32) (global.get $caught))
    (func (export "run") (param $how i32) (result i32)
      (if (i32.ne (local.get $how) (i32.const 99)) (then (call $caught (local.get $how))))
      (i32.const 7))
    (func (export "again") (param $how i32) (param $then i32) (result i32)
      (call $caught (local.get $how))
      ;; Then the host again: an import, the same failing one, a resource built-in.
      (if (i32.eq (local.get $then) (i32.const 0)) (then (call $ping)))
      (if (i32.eq (local.get $then) (i32.const 1)) (then (call $caught (local.get $how))))
      (if (i32.eq (local.get $then) (i32.const 2)) (then (drop (call $new (i32.const 5)))))
      (i32.const 7))
    (func (export "keel:hostile/things#make") (result i32) (call $new (i32.const 1)))
    ;; The destructor (run by the embedder's drop, outside a call) attacks too, then calls out.
    (func (export "keel:hostile/things#[dtor]thing") (param i32)
      (call $caught (i32.const 4))
      (call $ping))`;

const WIT = `interface ping { ping: func(); say: func(s: string); fail: func(); }
    interface secret { peek: func(); }
    interface things { resource thing; make: func() -> thing; }
    world w {
      import ping;
      import secret;
      export things;
      export run: func(how: u32) -> u32;
      export again: func(how: u32, then: u32) -> u32;
      export caught: func() -> u32;
    }`;

/** A kernel serving `ping` (not `secret`), and the guest loaded in it. */
export async function caughtTrapKernel(): Promise<{ kernel: Kernel; module: ModuleHandle }> {
  const kernel = new Kernel({ cacheDir: false, providers: [PING], denial: 'call' });
  const module = await kernel.load(await hostileComponent(FIELDS, WIT, 'utf8', WAT_ALL_FEATURES));
  return { kernel, module };
}

/** A sandbox of the guest: `ping` granted, `secret` denied at the call, 1 KiB of host arguments. */
export function spawnCaught(
  kernel: Kernel,
  module: ModuleHandle,
  placement: 'inline' | 'worker' = 'inline',
): Promise<Sandbox> {
  return kernel.spawn(module, { grants: ['keel:hostile/ping'], limits: { hostArgBytes: 1024 }, placement });
}

/** What `call` ended as: its value, or its error's code and message. */
export function ended(call: () => unknown): { value?: unknown; code?: string; message?: string } {
  try {
    return { value: call() };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  }
}
