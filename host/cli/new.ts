/**
 * `keel new <language> <dir>`: write a guest project from Keel's templates.
 */
import { createProject } from '../../scripts/sdk/new.js';
import { ProjectError } from '../../scripts/sdk/project.js';
import { KeelError } from '../kernel/errors.js';
import { runCommand } from './command.js';
import { EXIT_OK, printJson, stdout } from './output.js';

export const NEW_HELP = `Usage: keel new <as|c|rust|js|ts> <dir> [--json]

Write a working guest project into <dir>: keel.json, its WIT world (which
includes keel:kernel/actor) and a handler that logs, answers a request and
publishes an event. <dir> must not exist or must be empty: nothing is ever
overwritten. Build it with \`keel build <dir>\`.

Languages: as (AssemblyScript), c, rust, js (JavaScript), ts (TypeScript);
see docs/sdk-<language>.md.

Options:
  --json      Print one JSON object
  -h, --help  Show this help

Exit status: 0 written, 2 a bad invocation, an unknown language, or a <dir>
that is not an empty folder.

Examples:
  keel new rust hello && keel build hello
  keel new ts ./plugins/greeter
`;

const FLAGS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function newCommand(argv: string[]): Promise<number> {
  return runCommand({ name: 'new', help: NEW_HELP, flags: FLAGS }, argv, ({ positionals, json }) => {
    if (positionals.length !== 2) {
      throw new KeelError(
        'invalid-argument',
        `expected a language and a folder, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'} (see \`keel new --help\`)`,
      );
    }
    const [language, dir] = positionals as [string, string];
    let project: ReturnType<typeof createProject>;
    try {
      project = createProject(language, dir);
    } catch (error) {
      if (error instanceof ProjectError) throw new KeelError('invalid-argument', error.message);
      throw error;
    }
    if (json) {
      printJson({ ok: true, language, dir: project.dir, name: project.name, files: project.files });
    } else {
      stdout.line(`created ${dir}: ${project.files.join(', ')}`);
      stdout.line(`next: keel build ${dir}`);
    }
    return EXIT_OK;
  });
}
