/**
 * Turning whatever a guest call threw into one `KeelError`. WebAssembly traps keep V8's
 * reason; stack exhaustion is its own code; anything unexpected is `internal`.
 */
import { KeelError } from './errors.js';

/** Thrown by `wasi:cli/exit` to unwind the guest; caught by the sandbox, never by the host. */
export class GuestExit extends Error {
  override readonly name = 'GuestExit';
  constructor(readonly code: number) {
    super(`guest exited with status ${code}`);
  }
}

/** jco's wrapper for a top-level `result::err` returned by an export. */
export function componentErrorPayload(error: unknown): { payload: unknown } | undefined {
  // jco's glue throws `class ComponentError extends Error` without setting `name`: the class is
  // what identifies it (and its own `payload`).
  const isComponentError =
    error instanceof Error &&
    (error.name === 'ComponentError' || error.constructor?.name === 'ComponentError');
  if (isComponentError && Object.hasOwn(error, 'payload')) {
    return { payload: (error as Error & { payload: unknown }).payload };
  }
  return undefined;
}

/**
 * V8's refusals to reserve a wasm memory (`WebAssembly.Instance(): Out of memory: Cannot
 * allocate Wasm memory for new instance`, `WebAssembly.Memory(): could not allocate memory`):
 * every memory reserves address space (guard regions), even an empty one, and a process holds
 * only so many.
 */
const WASM_MEMORY_OOM = /cannot allocate wasm memory|could not allocate memory/i;

/**
 * The host's capacity for linear memories is spent (the process's address space for wasm
 * memories): `memory-limit` with `details.limit: 'host'`, never `internal`.
 */
export function hostMemoryExhausted(error: unknown, exportName: string): KeelError | undefined {
  if (!(error instanceof RangeError) || !WASM_MEMORY_OOM.test(error.message)) return undefined;
  return new KeelError(
    'memory-limit',
    `the host could not reserve memory for another sandbox's linear memory in "${exportName}" (${error.message}): end sandboxes that are no longer needed, or use fewer memories per sandbox (limits.memories)`,
    { limit: 'host', export: exportName, reason: error.message },
  );
}

/** `WebAssembly.Exception` (a guest's `throw`); Node 20's V8 has it, its type libraries may not. */
const WASM_EXCEPTION = (WebAssembly as unknown as { Exception: new (...args: never[]) => object }).Exception;

export function classifyFailure(error: unknown, exportName: string): KeelError {
  if (error instanceof KeelError) return error;
  const host = hostMemoryExhausted(error, exportName);
  if (host) return host;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new KeelError('stack-overflow', `stack overflow in "${exportName}": ${error.message}`, {
      export: exportName,
    });
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return new KeelError('trap', `wasm trap in "${exportName}": ${error.message}`, {
      export: exportName,
      reason: error.message,
    });
  }
  if (error instanceof WASM_EXCEPTION) {
    // A core exception (`throw`) that leaves the guest: the component model has none across its
    // boundary, so it is a trap, never `internal`. Its payload is the guest's: not in the message.
    return new KeelError('trap', `wasm trap in "${exportName}": an uncaught WebAssembly exception`, {
      export: exportName,
      reason: 'uncaught exception',
    });
  }
  if (error instanceof TypeError) {
    // jco's lowering checks (a string where a number is wanted, ...) throw TypeError.
    return new KeelError('invalid-argument', `bad value for "${exportName}": ${error.message}`, {
      export: exportName,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KeelError('internal', `unexpected failure in "${exportName}": ${message}`, {
    export: exportName,
  });
}
