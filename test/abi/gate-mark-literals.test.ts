/**
 * The scalar imports write the host's mark out as literals (`if (gate.busy === 1) gate.busy =
 * 65` in host/abi/calls.ts: a call of `markHost` cost the guest-to-host row a binding load and two
 * compares). The literals must stay the gate word's `GATE_OPEN` and `GATE_OPEN | HOST`: every
 * such line of calls.ts is checked against the constants, so a change of either fails here.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GATE_OPEN } from '../../host/abi/fast.js';
import { HOST } from '../../host/abi/handles.js';

it("the scalar imports' written-out mark is GATE_OPEN becoming GATE_OPEN | HOST", () => {
  const source = readFileSync(new URL('../../host/abi/calls.ts', import.meta.url), 'utf8');
  const marks = [...source.matchAll(/if \(gate\.busy === (\d+)\) gate\.busy = (\d+);/g)];
  expect(marks.length).toBeGreaterThanOrEqual(3);
  for (const [, open, marked] of marks) {
    expect(Number(open)).toBe(GATE_OPEN);
    expect(Number(marked)).toBe(GATE_OPEN | HOST);
  }
});
