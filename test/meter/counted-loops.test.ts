/**
 * Counted loops (host/meter/counted.ts) are charged once before they start. The proof that
 * this never lets a turn run unpaid: generated loops of every supported shape and test, and
 * near misses built to fool the analysis (test/fuzz/counted-gen.ts), run three ways — plain
 * V8, metered with per-turn charging (`countedLoops: false`) and metered with counted loops —
 * and must agree exactly:
 * - a call that returns under per-turn charging returns the same values under counted loops,
 *   with the fuel counter at the same value, bit for bit;
 * - with one unit of fuel less than it needed, the counted version does not get further: it
 *   runs out, or returns with the counter below zero exactly as the per-turn version does;
 * - a call that traps traps the same way, or (counted) runs out of fuel first, when the
 *   loop's turns were more than the fuel left (docs/fuel.md, "Counted loops"); and the
 *   counted version has charged at least what per-turn charging had when it trapped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { KeelError } from '../../host/kernel/errors.js';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { countedArgs, generateCounted } from '../fuzz/counted-gen.js';
import { Rng } from '../fuzz/rng.js';

const MODULES = Number(process.env.KEEL_COUNTED_MODULES ?? 150);
const CALLS_PER_EXPORT = 4;
const BIG = Number.MAX_SAFE_INTEGER;
/** A small slice (odd, so that refills land anywhere): slices must not change any count. */
const SLICE = 997;

type Outcome =
  | { kind: 'returned'; values: unknown; fuel: bigint }
  | { kind: 'trap'; message: string; fuel: bigint }
  | { kind: 'exhausted' };

function plain(module: WebAssembly.Module, name: string, args: number[]): Outcome {
  const instance = new WebAssembly.Instance(module);
  try {
    return { kind: 'returned', values: (instance.exports[name] as Function)(...args), fuel: 0n };
  } catch (error) {
    return { kind: 'trap', message: (error as Error).message, fuel: 0n };
  }
}

function metered(module: WebAssembly.Module, name: string, args: number[], fuel: number): Outcome {
  const meter = createMeterRuntime({ fuel, memoryBytes: 1 << 20, tableElements: 100, sliceFuel: SLICE });
  const instance = new WebAssembly.Instance(module, { keel: meter.imports.keel });
  try {
    const values = (instance.exports[name] as Function)(...args);
    return { kind: 'returned', values, fuel: raw(meter) };
  } catch (error) {
    if (error instanceof KeelError && error.code === 'fuel-exhausted') return { kind: 'exhausted' };
    return { kind: 'trap', message: (error as Error).message, fuel: raw(meter) };
  }
}

/**
 * The fuel left, which may be below zero after the last charge of a call: the counter and what
 * the meter has not handed out yet (the budget goes out in slices of `SLICE`, so that the
 * refills fall in the middle of these loops and their precharges).
 */
function raw(meter: ReturnType<typeof createMeterRuntime>): bigint {
  return meter.balance();
}

function compile(bytes: Uint8Array): WebAssembly.Module {
  return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
}

/**
 * Modules per test: each range is its own test, with its own timeout (all 150 in one test took
 * 11.7 s at load 1-3 and 54 s of its 60 s at load 25), and the last test checks what the whole
 * run exercised.
 */
const CHUNK = 25;

