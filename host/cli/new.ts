/**
 * `keel new <language> <dir>`: write a guest project from Keel's templates.
 */
import { createProject } from '../../scripts/sdk/new.js';
import { EXIT_OK, EXIT_USAGE, red } from './output.js';

export const NEW_HELP = `Usage: keel new <as|c|rust|js|ts> <dir>

Write a working guest project into <dir> (which must not exist or be empty): keel.json, its
WIT world (including keel:kernel/actor) and a handler that logs, answers a request and
publishes an event. Build it with \`keel build <dir>\`.

Languages: as (AssemblyScript), c, rust, js (JavaScript), ts (TypeScript).
See docs/sdk-<language>.md.
`;

export async function newCommand(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(NEW_HELP);
    return EXIT_OK;
  }
  const [language, dir, ...extra] = argv;
  if (!language || !dir || extra.length > 0) {
    process.stderr.write(NEW_HELP);
    return EXIT_USAGE;
  }
  try {
    const project = createProject(language, dir);
    process.stdout.write(`created ${dir}: ${project.files.join(', ')}\n`);
    process.stdout.write(`next: keel build ${dir}\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`${red('error')}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
}
