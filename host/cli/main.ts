/**
 * The `keel` command: dispatch to a subcommand. Returns the process exit status.
 */
import { createRequire } from 'node:module';
import { KeelError } from '../kernel/errors.js';
import { asKeelError, EXIT_OK, EXIT_USAGE, exitStatusFor, printError, stdout } from './output.js';

export const MAIN_HELP = `Usage: keel <command> [options]

Keel runs untrusted WebAssembly in capability-scoped, metered sandboxes.

Commands:
  run <file.wasm>      Run a component or module in a fresh sandbox
  inspect <file.wasm>  Show a module's kind, WIT world and what it needs granted
  up <plan>            Start the sandboxes of a plan (JSON or YAML) and run them
  demo                 Run the sample guests (what \`npm start\` does)
  new <lang> <dir>     Write a guest project (as, c, rust, js, ts)
  build [dir]          Build a guest project into a component
  cluster <status|keygen>
                       See a lattice's hosts; make a host's key pair
  help [command]       Show help for a command

Options:
  -h, --help           Show help
  -v, --version        Show Keel's version

Run \`keel <command> --help\` for a command's options.
`;

const HELP: Record<string, () => Promise<string>> = {
  run: async () => (await import('./run.js')).RUN_HELP,
  inspect: async () => (await import('./inspect.js')).INSPECT_HELP,
  up: async () => (await import('./up.js')).UP_HELP,
  demo: async () => (await import('./demo.js')).DEMO_HELP,
  new: async () => (await import('./new.js')).NEW_HELP,
  build: async () => (await import('./build.js')).BUILD_HELP,
  cluster: async () => (await import('./cluster.js')).CLUSTER_HELP,
};

/** Run one command; never throws: a failure Keel did not expect is one `error[internal]` line. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    const failure = asKeelError(error);
    printError(failure);
    return exitStatusFor(failure.code);
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return (await import('./run.js')).runCommand(rest);
    case 'inspect':
      return (await import('./inspect.js')).inspectCommand(rest);
    case 'up':
      return (await import('./up.js')).upCommand(rest);
    case 'demo':
      return (await import('./demo.js')).demoCommand(rest);
    case 'new':
      return (await import('./new.js')).newCommand(rest);
    case 'build':
      return (await import('./build.js')).buildCommand(rest);
    case 'cluster':
      return (await import('./cluster.js')).clusterCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      stdout.write(MAIN_HELP);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    case 'help': {
      const topic = rest[0];
      stdout.write(topic && HELP[topic] ? await HELP[topic]() : MAIN_HELP);
      return EXIT_OK;
    }
    case '-v':
    case '--version': {
      const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
      stdout.write(`keel ${pkg.version}\n`);
      return EXIT_OK;
    }
    default:
      printError(new KeelError('invalid-argument', `unknown command "${command}" (see \`keel --help\`)`));
      return EXIT_USAGE;
  }
}
