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

export function parseNonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text.replace(/_/g, '')) || !Number.isSafeInteger(Number(text.replace(/_/g, '')))) {
    throw new KeelError('invalid-argument', `--${flag} must be a non-negative integer, got "${text}"`);
  }
  return Number(text.replace(/_/g, ''));
}

/** `--env NAME=VALUE` sets a variable; `--env NAME` passes the host's value through (if set). */
export function parseEnvFlags(flags: readonly string[], hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new KeelError('invalid-argument', `--env ${flag}: "${name}" is not a valid variable name`);
    }
    if (eq >= 0) env[name] = flag.slice(eq + 1);
    else if (hostEnv[name] !== undefined) env[name] = hostEnv[name]!;
  }
  return env;
}

/** `--dir HOST::GUEST[:ro]` → the parts of a filesystem grant. */
export function parseDirFlag(flag: string): { host: string; guest: string; readOnly: boolean } {
  const sep = flag.indexOf('::');
  if (sep <= 0)
    throw new KeelError('invalid-argument', `--dir ${flag}: expected HOST::GUEST or HOST::GUEST:ro`);
  const host = flag.slice(0, sep);
  let guest = flag.slice(sep + 2);
  let readOnly = false;
  if (guest.endsWith(':ro')) {
    readOnly = true;
    guest = guest.slice(0, -3);
  } else if (guest.endsWith(':rw')) {
    guest = guest.slice(0, -3);
  }
  if (guest === '') throw new KeelError('invalid-argument', `--dir ${flag}: the guest path is empty`);
  return { host, guest, readOnly };
}
