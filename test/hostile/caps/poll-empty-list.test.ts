/**
 * Attack: call `wasi:io/poll#poll` with an empty list. The list is well typed (WASI's own type),
 * but the provider threw a `TypeError` for it, which the canonical ABI's call sorts as a
 * provider's bug: the call ended as `internal`, the host's own error code raised at the guest's
 * will. WASI says an empty poll traps (Wasmtime: "empty poll list"); it is now the guest's
 * `trap`, the sandbox poisoned, its neighbour unharmed.
 */
import { expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const WIT = `package test:hostile;
world empty-poll {
  import wasi:io/poll@0.2.3;
  import wasi:clocks/monotonic-clock@0.2.3;
  export poll-nothing: func() -> u32;
  export poll-one: func() -> u32;
}
package wasi:io@0.2.3 { interface poll {
  resource pollable { ready: func() -> bool; block: func(); }
  poll: func(in: list<borrow<pollable>>) -> list<u32>;
} }
package wasi:clocks@0.2.3 { interface monotonic-clock {
  use wasi:io/poll@0.2.3.{pollable};
  type instant = u64;
  type duration = u64;
  subscribe-duration: func(when: duration) -> pollable;
} }
`;

const WAT = `(module
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $after (param i64) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  ;; poll([]): the list's pointer is anything, its length 0; the result's length at 68.
  (func (export "poll-nothing") (result i32)
    (call $poll (i32.const 0) (i32.const 0) (i32.const 64))
    (i32.load (i32.const 68)))
  ;; poll([subscribe-duration(0)]): one ready.
  (func (export "poll-one") (result i32)
    (i32.store (i32.const 32) (call $after (i64.const 0)))
    (call $poll (i32.const 32) (i32.const 1) (i32.const 64))
    (i32.load (i32.const 68))))`;

it('poll of an empty list is the guest’s trap, not the host’s internal; the host carries on', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'empty-poll'), { name: 'empty-poll' });
    const grants = ['wasi:io/poll', 'wasi:clocks/monotonic-clock'];
    const attacker = await kernel.spawn(module, { grants });
    const neighbour = await kernel.spawn(module, { grants });
    let outcome: unknown;
    try {
      outcome = attacker.fn('poll-nothing')();
    } catch (error) {
      outcome = error;
    }
    expect(isKeelError(outcome), `expected a KeelError, got ${String(outcome)}`).toBe(true);
    expect((outcome as { code: string }).code).toBe('trap');
    expect((outcome as Error).message).toContain('poll');
    expect(attacker.state).toBe('poisoned');
    const viaInvoke = await kernel.spawn(module, { grants });
    await expect(viaInvoke.invoke('poll-nothing')).rejects.toMatchObject({ code: 'trap' });
    expect(neighbour.fn('poll-one')()).toBe(1);
  } finally {
    await kernel.close();
  }
});

it('in a worker sandbox too: trap, and the neighbour answers', async () => {
  const kernel = new Kernel({ cacheDir: false, placement: 'worker' });
  try {
    const module = await kernel.load(await componentFromWat(WAT, WIT, 'empty-poll'), { name: 'empty-poll' });
    const grants = ['wasi:io/poll', 'wasi:clocks/monotonic-clock'];
    const attacker = await kernel.spawn(module, { grants });
    const neighbour = await kernel.spawn(module, { grants });
    await expect(attacker.invoke('poll-nothing')).rejects.toMatchObject({ code: 'trap' });
    expect(attacker.state).toBe('poisoned');
    expect((await neighbour.invoke('poll-one')).value).toBe(1);
  } finally {
    await kernel.close();
  }
});