describe('counted loops: charged once, exactly', () => {
  const stats = {
    modules: 0,
    calls: 0,
    returned: 0,
    trapped: 0,
    exhaustedEarly: 0,
    countedModules: 0,
    tight: 0,
    strided: 0,
  };
  let mismatched = 0;
  for (let first = 1; first <= MODULES; first += CHUNK) {
    const last = Math.min(MODULES, first + CHUNK - 1);
    it(`agree with per-turn charging on generated modules ${first}-${last}, to the unit of fuel`, async () => {
      const wabt = await wabtInit();
      const mismatches: unknown[] = [];
      for (let seed = first; seed <= last; seed++) {
        stats.modules++;
        const m = generateCounted(seed);
        expect(WebAssembly.validate(m.bytes as Uint8Array<ArrayBuffer>), `seed ${seed}`).toBe(true);
        const perTurnBytes = meterModule(m.bytes, { countedLoops: false });
        const countedBytes = meterModule(m.bytes);
        if (!Buffer.from(perTurnBytes).equals(Buffer.from(countedBytes))) stats.countedModules++;
        // Each strided loop's count is the module's only i64 division (strided.ts).
        const text = wabt.readWasm(countedBytes, { tail_call: true, exceptions: true });
        stats.strided += text.toText({}).split('i64.div_u').length - 1;
        text.destroy();
        const base = compile(m.bytes);
        const perTurn = compile(perTurnBytes);
        const counted = compile(countedBytes);
        // After a trap only the `global` strategy's counter is exact (`local` writes it back on
        // the way out of a function, which a trap skips).
        const perTurnGlobal = compile(meterModule(m.bytes, { countedLoops: false, strategy: 'global' }));
        const countedGlobal = compile(meterModule(m.bytes, { strategy: 'global' }));
        const rng = new Rng(seed);
        for (const name of m.exports) {
          for (let c = 0; c < CALLS_PER_EXPORT; c++) {
            const args = countedArgs(rng);
            stats.calls++;
            const p = plain(base, name, args);
            const u = metered(perTurn, name, args, BIG);
            const k = metered(counted, name, args, BIG);
            const where = { seed, name, args };
            if (u.kind === 'returned') {
              stats.returned++;
              if (p.kind !== 'returned' || JSON.stringify(p.values) !== JSON.stringify(u.values))
                mismatches.push({ ...where, what: 'per-turn metering changed the result', p, u });
              if (
                k.kind !== 'returned' ||
                JSON.stringify(k.values) !== JSON.stringify(u.values) ||
                k.fuel !== u.fuel
              ) {
                mismatches.push({ ...where, what: 'counted differs from per-turn', u, k });
                continue;
              }
              // One unit less than the call needed: counted loops must not get any further.
              const needed = Number(BigInt(BIG) - u.fuel);
              if (needed >= 1) {
                stats.tight++;
                const uTight = metered(perTurn, name, args, needed - 1);
                const kTight = metered(counted, name, args, needed - 1);
                if (kTight.kind === 'returned' && (uTight.kind !== 'returned' || kTight.fuel !== uTight.fuel))
                  mismatches.push({ ...where, what: 'counted ran on less fuel', uTight, kTight });
                if (uTight.kind === 'exhausted' && kTight.kind !== 'exhausted')
                  mismatches.push({ ...where, what: 'counted did not run out', uTight, kTight });
              }
            } else if (u.kind === 'trap') {
              stats.trapped++;
              if (p.kind !== 'trap' || p.message !== u.message)
                mismatches.push({ ...where, what: 'per-turn metering changed the trap', p, u });
              if (k.kind === 'exhausted') stats.exhaustedEarly++;
              else if (k.kind !== 'trap' || k.message !== u.message)
                mismatches.push({ ...where, what: 'counted changed the trap', u, k });
              // Whatever ran before the trap was paid for: counted loops charge at least as much.
              const uGlobal = metered(perTurnGlobal, name, args, BIG);
              const kGlobal = metered(countedGlobal, name, args, BIG);
              if (uGlobal.kind !== 'trap' || (kGlobal.kind === 'trap' && kGlobal.fuel > uGlobal.fuel))
                mismatches.push({ ...where, what: 'counted charged less before a trap', uGlobal, kGlobal });
            } else {
              mismatches.push({ ...where, what: 'per-turn metering ran out of 2^53 fuel', u });
            }
          }
        }
      }
      mismatched += mismatches.length;
      expect(mismatches).toEqual([]);
    });
  }

  it(`exercised counted loops, strided loops, calls that return and that trap across the ${MODULES} modules`, () => {
    console.log(
      `counted loops: ${stats.modules} modules (${stats.countedModules} with counted loops, ${stats.strided} strided loops), ${stats.calls} calls: ${stats.returned} returned (${stats.tight} rerun with one unit less), ${stats.trapped} trapped (${stats.exhaustedEarly} of them out of fuel first when counted); ${mismatched} mismatches`,
    );
    // Every range ran (a range filtered out or failed early would leave the counts short).
    expect(stats.modules).toBe(MODULES);
    // The generator must keep exercising counted loops, and calls that return and that trap.
    expect(stats.countedModules).toBeGreaterThan(MODULES * 0.8);
    expect(stats.strided).toBeGreaterThan(MODULES * 0.5);
    expect(stats.returned).toBeGreaterThan(stats.calls / 4);
    expect(stats.trapped).toBeGreaterThan(stats.calls / 20);
  });

  it('gives every compute kernel the fuel per-turn charging gives it', () => {
    const dir = join(import.meta.dirname, '../../bench/compute/wasm');
    const sizes: Record<string, number> = {
      matmul: 24,
      sieve: 5000,
      sort: 2000,
      sha256: 40,
      nbody: 500,
      mandelbrot: 24,
      fib: 15,
    };
    let changed = 0;
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      const n = sizes[file.replace(/^(as|c)-|\.wasm$/g, '')]!;
      const env = { abort: () => {} };
      const run = (options: { countedLoops: boolean }) => {
        const meter = createMeterRuntime({ fuel: BIG, memoryBytes: 1 << 28, tableElements: 100 });
        const metered = meterModule(bytes, options);
        const instance = new WebAssembly.Instance(compile(metered), { env, keel: meter.imports.keel });
        return { result: (instance.exports.run as (n: number) => number)(n), used: meter.used(), metered };
      };
      const perTurn = run({ countedLoops: false });
      const counted = run({ countedLoops: true });
      expect(counted.result, file).toBe(perTurn.result);
      expect(counted.used, file).toBe(perTurn.used);
      if (!Buffer.from(counted.metered).equals(Buffer.from(perTurn.metered))) changed++;
    }
    expect(changed).toBeGreaterThanOrEqual(8);
  });
});
