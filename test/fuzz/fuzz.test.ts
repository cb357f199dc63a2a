/**
 * Differential fuzzing, CI size: seeded random modules (gen.ts) run on plain V8 and under every
 * transform in `test/spec/transforms.ts`; results, traps, globals, memory and host calls must
 * match exactly. The long run is `node dist/scripts/fuzz.js --seconds 600`.
 */
import { describe, expect, it } from 'vitest';
import { HEADER } from '../spec/binary.js';
import { TRANSFORMS, type Transform } from '../spec/transforms.js';
import { callKind, differential, PROFILES, pinWasmTier, plan } from './diff.js';
import { generate } from './gen.js';
import { loadFixtures } from './regressions.js';

/** Modules per CI run (seeds 1..N); KEEL_FUZZ_MODULES overrides. */
const MODULES = Number(process.env.KEEL_FUZZ_MODULES ?? 300);

pinWasmTier();

describe('differential fuzzing', () => {
  it('generates the same valid module for the same seed', () => {
    for (const seed of [1, 2, 3, 1000, 0xffffffff]) {
      const a = generate(seed).bytes;
      expect(Buffer.from(generate(seed).bytes).equals(Buffer.from(a))).toBe(true);
      expect(WebAssembly.validate(a as Uint8Array<ArrayBuffer>)).toBe(true);
    }
  });

  it(`plain V8 and every transform agree on ${MODULES} seeded modules`, () => {
    const kinds: Record<string, number> = {};
    let calls = 0;
    let bytes = 0;
    const mismatches: unknown[] = [];
    for (let seed = 1; seed <= MODULES; seed++) {
      const m = generate(seed);
      bytes += m.bytes.length;
      expect(WebAssembly.validate(m.bytes as Uint8Array<ArrayBuffer>), `seed ${seed} is invalid`).toBe(true);
      const c = plan(m.bytes, seed);
      calls += c.length;
      const r = differential(m.bytes, c, TRANSFORMS);
      for (const line of r.plain) kinds[callKind(line)] = (kinds[callKind(line)] ?? 0) + 1;
      for (const mm of r.mismatches) mismatches.push({ seed, ...mm });
    }
    const outcomes = Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `    ${n} ${k}`)
      .join('\n');
    console.log(
      `differential fuzzing: ${MODULES} modules (${(bytes / MODULES).toFixed(0)} bytes on average), ${calls} calls, transforms: ${TRANSFORMS.map((t) => t.name).join(', ')}; ${mismatches.length} mismatches\n  outcomes on plain V8:\n${outcomes}`,
    );
    expect(mismatches).toEqual([]);
    // The generator must keep exercising both paths: calls that return and calls that trap.
    expect(kinds.returned ?? 0).toBeGreaterThan(calls / 4);
    expect(Object.keys(kinds).length).toBeGreaterThan(5);
    // Three transforms (metered-defined since perf-fn11).
  }, 240_000);

  it('replays every regression fixture', () => {
    for (const { fixture, bytes } of loadFixtures()) {
      const profile = PROFILES[fixture.profile ?? 'generated'];
      if (!profile) throw new Error(`${fixture.name}: unknown profile ${fixture.profile}`);
      const r = differential(bytes, fixture.calls, TRANSFORMS, profile);
      expect(r.mismatches, fixture.name).toEqual([]);
    }
  });

  it('catches a transform that changes behaviour', () => {
    const flipLast: Transform = {
      name: 'flip-last-byte',
      transform: (b) => {
        const out = new Uint8Array(b);
        out[out.length - 1]! ^= 0x55;
        return out;
      },
      extraImports: () => ({}),
    };
    const rejectAll: Transform = {
      name: 'reject-all',
      transform: () => new Uint8Array(HEADER.slice(0, 4)),
      extraImports: () => ({}),
    };
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const m = generate(seed);
      const r = differential(m.bytes, plan(m.bytes, seed), [flipLast, rejectAll]);
      expect(r.mismatches.some((x) => x.transform === 'reject-all')).toBe(true);
      if (r.mismatches.some((x) => x.transform === 'flip-last-byte')) caught++;
    }
    expect(caught).toBeGreaterThan(15);
  });
});
