/**
 * Name checks at parse time: every name of a component is data, checked against the component
 * model's name grammar (host/loader/names.ts) before anything reads it.
 */
import { KeelError } from '../kernel/errors.js';
import { type NameRole as GrammarRole, MAX_NAME_BYTES, nameProblem, showName } from '../loader/names.js';

/** A grammar role, or `custom` (a custom section's name: only its length is checked, it is skipped). */
export type NameRole = GrammarRole | 'custom';

/** Throws `invalid-module` naming what the name is and its section when it does not fit `role`. */
export function checkName(name: string, role: NameRole, what: string, section: string): void {
  const problem =
    role === 'custom'
      ? name.length > MAX_NAME_BYTES
        ? `longer than ${MAX_NAME_BYTES} bytes`
        : undefined
      : nameProblem(name, role);
  if (problem) {
    throw new KeelError(
      'invalid-module',
      `invalid component (${section} section): ${what} name ${showName(name)} ${problem}`,
      { section, name: showName(name) },
    );
  }
}
