/**
 * A `SandboxContext` for tests that link a provider by hand, without a kernel: deterministic,
 * the default limits, no deadline, its events and end-of-sandbox cleanups kept for the test.
 */
import type { SandboxContext } from '../../host/caps/provider.js';
import { DEFAULT_LIMITS } from '../../host/index.js';

export type FakeContext = SandboxContext & { end(): void; events: unknown[] };

export function fakeContext(module = 'test'): FakeContext {
  const state = new Map<string, unknown>();
  const cleanups: (() => void)[] = [];
  const events: unknown[] = [];
  return {
    sandbox: 'sb_test',
    module,
    limits: DEFAULT_LIMITS,
    io: {},
    deterministic: true,
    seed: 1n,
    protectedPaths: [],
    events,
    emit: (event) => events.push(event),
    emitText: (_name, text, build) => events.push(build(text)),
    state: <T>(key: string, init: () => T): T => {
      if (!state.has(key)) state.set(key, init());
      return state.get(key) as T;
    },
    exit: () => {
      throw new Error('exit');
    },
    charge: () => {},
    invocationInput: () => undefined,
    invocationId: () => undefined,
    virtualNanos: () => 0n,
    timeLeftMs: () => Number.POSITIVE_INFINITY,
    mayAwait: () => false,
    timedOut: () => {
      throw new Error('no deadline in this test');
    },
    onEnd: (cleanup) => cleanups.push(cleanup),
    end: () => {
      for (const c of cleanups.splice(0)) c();
    },
  };
}
