/**
 * A cold load meters and starts compiling each core module as the planner meets it, so that V8
 * compiles on its threads while the rest of the component is planned (before, every module waited
 * for the whole plan). What a load refuses, and with which error, is unchanged: a component whose
 * plan fails is refused for its plan even when a core module of it is invalid too; one whose plan
 * succeeds is refused for its first invalid core module; every module is validated before the
 * hook (the meter) sees it.
 */
import { expect, it } from 'vitest';
import { type CoreModulePlan, planComponent } from '../../host/abi/plan.js';
import { isKeelError, Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';

/** A hook that records what it was given, and when (the planner's progress is read by `onModule`). */
function recordingHook() {
  const seen: string[] = [];
  return {
    seen,
    hook: {
      id: 'recording',
      transform: (bytes: Uint8Array, context: { file: string }) => {
        expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
        seen.push(context.file);
        return bytes;
      },
    },
  };
}

const GOOD = '(core module $a (func (export "f")))';
const BAD = '(core module $b (func (result i32)))';
/** A core instance of a module index that does not exist: the plan fails after the modules. */
const PLAN_ERROR = '(core instance (instantiate 7))';

async function refusal(kernel: Kernel, text: string): Promise<string> {
  try {
    await kernel.load(await parse(text));
  } catch (error) {
    expect(isKeelError(error) && error.code).toBe('invalid-module');
    return (error as Error).message;
  }
  throw new Error('loaded');
}

it('the planner hands each core module over as it meets it, in the order of the plan', async () => {
  const bytes = await parse(
    `(component ${GOOD} (core module $c (func (export "g"))) (core instance (instantiate $a)))`,
  );
  const met: CoreModulePlan[] = [];
  const plan = planComponent(bytes, (m) => met.push(m));
  expect(met).toHaveLength(2);
  expect(met).toEqual(plan.modules);
  for (const [i, m] of met.entries()) expect(m).toBe(plan.modules[i]);
});

it('a core module is metered before the rest of the component is planned', async () => {
  const { seen, hook } = recordingHook();
  const kernel = new Kernel({ cacheDir: false, coreHook: hook, metering: false });
  try {
    const message = await refusal(kernel, `(component ${GOOD} ${PLAN_ERROR})`);
    expect(message).toMatch(/core instance/);
    expect(seen).toEqual(['core0.wasm']);
  } finally {
    await kernel.close();
  }
});

it('a component with an invalid plan and an invalid core module is refused for its plan', async () => {
  const { seen, hook } = recordingHook();
  const kernel = new Kernel({ cacheDir: false, coreHook: hook });
  try {
    const message = await refusal(kernel, `(component ${GOOD} ${BAD} ${PLAN_ERROR})`);
    expect(message).toMatch(/core instance/);
    expect(message).not.toMatch(/core1\.wasm/);
    // The invalid module never reached the hook.
    expect(seen).toEqual(['core0.wasm']);
  } finally {
    await kernel.close();
  }
});

it('a component with a valid plan is refused for its first invalid core module, which the hook never sees', async () => {
  const { seen, hook } = recordingHook();
  const kernel = new Kernel({ cacheDir: false, coreHook: hook });
  try {
    const message = await refusal(kernel, `(component ${GOOD} ${BAD} (core module $c (func (export "g"))))`);
    expect(message).toMatch(/invalid core module core1\.wasm/);
    expect(seen).toEqual(['core0.wasm']);
  } finally {
    await kernel.close();
  }
});
