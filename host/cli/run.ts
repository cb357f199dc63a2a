/**
 * `keel run`: load a module, spawn one sandbox with the CLI's grants, run it, report.
 */
import { openSync } from 'node:fs';
import { basename } from 'node:path';
import { fdSource } from '../caps/fd-source.js';
import { pathsOverlap } from '../caps/fs/host.js';
import { BUILTIN_PROVIDERS } from '../caps/index.js';
import type { ByteSource } from '../caps/provider.js';
import { parseEnvFlags } from '../caps/wasi-cli.js';
import { parseDirFlags } from '../caps/wasi-filesystem.js';
import { wasiHttp } from '../caps/wasi-http.js';
import { StreamClosed } from '../caps/wasi-io.js';
import { EVENTS } from '../events/names.js';
import type { KeelEvent } from '../events/record.js';
import { KeelError } from '../kernel/errors.js';
import type { SandboxPlacement } from '../kernel/kernel.js';
import { formatSize, parseSize } from '../kernel/limits.js';
import type { FuelReport, InvokeOutcome, Sandbox } from '../kernel/sandbox.js';
import { defaultCacheDir } from '../loader/disk-cache.js';
import { readModuleFileSync } from '../loader/files.js';
import { parseDuration } from '../policy/duration.js';
import type { GrantInput } from '../policy/grants.js';
import { parseFlags, parseNonNegativeInteger } from './flags.js';
import { CLI_DEFAULT_GRANTS, checkGrantNames, cliHint } from './grants.js';
import { type EventLog, openEventLog } from './log.js';
import {
  asKeelError,
  clearProgress,
  dim,
  EXIT_GUEST_FAILED,
  EXIT_OK,
  exitStatusFor,
  guestExitStatus,
  guestText,
  printError,
  printJson,
  printWarning,
  progress,
  setProgressMode,
  stderr,
  stdout,
  writeJson,
  yellow,
} from './output.js';
import { invokedSignature, returnsResult } from './signatures.js';

export { CLI_DEFAULT_GRANTS } from './grants.js';

export const RUN_HELP = `Usage: keel run <file.wasm> [options] [-- guest-args...]

Load a WebAssembly component or module into a fresh sandbox and run it.
Without --invoke, a command component (one exporting wasi:cli/run) is run.

Options:
  --invoke <export>       Call this export: <package>/<interface>#<function>
                          (version optional, e.g. docs:adder/add#add), a
                          world-level function by name, or a core export
  --args <json-array>     Arguments for --invoke, as a JSON array (default [])
  --fuel <n>              Fuel for the invocation
  --timeout <duration>    Wall-clock deadline of the invocation, waiting for
                          input included: 250ms, 5s, 2m (default 30s)
  --memory <size>         Linear memory limit, all the guest's memories
                          together: bytes, 64KiB, 1MiB, 1GiB
  --memories <n>          How many linear memories the guest may have
                          (default 16)
  --max-output <size>     stdout and stderr bytes kept (default 16MiB each)
  --env NAME=VALUE        Set a guest environment variable (repeatable)
  --env NAME              Pass one host variable through (repeatable)
  --dir HOST::GUEST[:ro|:rw][+links]
                          Grant a host directory at a guest path (repeatable);
                          +links allows hard links in it
  --grant <interface>     Grant an interface, e.g. wasi:clocks/wall-clock,
                          wasi:random/*, keel:kernel/log (repeatable)
  --allow-http <url>      Let the guest send HTTP requests under this URL:
                          scheme, host (or *.domain), port and path prefix,
                          e.g. https://api.example.com/v1/ (repeatable;
                          private and loopback addresses need an IP URL)
  --stdin <file>          Read the guest's stdin from this file ("-": Keel's
                          own stdin, the default)
  --placement <where>     inline (default: in Keel's thread) or worker (a
                          thread of its own, ended at once on a kill or a
                          timeout; preview1 modules then run via the adapter)
  --deterministic         Virtual clocks and seeded randomness
  --lazy-deny             Link ungranted imports; fail only if they are called
  --log <file.jsonl>      Append the event log (JSONL, schema v1)
  --cache-dir <dir>       Cache of metered core modules (default ~/.cache/keel)
  --quiet                 Do not print the guest's log lines or Keel's notes
  --progress              Say what takes long (loading) on stderr even when it
                          is not a terminal (a terminal always gets it)
  --json                  Print one JSON result object as the last stdout line
  -h, --help              Show this help

By default the guest reads Keel's stdin (a terminal, a pipe or a file, as it
asks for it) and writes to its stdout and stderr, and may exit; it gets no
environment, files, clocks, randomness or network unless granted. Its
keel:kernel/log lines go to stderr.

Exit status: the guest's own exit(N) is N; otherwise 0 ok, 1 the guest
failed (trap, limit, denial, timeout), 2 bad invocation or invalid module.

Examples:
  keel run hello.wasm --invoke greet --args '["Keel"]'
  keel run app.wasm --env HOME=/home/guest --dir ./data::/data:ro -- one two
  printf 'text' | keel run filter.wasm
  keel run loop.wasm --invoke spin --fuel 1000000 --json
`;

