/**
 * A component's sole core instance is metered once, in the form that defines its fuel counter
 * (`CoreModuleHook.transformSole`), instead of metered with the counter imported and then made
 * into that form by a second pass over the output (`defineCounter`): the loader holds the first
 * core module, validated, until it knows whether it is the sole instance. The compiled bytes and
 * the disk cache's entry are the same as the two passes made, but for the leaves' twins only the
 * one pass can write (host/meter/leaves.ts); a component of several core
 * instances is metered as before; what the meter refuses is still refused, and first.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../host/index.js';
import type { CoreModuleHook } from '../../host/loader/loader.js';
import { createMeterHook, defineCounter, meterModule } from '../../host/meter/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../helpers/components.js';
import { withoutTwins } from '../meter/support.js';

/** A component whose only export branches: not a constant-cost leaf, so metered without a twin. */
const BRANCHY_WAT = `(module
  (memory (export "memory") 1)
  (func (export "f") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))`;
const BRANCHY_WIT = 'package test:branchy;\nworld branchy { export f: func(x: u32) -> u32; }';

const scratch = mkdtempSync(join(tmpdir(), 'keel-sole-one-pass-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The meter's hook, its calls counted; `sole: false` leaves `transformSole` out (the two passes). */
function countingHook(sole: boolean, options = {}) {
  const meter = createMeterHook(options);
  const calls = { transform: 0, transformSole: 0, defineCounter: 0 };
  const outputs: Uint8Array[] = [];
  const inputs: Uint8Array[] = [];
  const hook: CoreModuleHook = {
    id: meter.id,
    transform: (bytes, context) => {
      calls.transform++;
      inputs.push(bytes.slice());
      const out = meter.transform(bytes, context);
      outputs.push(out.slice());
      return out;
    },
    defineCounter: (output) => {
      calls.defineCounter++;
      const out = meter.defineCounter!(output);
      outputs.push(out.slice());
      return out;
    },
    release: (output) => meter.release!(output),
  };
  if (sole) {
    hook.transformSole = (bytes, context) => {
      calls.transformSole++;
      inputs.push(bytes.slice());
      const out = meter.transformSole!(bytes, context);
      outputs.push(out.slice());
      return out;
    };
  }
  return { hook, calls, outputs, inputs };
}

async function load(hook: CoreModuleHook, bytes: Uint8Array, cacheDir: string | false = false) {
  const kernel = new Kernel({ cacheDir, coreHook: hook, metering: false });
  try {
    return await kernel.load(bytes);
  } finally {
    await kernel.close();
  }
}

describe('the sole core instance is metered in one pass', () => {
  it('transformSole once, no second pass; the bytes defineCounter made of the imported form', async () => {
    const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
    const one = countingHook(true);
    await load(one.hook, bytes);
    expect(one.calls).toEqual({ transform: 0, transformSole: 1, defineCounter: 0 });
    const input = one.inputs[0]!;
    // The one pass also writes the leaves' twins (host/meter/leaves.ts: the bench's `add` and
    // `noop` are constant-cost leaves), which `defineCounter`, given the output alone, cannot:
    // the rest is the same bytes.
    const { bytes: sole, twins } = withoutTwins(one.outputs[0]!);
    expect(twins).toBeGreaterThan(0);
    expect(Buffer.from(sole).equals(Buffer.from(defineCounter(meterModule(input))))).toBe(true);
    // A hook without it is run as before: two passes, the same bytes but for the twins.
    const two = countingHook(false);
    await load(two.hook, bytes);
    expect(two.calls).toEqual({ transform: 1, transformSole: 0, defineCounter: 1 });
    expect(Buffer.from(two.outputs[1]!).equals(Buffer.from(sole))).toBe(true);
  });

  it('writes the same disk cache entry as the two passes (a component without leaves)', async () => {
    // No constant-cost leaf (a branch in its only export), so that the one pass writes no twin
    // the two passes could not write: the entries are then the same bytes.
    const bytes = await componentFromWat(BRANCHY_WAT, BRANCHY_WIT, 'branchy');
    const entries: Buffer[] = [];
    for (const sole of [true, false]) {
      const dir = join(scratch, sole ? 'one' : 'two');
      const counted = countingHook(sole);
      await load(counted.hook, bytes, dir);
      expect(withoutTwins(counted.outputs.at(-1)!).twins).toBe(0);
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files).toHaveLength(1);
      entries.push(readFileSync(join(files[0]!.parentPath ?? files[0]!.path, files[0]!.name)));
    }
    expect(entries[0]!.equals(entries[1]!)).toBe(true);
  });

  it('a component of two core instances: each module metered with the counter imported, in order', async () => {
    const bytes = await parse(`(component
      (core module $a (func (export "f")))
      (core module $b (func (export "g")))
      (core instance (instantiate $a))
      (core instance (instantiate $b)))`);
    const { hook, calls, inputs } = countingHook(true);
    await load(hook, bytes);
    expect(calls).toEqual({ transform: 2, transformSole: 0, defineCounter: 0 });
    expect(inputs.map((b) => b.length)).toHaveLength(2);
  });

  it('a module instantiated twice is no sole instance', async () => {
    const bytes = await parse(`(component
      (core module $a (func (export "f")))
      (core instance (instantiate $a))
      (core instance (instantiate $a)))`);
    const { hook, calls } = countingHook(true);
    await load(hook, bytes);
    expect(calls).toEqual({ transform: 1, transformSole: 0, defineCounter: 0 });
  });

  it('what the meter refuses in the sole module is refused', async () => {
    const bytes = await parse(`(component
      (core module $a (memory 3) (func (export "f")))
      (core instance (instantiate $a)))`);
    const { hook, calls } = countingHook(true, { maxMemoryPages: 2 });
    const error = await load(hook, bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKeelError(error) && error.code).toBe('memory-limit');
    expect(calls.transformSole).toBe(1);
  });

  it('a refusal of the first module comes before an invalid second one', async () => {
    const bytes = await parse(`(component
      (core module $a (memory 3) (func (export "f")))
      (core module $b (func (result i32)))
      (core instance (instantiate $a)))`);
    const { hook, calls } = countingHook(true, { maxMemoryPages: 2 });
    const error = await load(hook, bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKeelError(error) && error.code).toBe('memory-limit');
    expect(calls).toEqual({ transform: 1, transformSole: 0, defineCounter: 0 });
  });
});
