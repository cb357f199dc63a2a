/**
 * The scalar imports write the host's mark out as literals (`if (gate.busy === 1) gate.busy =
 * 65` in host/abi/calls.ts: a call of `markHost` cost the guest-to-host row a binding load and two
 * compares), and `markHost` (host/abi/handles.ts) writes its refusal after a throw as one
 * (`else if (busy >= 128) throwAgain(mark)`). The literals must stay the gate word's
 * `GATE_OPEN`, `GATE_OPEN | HOST` and `THREW`: every such line is checked against the constants,
 * so a change of any fails here.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GATE_OPEN } from '../../host/abi/fast.js';
import { HOST, THREW } from '../../host/abi/handles.js';

function source(file: string): string {
  return readFileSync(new URL(`../../host/abi/${file}`, import.meta.url), 'utf8');
}

it("the scalar imports' written-out mark is GATE_OPEN becoming GATE_OPEN | HOST", () => {
  const marks = [...source('calls.ts').matchAll(/if \(gate\.busy === (\d+)\) gate\.busy = (\d+);/g)];
  expect(marks.length).toBeGreaterThanOrEqual(3);
  for (const [, open, marked] of marks) {
    expect(Number(open)).toBe(GATE_OPEN);
    expect(Number(marked)).toBe(GATE_OPEN | HOST);
  }
});

it("markHost's written-out mark, and its refusal from THREW (the highest mark)", () => {
  const marks = [
    ...source('handles.ts').matchAll(
      /if \(busy === (\d+)\) mark\.busy = (\d+);\s*else if \(busy >= (\d+)\) throwAgain\(mark\);/g,
    ),
  ];
  expect(marks.length).toBe(1);
  const [, open, marked, threw] = marks[0]!;
  expect(Number(open)).toBe(GATE_OPEN);
  expect(Number(marked)).toBe(GATE_OPEN | HOST);
  expect(Number(threw)).toBe(THREW);
  // `busy >= THREW` is the whole test only while THREW is above every other mark.
  expect(THREW).toBeGreaterThan(GATE_OPEN | HOST | 32 | 16 | 8 | 4 | 2);
});
