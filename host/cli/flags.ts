/**
 * Flag parsing shared by the commands, on node:util's parseArgs: unknown flags and missing
 * values are usage errors (exit 2) with a pointer to --help.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KeelError } from '../kernel/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends Options>(
  command: string,
  argv: string[],
  options: T,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new KeelError('invalid-argument', `${message} (see \`keel ${command} --help\`)`);
  }
}

/** A count such as `--fuel 1_000_000`: digits, `_` separators allowed, at most 2^53 - 1. */
export function parseNonNegativeInteger(flag: string, text: string): number {
  const digits = text.replace(/_/g, '');
  if (!/^\d+$/.test(digits)) {
    throw new KeelError('invalid-argument', `--${flag} must be a non-negative integer, got "${text}"`);
  }
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) {
    throw new KeelError(
      'invalid-argument',
      `--${flag} ${text} is too large: the largest accepted is ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return value;
}
