/**
 * `keel run`: load a module, spawn one sandbox with the CLI's grants, run it, report.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseEnvFlags } from '../caps/wasi-cli.js';
import { parseDirFlags } from '../caps/wasi-filesystem.js';
import { KeelError } from '../kernel/errors.js';
import { Kernel } from '../kernel/kernel.js';
import { parseSize } from '../kernel/limits.js';
import type { FuelReport, InvokeOutcome, Sandbox } from '../kernel/sandbox.js';
import type { GrantInput } from '../policy/grants.js';
import { parseFlags, parseNonNegativeInteger } from './flags.js';
import {
  asKeelError,
  EXIT_GUEST_FAILED,
  EXIT_OK,
  exitStatusFor,
  printError,
  printJson,
  progress,
} from './output.js';

export const RUN_HELP = `Usage: keel run <file.wasm> [options] [-- guest-args...]

Load a WebAssembly component or module into a fresh sandbox and run it.
Without --invoke, a command component (one exporting wasi:cli/run) is run.

Options:
  --invoke <export>       Call this export: <package>/<interface>#<function>
                          (version optional, e.g. docs:adder/add#add), a
                          world-level function by name, or a core export
  --args <json-array>     Arguments for --invoke, as a JSON array (default [])
  --fuel <n>              Fuel for the invocation
  --memory <size>         Linear memory limit: bytes, 64KiB, 1MiB, 1GiB
  --env NAME=VALUE        Set a guest environment variable (repeatable)
  --env NAME              Pass one host variable through (repeatable)
  --dir HOST::GUEST[:ro]  Grant a host directory at a guest path (repeatable)
  --grant <interface>     Grant an interface, e.g. wasi:clocks/wall-clock,
                          wasi:random/*, env.read_secret (repeatable)
  --stdin <file>          Feed this file to the guest's stdin
  --deterministic         Virtual clocks and seeded randomness
  --lazy-deny             Link ungranted imports; fail only if they are called
  --log <file.jsonl>      Write the event log (JSONL, schema v1)
  --cache-dir <dir>       Transpile cache (default ~/.cache/keel)
  --json                  Print one JSON result object as the last stdout line
  -h, --help              Show this help

By default the guest may use the terminal's stdin, stdout and stderr and
exit; it gets no environment, files, clocks, randomness or network unless
granted. Exit status: 0 ok, 1 the guest failed (trap, limit, denial,
non-zero exit), 2 bad invocation or invalid module.

Examples:
  keel run hello.wasm --invoke greet --args '["Keel"]'
  keel run app.wasm --env HOME=/home/guest --dir ./data::/data:ro
  keel run loop.wasm --invoke spin --fuel 1000000 --json
`;

/** What the CLI grants every guest: the terminal's stdio, and exit. */
export const CLI_DEFAULT_GRANTS: readonly string[] = [
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/exit',
];

const FLAGS = {
  invoke: { type: 'string' },
  args: { type: 'string' },
  fuel: { type: 'string' },
  memory: { type: 'string' },
  env: { type: 'string', multiple: true },
  dir: { type: 'string', multiple: true },
  grant: { type: 'string', multiple: true },
  stdin: { type: 'string' },
  deterministic: { type: 'boolean' },
  'lazy-deny': { type: 'boolean' },
  log: { type: 'string' },
  'cache-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface RunRequest {
  file: string;
  invoke: string | undefined;
  args: unknown[];
  guestArgs: string[];
  fuel: number | undefined;
  memory: number | undefined;
  grants: GrantInput[];
  stdinFile: string | undefined;
  deterministic: boolean;
  lazy: boolean;
  log: string | undefined;
  cacheDir: string | undefined;
  json: boolean;
}

