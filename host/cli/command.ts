/**
 * The frame every `--json` command shares: flags parsed (a usage error is exit status 2),
 * `--help` printed, and a failure reported once, as `{ ok: false, error }` on `--json` or as
 * the error and its hint otherwise, with its exit status.
 */
import type { KeelError } from '../kernel/errors.js';
import { type Options, parseFlags } from './flags.js';
import { asKeelError, EXIT_OK, exitStatusFor, printError, printJson, stdout } from './output.js';

export interface CommandArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** `--json` was given (also when the flags themselves are malformed). */
  json: boolean;
}

export async function runCommand(
  command: { name: string; help: string; flags: Options },
  argv: string[],
  body: (args: CommandArgs) => Promise<number> | number,
  hint?: (failure: KeelError) => string,
): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(command.name, argv, command.flags);
    if (values.help) {
      stdout.write(command.help);
      return EXIT_OK;
    }
    return await body({ values, positionals, json });
  } catch (error) {
    const failure = asKeelError(error);
    if (json) printJson({ ok: false, error: { code: failure.code, message: failure.message } });
    else if (hint) printError(failure, hint(failure));
    else printError(failure);
    return exitStatusFor(failure.code);
  }
}
