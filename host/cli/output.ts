/**
 * How the CLI talks: human lines on stderr (colored when it is a terminal), results on stdout,
 * and with --json exactly one JSON object as the last line of stdout.
 */
import { ERROR_CATALOG, type ErrorCode, KeelError } from '../kernel/errors.js';

export const EXIT_OK = 0;
/** The guest failed: trap, limit, denial, non-zero exit. */
export const EXIT_GUEST_FAILED = 1;
/** Bad invocation or invalid module. */
export const EXIT_USAGE = 2;

const color = process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = (text: string) => paint(1, text);
export const dim = (text: string) => paint(2, text);
export const red = (text: string) => paint(31, text);
export const green = (text: string) => paint(32, text);
export const yellow = (text: string) => paint(33, text);

export function asKeelError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  return new KeelError('internal', error instanceof Error ? error.message : String(error));
}

/** Exit status for a failure: 2 for a bad invocation or module, 1 for anything the guest did. */
export function exitStatusFor(code: ErrorCode): number {
  return code === 'invalid-argument' || code === 'invalid-module' ? EXIT_USAGE : EXIT_GUEST_FAILED;
}

/** `error[code]: message` and the catalog's hint, on stderr. */
export function printError(error: KeelError): void {
  process.stderr.write(`${red(bold(`error[${error.code}]`))}: ${error.message}\n`);
  process.stderr.write(`${dim(`  hint: ${ERROR_CATALOG[error.code].fix}`)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A one-line progress note on stderr, only for a human at a terminal. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${dim(text)}\n`);
}
