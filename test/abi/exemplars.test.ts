import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Cx, MemoryView, OptionSlot } from '../../host/abi/context.js';
import { handleLimitCounter, InstanceState } from '../../host/abi/handles.js';
import { ComponentInstance, EXEMPLARS } from '../../host/abi/instance.js';
import { planComponent } from '../../host/abi/plan.js';

// vitest's forks run without these: switched on for this process (V8's own view of hidden classes).
setFlagsFromString('--expose-gc');
setFlagsFromString('--allow-natives-syntax');
const gc = runInNewContext('gc') as () => void;
// V8's own view of hidden classes (test only; fixed text of ours).
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const budget = { maxCallBytes: 1 << 26, maxHostArgBytes: 1 << 20, charge: () => {}, chargeCall: () => {} };

async function instantiate(): Promise<ComponentInstance> {
  const plan = planComponent(readFileSync(root('guests/as/types/types.wasm')));
  const modules = await Promise.all(
    plan.modules.map((m) => WebAssembly.compile(m.bytes as Uint8Array<ArrayBuffer>)),
  );
  return new ComponentInstance(plan, modules, {
    imports: {},
    instantiateCore: (m, i) => new WebAssembly.Instance(m, i),
    bytes: budget,
    handles: handleLimitCounter(1000),
  });
}

describe("the exemplars of a component instance's parts", () => {
  it("share every sandbox's hidden classes, so that those outlive the last sandbox", async () => {
    const made = await instantiate();
    // The exemplar is the instance of an empty plan: another path through the same constructor.
    expect(sameMap(made, EXEMPLARS.instance)).toBe(true);
    const slot = new OptionSlot(new MemoryView(), 'utf16');
    const state = new InstanceState(3, handleLimitCounter(10), made);
    expect(sameMap(slot, EXEMPLARS.slot)).toBe(true);
    expect(sameMap(state, EXEMPLARS.state)).toBe(true);
    // A host function's context (named) and an export's (not) alike.
    expect(sameMap(new Cx(slot, state, budget, 'wasi:cli/stdout'), EXEMPLARS.cx)).toBe(true);
    expect(sameMap(new Cx(slot, state, budget), EXEMPLARS.cx)).toBe(true);
    expect(made.exportFunction('numbers#add-u8')!.fn(200, 1)).toBe(201);
  });

  it('keep the maps when every instance is gone and full collections ran', async () => {
    const first = new WeakRef(await instantiate());
    for (let i = 0; i < 4 && first.deref(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    const later = await instantiate();
    expect(sameMap(later, EXEMPLARS.instance)).toBe(true);
    expect(later.exportFunction('numbers#add-u8')!.fn(1, 2)).toBe(3);
  });
});