const FLAGS = {
  invoke: { type: 'string' },
  args: { type: 'string' },
  fuel: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  memories: { type: 'string' },
  'max-output': { type: 'string' },
  env: { type: 'string', multiple: true },
  dir: { type: 'string', multiple: true },
  grant: { type: 'string', multiple: true },
  'allow-http': { type: 'string', multiple: true },
  stdin: { type: 'string' },
  placement: { type: 'string' },
  deterministic: { type: 'boolean' },
  'lazy-deny': { type: 'boolean' },
  log: { type: 'string' },
  'cache-dir': { type: 'string' },
  quiet: { type: 'boolean' },
  progress: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface RunRequest {
  file: string;
  invoke: string | undefined;
  args: unknown[];
  fuel: number | undefined;
  timeoutMs: number | undefined;
  memory: number | undefined;
  memories: number | undefined;
  maxOutput: number | undefined;
  grants: GrantInput[];
  /** `-` (or absent): Keel's own stdin. */
  stdin: string;
  deterministic: boolean;
  placement: SandboxPlacement;
  lazy: boolean;
  log: string | undefined;
  cacheDir: string | undefined;
  quiet: boolean;
  progress: boolean;
  json: boolean;
}

function parseRequest(argv: string[]): RunRequest | 'help' {
  const dashdash = argv.indexOf('--');
  const own = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const guestArgs = dashdash < 0 ? [] : argv.slice(dashdash + 1);
  const { values, positionals } = parseFlags('run', own, FLAGS);
  if (values.help) return 'help';
  if (positionals.length === 0) {
    throw new KeelError(
      'invalid-argument',
      'name the module to run: keel run <file.wasm> (see `keel run --help`)',
    );
  }
  if (positionals.length > 1) {
    const [file, ...rest] = positionals;
    throw new KeelError(
      'invalid-argument',
      `expected one module file, got ${positionals.length}; to pass arguments to the guest, put them after --: keel run ${file} -- ${rest.join(' ')}`,
    );
  }
  const file = positionals[0]!;
  const invoke = values.invoke as string | undefined;
  let args: unknown[] = [];
  if (values.args !== undefined) {
    if (invoke === undefined) {
      throw new KeelError(
        'invalid-argument',
        '--args gives the arguments of an export called with --invoke: add --invoke <export> (a command takes its arguments after --)',
      );
    }
    try {
      args = JSON.parse(values.args as string);
    } catch (error) {
      throw new KeelError('invalid-argument', `--args is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(args))
      throw new KeelError('invalid-argument', '--args must be a JSON array, e.g. --args \'[1, "two"]\'');
  }
  const extra = (values.grant as string[] | undefined) ?? [];
  checkGrantNames(extra, BUILTIN_PROVIDERS);
  const grants: GrantInput[] = [
    ...CLI_DEFAULT_GRANTS,
    // argv[0] is the module's file name without its directory, as Wasmtime gives it.
    parseEnvFlags((values.env as string[] | undefined) ?? [], process.env, {
      args: [basename(file), ...guestArgs],
    }),
    ...extra,
  ];
  const dirs = (values.dir as string[] | undefined) ?? [];
  if (dirs.length > 0) {
    const grant = parseDirFlags(dirs);
    refuseWritableCache(grant, (values['cache-dir'] as string | undefined) ?? defaultCacheDir());
    grants.push(grant);
  }
  const http = (values['allow-http'] as string[] | undefined) ?? [];
  if (http.length > 0) grants.push(httpGrant(http));
  const size = (flag: string) => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return undefined;
    try {
      return parseSize(text);
    } catch (error) {
      throw new KeelError('invalid-argument', `--${flag}: ${(error as Error).message}`);
    }
  };
  return {
    file,
    invoke,
    args,
    fuel: values.fuel === undefined ? undefined : parseNonNegativeInteger('fuel', values.fuel as string),
    timeoutMs: values.timeout === undefined ? undefined : timeoutFlag(values.timeout as string),
    memory: size('memory'),
    memories:
      values.memories === undefined
        ? undefined
        : parseNonNegativeInteger('memories', values.memories as string),
    maxOutput: size('max-output'),
    grants,
    stdin: (values.stdin as string | undefined) ?? '-',
    deterministic: values.deterministic === true,
    placement: parsePlacement(values.placement as string | undefined),
    lazy: values['lazy-deny'] === true,
    log: values.log as string | undefined,
    cacheDir: values['cache-dir'] as string | undefined,
    quiet: values.quiet === true,
    progress: values.progress === true,
    json: values.json === true,
  };
}

/** `--timeout 5s`: a positive duration (250ms, 5s, 2m), in ms. */
function timeoutFlag(text: string): number {
  let ms: number;
  try {
    ms = Math.ceil(parseDuration(text));
  } catch (error) {
    throw new KeelError('invalid-argument', `--timeout: ${(error as Error).message}`);
  }
  if (!(ms > 0) || !Number.isSafeInteger(ms))
    throw new KeelError('invalid-argument', `--timeout must be a positive duration, e.g. 5s, got "${text}"`);
  return ms;
}

/** `--allow-http URL...` as an outgoing-HTTP grant, each URL checked now (a bad one is exit 2). */
function httpGrant(urls: readonly string[]): GrantInput {
  const grant = { interface: 'wasi:http/outgoing-handler', scope: { allow: [...urls] } };
  try {
    wasiHttp.parseScope!(grant.interface, grant.scope);
  } catch (error) {
    throw new KeelError(
      'invalid-argument',
      `--allow-http: ${(error as Error).message.replace(/^invalid scope for [^:]+: /, '')}`,
    );
  }
  return grant;
}

/** What the guest's output streams lost to the output limit, from the sandbox's summary events. */
interface Dropped {
  stdout?: number;
  stderr?: number;
  limit?: number;
}

export async function runCommand(argv: string[]): Promise<number> {
  let request: RunRequest | 'help';
  const wantsJson = argv.slice(0, argv.indexOf('--') >>> 0).includes('--json');
  try {
    request = parseRequest(argv);
  } catch (error) {
    return report(asKeelError(error), wantsJson, undefined);
  }
  if (request === 'help') {
    stdout.write(RUN_HELP);
    return EXIT_OK;
  }
  setProgressMode(request.quiet ? 'never' : request.progress ? 'always' : 'auto');
  let log: EventLog | undefined;
  let stdin: ByteSource;
  try {
    stdin = openStdin(request.stdin);
    if (request.log !== undefined) log = await openEventLog(request.log);
  } catch (error) {
    return report(asKeelError(error), request.json, undefined);
  }
  const { Kernel } = await import('../default-kernel.js');
  const kernel = new Kernel({
    limits: {
      ...(request.fuel !== undefined ? { fuel: request.fuel } : {}),
      ...(request.timeoutMs !== undefined ? { deadlineMs: request.timeoutMs } : {}),
      ...(request.memory !== undefined ? { memoryBytes: request.memory } : {}),
      ...(request.memories !== undefined ? { memories: request.memories } : {}),
      ...(request.maxOutput !== undefined ? { outputBytes: request.maxOutput } : {}),
    },
    ...(request.cacheDir !== undefined ? { cacheDir: request.cacheDir } : {}),
    ...(log ? { log: log.destination } : {}),
    deterministic: request.deterministic,
    denial: request.lazy ? 'call' : 'spawn',
    placement: request.placement,
    // Keel's own preview1 imports read guest memory from Keel's thread (docs/placement.md).
    ...(request.placement === 'worker' ? { preview1: 'adapter' as const } : {}),
  });
  const dropped: Dropped = {};
  const quiet = request.quiet;
  kernel.on('guest:*', (event) => {
    if (event.event === EVENTS.guestLog) {
      if (!quiet) printGuestLog(event);
      return;
    }
    const data = event.data as { dropped?: unknown; limit?: number } | undefined;
    if (event.status === 'dropped' && typeof data?.dropped === 'number') {
      dropped[event.event === EVENTS.guestStdout ? 'stdout' : 'stderr'] = data.dropped;
      dropped.limit = data.limit;
    }
  });
  let sandbox: Sandbox | undefined;
  let status: number;
  let result: Record<string, unknown>;
  let failure: KeelError | undefined;
  try {
    progress(`loading ${request.file}`);
    const bytes = readModuleFileSync(request.file, kernel.limits.moduleBytes);
    const module = await kernel.load(bytes, { name: basename(request.file).replace(/\.wasm$/, '') });
    clearProgress();
    const exportName = request.invoke ?? module.commandExport;
    if (!exportName) {
      const available = module.world.exports.map((e) => e.name).join(', ') || '(none)';
      throw new KeelError(
        'invalid-argument',
        `${module.name} is not a command (it exports neither wasi:cli/run nor a preview1 _start); choose an export with --invoke (exports: ${available}; \`keel inspect\` shows their --invoke names)`,
      );
    }
    sandbox = await kernel.spawn(module, {
      grants: request.grants,
      io: { stdin, stdout: forward(stdout), stderr: forward(stderr) },
    });
    // Timed (calls are untimed by default): two clock readings are nothing to one run, and the
    // deadline starts with the call (--log's invoke:end, observed, is timed either way).
    const outcome = await sandbox.invoke(exportName, request.invoke ? request.args : [], {
      timing: true,
    });
    const signature = await invokedSignature(module, bytes, exportName);
    ({ status, result } = settle(outcome, signature, Boolean(request.invoke)));
  } catch (error) {
    failure = asKeelError(error);
    status = exitStatusFor(failure.code);
    result = {
      ok: false,
      error: { code: failure.code, message: failure.message },
      fuel: sandbox?.lastFuel() ?? null,
    };
  } finally {
    clearProgress();
    await kernel.close();
    stdin.close?.();
  }
  const logFailure = await log?.close();
  if (dropped.stdout || dropped.stderr) result.dropped = dropped;
  if (failure) {
    if (!request.json) printError(failure, cliHint(failure, 'run', { lazy: request.lazy }));
  } else if (request.json) {
    // The guest's output is out; the result follows on a line of its own.
  } else if (request.invoke && result.value !== null && result.value !== undefined) {
    const value = result.value;
    stdout.endLine();
    if (typeof value === 'string') stdout.line(value);
    else {
      writeJson(value, (text) => stdout.write(text));
      stdout.write('\n');
    }
  }
  if (request.json) printJson(result);
  if (!request.json && result.exit !== undefined && result.exit !== 0 && result.runErr) {
    stderr.endLine();
    stderr.line(`guest exited with status ${result.exit} (its run returned err)`);
  }
  delete result.runErr;
  if (!quiet) notes(request, dropped);
  if (logFailure) {
    // As when it cannot be opened: the path given to --log is at fault.
    const error = new KeelError(
      'invalid-argument',
      `--log ${request.log} could not be written: ${logFailure}`,
    );
    printError(
      error,
      'the run itself finished; check that the file system has room and the file can be written',
    );
    if (status === EXIT_OK) status = exitStatusFor(error.code);
  }
  return status;
}

/** The guest's stdout or stderr into the CLI's: a reader that went away closes the guest's stream. */
function forward(stream: typeof stdout): (chunk: Uint8Array) => void {
  return (chunk) => {
    if (!stream.write(chunk)) throw new StreamClosed();
  };
}

/** `--stdin`: `-` is Keel's own stdin (read as the guest asks for it), else a file. */
function openStdin(path: string): ByteSource {
  if (path === '-') return fdSource(0);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new KeelError('invalid-argument', `--stdin ${path} cannot be read (${code ?? message})`);
  }
  return fdSource(fd, { closeFd: true });
}

/** Where the sandbox's output stands after the run, in Keel's words, on stderr. */
function notes(request: RunRequest, dropped: Dropped): void {
  for (const which of ['stdout', 'stderr'] as const) {
    const count = dropped[which];
    if (!count) continue;
    printWarning(
      `the guest's ${which} passed the ${formatSize(dropped.limit ?? 0)} output limit: ${count} more bytes were dropped (raise it with --max-output)`,
    );
  }
  if (stdout.discarded > 0 && !request.json) {
    stderr.endLine();
    stderr.line(
      dim(
        `keel: stdout was closed by its reader; the guest's stream was closed (${stdout.discarded} bytes not written)`,
      ),
    );
  }
}

function printGuestLog(event: KeelEvent): void {
  const message = guestText(String((event.data as { message?: unknown } | undefined)?.message ?? ''));
  const level = event.level === 'info' ? '' : `${event.level} `;
  const text = event.level === 'warn' || event.level === 'error' ? yellow(message) : message;
  stderr.endLine();
  stderr.line(`${dim(`[${event.module ?? 'guest'}] ${level}`)}${text}`);
}

/** The result object and exit status of a finished invocation. */
function settle(
  outcome: InvokeOutcome,
  signature: string | undefined,
  invoked: boolean,
): { status: number; result: Record<string, unknown> } {
  let value = outcome.value;
  // A WIT result is tagged in both cases, so that an ok payload never reads as an error.
  if (signature && returnsResult(signature)) {
    value = outcome.err
      ? value
      : { tag: 'ok', ...(value === null || value === undefined ? {} : { val: value }) };
  }
  const result: Record<string, unknown> = { ok: true, value: value ?? null };
  let status = EXIT_OK;
  if (outcome.exit !== undefined) {
    result.exit = outcome.exit;
    status = guestExitStatus(outcome.exit);
  } else if (!invoked && outcome.err) {
    // A command whose `run` returns err without calling exit failed: status 1, as Wasmtime says.
    result.exit = 1;
    result.runErr = true;
    status = EXIT_GUEST_FAILED;
  }
  result.fuel = outcome.fuel;
  return { status, result };
}

function report(error: KeelError, json: boolean, fuel: FuelReport | undefined): number {
  if (json) printJson({ ok: false, error: { code: error.code, message: error.message }, fuel: fuel ?? null });
  else printError(error, cliHint(error, 'run'));
  return exitStatusFor(error.code);
}

function parsePlacement(value: string | undefined): SandboxPlacement {
  if (value === undefined || value === 'inline' || value === 'worker') return value ?? 'inline';
  throw new KeelError(
    'invalid-argument',
    `--placement must be inline or worker, got ${JSON.stringify(value)}`,
  );
}

/**
 * A `--dir` the guest may write must not hold Keel's cache directory, nor lie inside it: Keel
 * runs what that directory holds (the CLI's V8 code cache, the metered modules), so a guest
 * that could write there would run its code as Keel the next time `keel` starts.
 */
function refuseWritableCache(grant: { scope?: unknown }, cacheDir: string): void {
  type Preopen = { host: string; dirPerms?: string; filePerms?: string };
  const preopens = (grant.scope as { preopens?: Preopen[] } | undefined)?.preopens;
  for (const preopen of preopens ?? []) {
    if (preopen.dirPerms === 'read' && (preopen.filePerms ?? preopen.dirPerms) === 'read') continue;
    if (pathsOverlap(preopen.host, cacheDir)) {
      throw new KeelError(
        'invalid-argument',
        `--dir ${preopen.host} would let the guest write Keel's cache directory ${cacheDir}, whose code Keel runs: grant a directory that does not contain it, grant it read-only (:ro), or move the cache with --cache-dir`,
        { dir: preopen.host, cacheDir },
      );
    }
  }
}
