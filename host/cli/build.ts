/**
 * `keel build [dir]`: build the guest project in <dir> (keel.json) into a component.
 */
import { buildProject } from '../../scripts/sdk/build.js';
import { PathError } from '../../scripts/sdk/files.js';
import { ProjectError, readProject } from '../../scripts/sdk/project.js';
import { MissingToolError } from '../../scripts/sdk/toolchain.js';
import { KeelError } from '../kernel/errors.js';
import { runCommand } from './command.js';
import { bold, dim, EXIT_GUEST_FAILED, EXIT_OK, printJson, red, stderr, stdout } from './output.js';

export const BUILD_HELP = `Usage: keel build [dir] [--quiet] [--progress] [--json]

Build the guest project in [dir] (default: the current folder) into a
WebAssembly component: read keel.json, resolve its WIT world with Keel's
packages, generate the bindings, compile with the language's toolchain and
write the component and its build record (<output>.build.json). Nothing is
downloaded; a build writes only inside the project folder.

Options:
  --quiet     Do not print progress
  --progress  Print progress on stderr even when it is not a terminal
              (a terminal always gets it; a pipe or a file does not)
  --json      Print one JSON object
  -h, --help  Show this help

Toolchains:
  c       apt-get install clang lld wasi-libc libclang-rt-dev-wasm32
  rust    apt-get install rustc libstd-rust-dev-wasm32
  as      AssemblyScript, from npm (in a checkout of Keel; beside an
          installed keel: npm install --save-dev assemblyscript)
  js, ts  componentize-js (comes with Keel) and esbuild (ts: and
          typescript), from npm like AssemblyScript

Exit status: 0 built, 1 the build failed (a missing toolchain, a compiler
error), 2 a bad invocation, no keel.json or a malformed one.
`;

const FLAGS = {
  quiet: { type: 'boolean' },
  progress: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function buildCommand(argv: string[]): Promise<number> {
  return runCommand(
    { name: 'build', help: BUILD_HELP, flags: FLAGS },
    argv,
    async ({ values, positionals, json }) => {
      if (positionals.length > 1) {
        throw new KeelError(
          'invalid-argument',
          `expected at most one project folder, got ${positionals.length} (see \`keel build --help\`)`,
        );
      }
      const started = performance.now();
      // Progress is for a person at a terminal; a pipe or a file gets it only when asked.
      const onProgress =
        values.quiet || !(stderr.isTTY || values.progress)
          ? undefined
          : (line: string) =>
              stderr.line(`${dim(`[${((performance.now() - started) / 1000).toFixed(1)}s]`)} ${line}`);
      let built: Awaited<ReturnType<typeof buildProject>>;
      try {
        const project = readProject(positionals[0] ?? '.');
        built = await buildProject(project, onProgress ? { onProgress } : {});
      } catch (error) {
        if (error instanceof ProjectError || error instanceof PathError)
          throw new KeelError('invalid-argument', error.message);
        return buildFailed(error, json);
      }
      const { output, record } = built;
      if (json)
        printJson({
          ok: true,
          output,
          bytes: record.bytes,
          sha256: record.output,
          inputs: record.inputs,
          toolchain: record.toolchain,
        });
      else stdout.line(`${output} (${record.bytes} bytes)`);
      return EXIT_OK;
    },
  );
}

/**
 * A build that failed: not a kernel error (no catalog code) but the toolchain's, with what to
 * do. `--json` tells a missing toolchain (`toolchain-missing`, with the Debian packages) from a
 * failed step (`build-failed`).
 */
function buildFailed(error: unknown, json: boolean): number {
  const message = error instanceof Error ? error.message : String(error);
  const missing = error instanceof MissingToolError;
  if (json) {
    printJson({
      ok: false,
      error: {
        code: missing ? 'toolchain-missing' : 'build-failed',
        message,
        ...(missing
          ? { tool: error.tool.name, packages: error.tool.packages, manager: error.tool.manager ?? 'apt' }
          : {}),
      },
    });
  } else {
    stderr.endLine();
    stderr.line(`${red(bold('error'))}: ${message}`);
    stderr.line(
      dim(
        missing
          ? error.tool.manager === 'npm'
            ? '  hint: install the package named with npm, then build again'
            : '  hint: install the packages named, or name the executable in the variable given'
          : '  hint: the output above is the toolchain’s; fix the source it names',
      ),
    );
  }
  return EXIT_GUEST_FAILED;
}
