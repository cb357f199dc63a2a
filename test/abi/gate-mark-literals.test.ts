/**
 * The scalar imports write the host's mark out as literals (`if (busy === 1) gate.busy = 65;
 * else if (busy >= 128) throwAgain(gate);` in host/abi/calls.ts: a call of `markHost` cost the
 * guest-to-host row a binding load and two compares), and so does `markHost` itself
 * (host/abi/handles.ts). The literals must stay the gate word's `GATE_OPEN`, `GATE_OPEN | HOST`
 * and `THREW`: every such line of calls.ts and handles.ts is checked against the constants, so a
 * change of any fails here.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GATE_OPEN } from '../../host/abi/fast.js';
import { HOST, THREW } from '../../host/abi/handles.js';

const MARK =
  /if \(busy === (\d+)\) (?:gate|mark)\.busy = (\d+);\s*else if \(busy >= (\d+)\) throwAgain\((?:gate|mark)\);/g;

it("the scalar imports' written-out mark is GATE_OPEN becoming GATE_OPEN | HOST, refused from THREW", () => {
  for (const [file, least] of [
    ['calls.ts', 3],
    ['handles.ts', 1],
  ] as const) {
    const source = readFileSync(new URL(`../../host/abi/${file}`, import.meta.url), 'utf8');
    // No mark written the old way (without the refusal after a throw).
    expect(source).not.toMatch(/if \((?:gate|mark)\.busy === \d+\) (?:gate|mark)\.busy = \d+;/);
    const marks = [...source.matchAll(MARK)];
    expect(marks.length).toBeGreaterThanOrEqual(least);
    for (const [, open, marked, threw] of marks) {
      expect(Number(open)).toBe(GATE_OPEN);
      expect(Number(marked)).toBe(GATE_OPEN | HOST);
      expect(Number(threw)).toBe(THREW);
    }
  }
  // THREW is the highest mark: `busy >= THREW` is the whole test.
  expect(THREW).toBeGreaterThan(GATE_OPEN | HOST | 32 | 16 | 8 | 4 | 2);
});