function parseRequest(argv: string[]): RunRequest | 'help' {
  const dashdash = argv.indexOf('--');
  const own = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const guestArgs = dashdash < 0 ? [] : argv.slice(dashdash + 1);
  const { values, positionals } = parseFlags('run', own, FLAGS);
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new KeelError(
      'invalid-argument',
      `expected one module file, got ${positionals.length} (see \`keel run --help\`)`,
    );
  }
  const file = positionals[0]!;
  let args: unknown[] = [];
  if (values.args !== undefined) {
    try {
      args = JSON.parse(values.args as string);
    } catch (error) {
      throw new KeelError('invalid-argument', `--args is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(args))
      throw new KeelError('invalid-argument', '--args must be a JSON array, e.g. --args \'[1, "two"]\'');
  }
  const grants: GrantInput[] = [
    ...CLI_DEFAULT_GRANTS,
    // argv[0] is the module's file name without its directory, as Wasmtime gives it.
    parseEnvFlags((values.env as string[] | undefined) ?? [], process.env, {
      args: [basename(file), ...guestArgs],
    }),
  ];
  for (const name of (values.grant as string[] | undefined) ?? []) grants.push(name);
  const dirs = (values.dir as string[] | undefined) ?? [];
  if (dirs.length > 0) grants.push(parseDirFlags(dirs));
  return {
    file,
    invoke: values.invoke as string | undefined,
    args,
    guestArgs,
    fuel: values.fuel === undefined ? undefined : parseNonNegativeInteger('fuel', values.fuel as string),
    memory: values.memory === undefined ? undefined : parseSize(values.memory as string),
    grants,
    stdinFile: values.stdin as string | undefined,
    deterministic: values.deterministic === true,
    lazy: values['lazy-deny'] === true,
    log: values.log as string | undefined,
    cacheDir: values['cache-dir'] as string | undefined,
    json: values.json === true,
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  let request: RunRequest | 'help';
  const wantsJson = argv.includes('--json');
  try {
    request = parseRequest(argv);
  } catch (error) {
    return report(asKeelError(error), wantsJson, undefined);
  }
  if (request === 'help') {
    process.stdout.write(RUN_HELP);
    return EXIT_OK;
  }
  const kernel = new Kernel({
    limits: {
      ...(request.fuel !== undefined ? { fuel: request.fuel } : {}),
      ...(request.memory !== undefined ? { memoryBytes: request.memory } : {}),
    },
    ...(request.cacheDir !== undefined ? { cacheDir: request.cacheDir } : {}),
    ...(request.log !== undefined ? { log: request.log } : {}),
    deterministic: request.deterministic,
    denial: request.lazy ? 'call' : 'spawn',
  });
  let sandbox: Sandbox | undefined;
  try {
    const stdin =
      request.stdinFile === undefined ? undefined : new Uint8Array(await readStdinFile(request.stdinFile));
    progress(`loading ${request.file}`);
    const module = await kernel.load(request.file);
    const exportName = request.invoke ?? module.commandExport;
    if (!exportName) {
      const available = module.world.exports.map((e) => e.name).join(', ') || '(none)';
      throw new KeelError(
        'invalid-argument',
        `${module.name} is not a command (it exports neither wasi:cli/run nor a preview1 _start); choose an export with --invoke (exports: ${available})`,
      );
    }
    sandbox = await kernel.spawn(module, {
      grants: request.grants,
      io: {
        ...(stdin ? { stdin } : {}),
        stdout: (chunk) => process.stdout.write(chunk),
        stderr: (chunk) => process.stderr.write(chunk),
      },
    });
    const outcome = await sandbox.invoke(exportName, request.invoke ? request.args : []);
    return finish(outcome, request.json, Boolean(request.invoke));
  } catch (error) {
    return report(asKeelError(error), request.json, sandbox?.lastFuel());
  } finally {
    await kernel.close();
  }
}

async function readStdinFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new KeelError('invalid-argument', `--stdin ${path}: ${(error as Error).message}`);
  }
}

function finish(outcome: InvokeOutcome, json: boolean, invoked: boolean): number {
  // A command whose `run` returns `err` failed without calling exit: status 1, as Wasmtime does.
  const runErr =
    !invoked && outcome.exit === undefined && (outcome.value as { tag?: unknown } | null)?.tag === 'err';
  if (runErr) outcome = { ...outcome, exit: 1 };
  const failed = outcome.exit !== undefined && outcome.exit !== 0;
  if (json) {
    printJson({
      ok: true,
      value: outcome.value,
      ...(outcome.exit !== undefined ? { exit: outcome.exit } : {}),
      fuel: outcome.fuel,
    });
  } else if (invoked && outcome.value !== null && outcome.value !== undefined) {
    process.stdout.write(
      `${typeof outcome.value === 'string' ? outcome.value : JSON.stringify(outcome.value)}\n`,
    );
  }
  if (failed && !json) process.stderr.write(`guest exited with status ${outcome.exit}\n`);
  return failed ? EXIT_GUEST_FAILED : EXIT_OK;
}

function report(error: KeelError, json: boolean, fuel: FuelReport | undefined): number {
  if (json) {
    printJson({ ok: false, error: { code: error.code, message: error.message }, fuel: fuel ?? null });
  } else {
    printError(error);
  }
  return exitStatusFor(error.code);
}
