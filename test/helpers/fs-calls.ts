/**
 * node:fs with some functions' calls recorded, for the tests that count the disk cache's system
 * calls. Used from a `vi.mock('node:fs', ...)` factory, which vitest hoists above the test's own
 * declarations: the record lives here, so the factory needs nothing of the test file.
 */

/** The first argument of each recorded call (a path, or a file descriptor as text), by function. */
export const fsCalls: Record<string, string[]> = {};

/** `real` with each named function wrapped to record its calls in `fsCalls` first. */
export function recordingFs<T extends object>(real: T, names: readonly string[]): T {
  const mocked: Record<string, unknown> = { ...(real as Record<string, unknown>) };
  for (const name of names) {
    const original = (real as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
    const seen: string[] = [];
    fsCalls[name] = seen;
    mocked[name] = (first: unknown, ...rest: unknown[]) => {
      seen.push(String(first));
      return original(first, ...rest);
    };
  }
  return mocked as T;
}

/** Forgets every recorded call (a test's `beforeEach`). */
export function clearFsCalls(): void {
  for (const seen of Object.values(fsCalls)) seen.length = 0;
}
