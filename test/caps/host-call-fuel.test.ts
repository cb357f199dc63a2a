/**
 * Each host charge has one place (docs/fuel.md, "Host calls"): a guest's call and the bytes it
 * passes are charged where the call enters the host (the linker's gate, the canonical ABI,
 * preview1's serve), and a provider charges only work beyond that. A resource method was charged
 * its call by the canonical ABI and again by its provider (an `output-stream.write` cost 200
 * fuel and its bytes twice; a `keel:kernel/log` message its bytes twice).
 *
 * Each export below makes one host call; its twin makes the same call to a function of the
 * guest's own with the same parameters (which costs 1 fuel for its `i32.const`, or nothing), so
 * the difference is what the host charged, plus, for an import that takes a list or a string,
 * wit-component's indirect shim in the guest (`local.get` of each parameter, `i32.const`,
 * `call_indirect`: 6 fuel for `write`'s four parameters, 5 for `log`'s three).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKING_STORE_LIFT_BYTES, ON_HEAP_TYPED_BYTES } from '../../host/abi/heap.js';
import { DEFAULT_HOST_COSTS } from '../../host/caps/provider.js';
import { Kernel } from '../../host/index.js';
import { textEventFuel } from '../../host/kernel/sandbox/events.js';
import { componentFromWat, tempCacheDir } from '../helpers/components.js';

const WAT = `(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.write" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 2)
  (global $s (mut i32) (i32.const 0))
  (global $p (mut i32) (i32.const 0))
  (func $fake-ready (param i32) (result i32) (i32.const 1))
  (func $fake-write (param i32 i32 i32 i32))
  (func $fake-log (param i32 i32 i32))
  (func (export "setup")
    (global.set $s (call $get-stdout))
    (global.set $p (call $subscribe (global.get $s))))
  (func (export "ready") (result i32) (call $ready (global.get $p)))
  (func (export "ready-control") (result i32) (call $fake-ready (global.get $p)))
  (func (export "write") (param $len i32)
    (call $write (global.get $s) (i32.const 1024) (local.get $len) (i32.const 32)))
  (func (export "write-control") (param $len i32)
    (call $fake-write (global.get $s) (i32.const 1024) (local.get $len) (i32.const 32)))
  (func (export "log") (param $len i32) (call $log (i32.const 2) (i32.const 1024) (local.get $len)))
  (func (export "log-control") (param $len i32) (call $fake-log (i32.const 2) (i32.const 1024) (local.get $len))))`;

const WORLD = `world charges {
  import keel:kernel/log@0.2.0;
  import wasi:cli/stdout@0.2.3;
  import wasi:io/poll@0.2.3;
  export setup: func();
  export ready: func() -> u32;
  export ready-control: func() -> u32;
  export write: func(len: u32);
  export write-control: func(len: u32);
  export log: func(len: u32);
  export log-control: func(len: u32);
}`;

async function component(): Promise<Uint8Array> {
  const wit = readFileSync(
    new URL('../../guests/wat/hostile/host-args/arg-flood.wit', import.meta.url),
    'utf8',
  );
  return componentFromWat(WAT, wit.replace(/world arg-flood \{[^}]*\}/, WORLD), 'charges');
}

const { call, byte, output, outputByte } = DEFAULT_HOST_COSTS;

describe('a host call costs exactly its documented price, charged once', () => {
  it('for a resource method, a resource method with a list, and a function with a string', async () => {
    const kernel = new Kernel({ cacheDir: tempCacheDir() });
    try {
      const module = await kernel.load(await component());
      const sandbox = await kernel.spawn(module, {
        grants: ['wasi:cli/stdout', { interface: 'keel:kernel/log', scope: { level: 'error' } }],
        io: { stdout: () => {} },
      });
      await sandbox.invoke('setup');
      const fuel = async (name: string, args: unknown[] = []) => (await sandbox.invoke(name, args)).fuel.used;
      // The twin's function body is one `i32.const` (1 fuel).
      expect((await fuel('ready')) - (await fuel('ready-control')) + 1).toBe(call);
      for (const len of [0, 1, 64, 65, 4096, 65_536]) {
        const bytes = len * byte;
        // A byte list longer than V8 keeps on its heap pays for its backing store (heap.ts).
        const backing = len > ON_HEAP_TYPED_BYTES ? BACKING_STORE_LIFT_BYTES * byte : 0;
        // A write to stdout also pays the sink's work: per write and per byte, once; and its
        // text event, observed or not (review15 M1; an empty write makes none).
        const text = len > 0 ? textEventFuel('\0'.repeat(len)) : 0;
        expect((await fuel('write', [len])) - (await fuel('write-control', [len])), `write ${len}`).toBe(
          6 + call + bytes + backing + output + len * outputByte + text,
        );
        expect((await fuel('log', [len])) - (await fuel('log-control', [len])), `log ${len}`).toBe(
          5 + call + bytes,
        );
      }
    } finally {
      await kernel.close();
    }
  }, 60_000);
});
