/**
 * `keel build [dir]`: build the guest project in <dir> (keel.json) into a component.
 */
import { buildProject } from '../../scripts/sdk/build.js';
import { ProjectError, readProject } from '../../scripts/sdk/project.js';
import { dim, EXIT_GUEST_FAILED, EXIT_OK, EXIT_USAGE, red } from './output.js';

export const BUILD_HELP = `Usage: keel build [dir]

Build the guest project in [dir] (default: the current folder) into a WebAssembly component:
read keel.json, resolve its WIT world with Keel's packages, generate the bindings, compile with
the language's toolchain and write the component and its build record.

Toolchains (Debian packages):
  c       clang lld wasi-libc libclang-rt-dev-wasm32
  rust    rustc libstd-rust-dev-wasm32
  as      none (AssemblyScript comes with Keel)
  js, ts  none (componentize-js and esbuild come with Keel)
`;

export async function buildCommand(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(BUILD_HELP);
    return EXIT_OK;
  }
  if (argv.length > 1) {
    process.stderr.write(BUILD_HELP);
    return EXIT_USAGE;
  }
  const started = performance.now();
  try {
    const project = readProject(argv[0] ?? '.');
    const { output, record } = await buildProject(project, {
      onProgress: (line) =>
        process.stderr.write(`${dim(`[${((performance.now() - started) / 1000).toFixed(1)}s]`)} ${line}\n`),
    });
    process.stdout.write(`${output} (${record.bytes} bytes)\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`${red('error')}: ${(error as Error).message}\n`);
    return error instanceof ProjectError ? EXIT_USAGE : EXIT_GUEST_FAILED;
  }
}
