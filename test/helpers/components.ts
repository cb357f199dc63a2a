/** Fixture modules shared with the benchmarks, and what tests do with them. */
import { isKeelError, type Kernel } from '../../host/index.js';

export * from '../../scripts/lib/fixtures.js';

/** `'loaded'` when `kernel` loads `bytes`, else the refusal as `"<code>: <message>"` (anything not a KeelError is rethrown). */
export async function loadOutcome(kernel: Kernel, bytes: Uint8Array): Promise<string> {
  try {
    await kernel.load(bytes);
    return 'loaded';
  } catch (error) {
    if (isKeelError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
}
