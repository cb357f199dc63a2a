/**
 * `keel up`: start the sandboxes of a plan (plan.json or plan.yaml), send its messages and
 * signals, deliver until idle or the deadline, print a summary, write the JSONL log.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { joinLattice, type Lattice, type LatticeOptions } from '../cluster/lattice.js';
import { Kernel } from '../default-kernel.js';
import { EVENTS } from '../events/names.js';
import type { KeelEvent } from '../events/record.js';
import { KeelError } from '../kernel/errors.js';
import type { ModuleHandle } from '../kernel/module.js';
import { type Plan, parseDuration, parsePlan } from '../policy/plan.js';
import type { RunResult, ServiceInfo } from '../sched/scheduler.js';
import { readClusterCredentials } from './credentials.js';
import { parseFlags, parseNonNegativeInteger } from './flags.js';
import { cliHint } from './grants.js';
import { type EventLog, openEventLog } from './log.js';
import {
  asKeelError,
  EXIT_GUEST_FAILED,
  EXIT_OK,
  exitStatusFor,
  guestText,
  printError,
  printJson,
  stdout,
  styles,
} from './output.js';

const { bold, dim, green, red, yellow } = styles(stdout);

export const UP_HELP = `Usage: keel up <plan.json|plan.yaml> [options]

Start the sandboxes a plan describes (modules, mount paths, grants, limits,
weights, restart policies, links, subscriptions), send its messages and
signals, and deliver until nothing is left to do or the deadline passes.
Prints what each sandbox did; the guests' log lines as they come.

Options:
  --deadline <duration>  Stop after this long: 250ms, 2s, 1m (overrides the plan)
  --deterministic        Virtual clocks and a replayable log (overrides the plan)
  --seed <n>             Seed for deterministic randomness (implies --deterministic)
  --log <file.jsonl>     Append the event log (JSONL, schema v1)
  --cache-dir <dir>      Cache of metered core modules (default ~/.cache/keel)
  --quiet                Do not print the guests' log lines and the kernel's notices
  --json                 Print one JSON summary object as the last stdout line
  --cluster <url,...>    Join a lattice over NATS (docs/cluster.md): this kernel's
                         sandboxes reach, and are reached from, the other hosts';
                         runs until the deadline or Ctrl-C instead of until idle
  --cluster-credentials <file.json>
                         With --cluster: { "lattice", "hostId", "privateKeyFile",
                         "peers": { host: "host.pub" }, "labels"?, "accept"?,
                         "auth"? } (\`keel cluster keygen\` writes one)
  -h, --help             Show this help

The plan format is documented in docs/ipc.md; its JSON Schema is
docs/plan.schema.json. Exit status: 0 the plan ran until idle, 1 the
deadline passed (or a sandbox failed to start), 2 bad invocation or plan.

Example:
  keel up guests/plans/pipeline.yaml --log pipeline.jsonl
`;

export interface PlanRunOptions {
  /** Where module paths are resolved from (the plan file's directory). */
  baseDir: string;
  /** The JSONL log: a file path or an open destination (the CLI's `--log`). */
  log?: string | DestinationStream;
  cacheDir?: string | false;
  /** Overrides the plan's. */
  deterministic?: boolean | { seed: number };
  deadlineMs?: number;
  /** Every event, as it happens (the CLI prints some). */
  onEvent?: (event: KeelEvent) => void;
  /** Join this lattice (docs/cluster.md); then run until the deadline or `stop`, not until idle. */
  cluster?: LatticeOptions;
  /** Called with a function that ends the run early (the CLI's Ctrl-C, with `cluster`). */
  onStop?: (stop: () => void) => void;
}

export interface PlanSummary {
  plan: string;
  reason: RunResult['reason'];
  deliveries: number;
  /** Scheduler time (virtual when deterministic), ms. */
  duration_ms: number;
  /** Wall-clock time of the whole run, load included, ms. */
  wall_ms: number;
  deterministic: boolean;
  sandboxes: ServiceInfo[];
  /** Events by name. */
  events: Record<string, number>;
  /** Timed messages or signals that could not be sent (their target was gone). */
  failures: { at_ms: number; what: string; error: { code: string; message: string } }[];
  /**
   * Sandboxes the plan placed in the lattice (`host`, `labels`), where each runs; `stopped` once
   * `keel up` ended: true when its host confirmed it stopped it, false when it was left running
   * (`outlive`) or its host did not confirm (see `failures`).
   */
  placed: { name: string; host: string; sandbox: string; path: string; stopped?: boolean }[];
}

/**
 * Read a plan file and validate it: `.json` is JSON, `.yaml`/`.yml` YAML, anything else JSON
 * when it starts with `{` and YAML otherwise. Errors name the format, and in YAML the line of
 * each problem.
 */
export async function readPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new KeelError('invalid-argument', `cannot read the plan ${file} (${code ?? message})`);
  }
  const yaml = /\.ya?ml$/i.test(file) || (!/\.json$/i.test(file) && !text.trimStart().startsWith('{'));
  if (!yaml) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new KeelError('invalid-argument', `${file} is not valid JSON: ${(error as Error).message}`);
    }
    return parsePlan(data, file);
  }
  const { LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = document.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new KeelError(
      'invalid-argument',
      `${file}:${at.line}:${at.col}: not valid YAML: ${syntax.message.split('\n')[0]!.replace(/:$/, '')}`,
    );
  }
  try {
    return parsePlan(document.toJS(), `${file} (YAML)`);
  } catch (error) {
    const problems = (error as KeelError).details?.problems;
    if (!(error instanceof KeelError) || !Array.isArray(problems)) throw error;
    // Each problem with the line it is on: "path: message" → "line 7: path: message".
    const located = problems.map((problem: string) => {
      const path = problem.slice(0, problem.indexOf(': '));
      const line = yamlLine(document, lines, path);
      return line === undefined ? problem : `line ${line}: ${problem}`;
    });
    throw new KeelError('invalid-argument', `${file} is not a valid plan:\n  ${located.join('\n  ')}`, {
      problems: located,
    });
  }
}

/** The line of the YAML node at a dotted path (or of its nearest ancestor that exists). */
function yamlLine(
  document: import('yaml').Document,
  lines: import('yaml').LineCounter,
  path: string,
): number | undefined {
  if (path === '(root)' || path === '') return undefined;
  const keys: (string | number)[] = path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  for (let n = keys.length; n > 0; n--) {
    const node = document.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Run a plan in a fresh kernel and return what happened. The kernel is closed at the end. */
export async function runPlan(plan: Plan, options: PlanRunOptions): Promise<PlanSummary> {
  const started = performance.now();
  const deterministic = options.deterministic ?? plan.deterministic;
  const kernel = new Kernel({
    deterministic,
    sched: plan.sched,
    ...(options.log ? { log: options.log } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const counts: Record<string, number> = {};
  kernel.on('*', (event) => {
    counts[event.event] = (counts[event.event] ?? 0) + 1;
    options.onEvent?.(event);
  });
  const failures: PlanSummary['failures'] = [];
  const placed: PlanSummary['placed'] = [];
  let lattice: Lattice | undefined;
  // A stop can come while the plan is still being placed (before the scheduler runs, which
  // would forget it): remember it, skip the run, and the `finally` still unplaces.
  let stopRequested = false;
  options.onStop?.(() => {
    stopRequested = true;
    void kernel.sched.stop();
  });
  try {
    const elsewhere = plan.sandboxes.filter((s) => s.where);
    if (elsewhere.length > 0 && !options.cluster) {
      throw new KeelError(
        'invalid-argument',
        `sandbox "${elsewhere[0]!.name}" names where it runs in a lattice (host, labels): run keel up with --cluster`,
      );
    }
    if (options.cluster) lattice = await joinLattice(kernel, options.cluster);
    const here = plan.sandboxes.filter((s) => !s.where);
    const modules = new Map<string, ModuleHandle>();
    for (const s of here) {
      const file = resolve(options.baseDir, s.module);
      let module = modules.get(file);
      if (!module) {
        module = await kernel.load(file, { name: s.name });
        modules.set(file, module);
      }
      kernel.mount(s.mount, module);
    }
    for (const s of here) {
      try {
        await kernel.spawn(s.mount, {
          name: s.name,
          grants: s.grants,
          limits: s.limits,
          sched: s.sched,
          ...(s.placement ? { placement: s.placement } : {}),
        });
      } catch (error) {
        const failure = asKeelError(error);
        throw new KeelError(failure.code, `sandbox "${s.name}" did not start: ${failure.message}`, {
          ...failure.details,
          sandbox: s.name,
        });
      }
    }
    // Placed in the lattice: shipped by hash to the host chosen, which runs it (docs/cluster.md).
    if (elsewhere.length > 0) await lattice!.settled();
    for (const s of elsewhere) {
      const file = resolve(options.baseDir, s.module);
      try {
        const bytes = new Uint8Array(await readFile(file));
        const { weight, maxDenials, subscribe, restart } = s.sched;
        const sched = {
          ...(weight !== undefined ? { weight } : {}),
          ...(maxDenials !== undefined ? { maxDenials } : {}),
          ...(subscribe !== undefined ? { subscribe } : {}),
          ...(restart !== undefined ? { restart } : {}),
        };
        const where = await lattice!.place(
          bytes,
          {
            path: s.mount,
            name: s.name,
            grants: s.grants,
            limits: s.limits,
            ...(Object.keys(sched).length > 0 ? { sched } : {}),
            ...(s.outlive ? { outlive: true } : {}),
          },
          s.where,
        );
        placed.push({ name: s.name, ...where });
      } catch (error) {
        const failure = asKeelError(error);
        throw new KeelError(failure.code, `sandbox "${s.name}" was not placed: ${failure.message}`, {
          ...failure.details,
          sandbox: s.name,
        });
      }
    }
    const linked = new Set<string>();
    for (const s of plan.sandboxes) {
      for (const other of s.links) {
        const key = [s.name, other].sort().join(' ');
        if (linked.has(key)) continue;
        linked.add(key);
        const peer = plan.sandboxes.find((x) => x.name === other)!;
        if (!s.where && !peer.where) kernel.sched.link(s.mount, peer.mount);
        // A placed one: each side hears when the other ends, wherever each runs.
        else await lattice!.linkPlaced(s.mount, peer.mount);
      }
    }
    const attempt = (atMs: number, what: string, action: () => void) => {
      try {
        action();
      } catch (error) {
        failures.push({ at_ms: atMs, what, error: asKeelError(error).toJSON() });
      }
    };
    for (const m of plan.messages) {
      const send = () => attempt(m.atMs, `message to ${m.to}`, () => kernel.sched.send(m.to, m.body));
      if (m.atMs === 0) send();
      else kernel.sched.schedule(m.atMs, send);
    }
    for (const s of plan.signals) {
      const signal = () =>
        attempt(s.atMs, `${s.signal} to ${s.to}`, () => kernel.sched.signal(s.to, s.signal));
      if (s.atMs === 0) signal();
      else kernel.sched.schedule(s.atMs, signal);
    }
    const deadlineMs = options.deadlineMs ?? plan.deadlineMs;
    // In a lattice, others may call on this host at any time: serve until the deadline or a stop.
    const result: RunResult = stopRequested
      ? { reason: 'stopped', deliveries: 0, duration_ms: 0 }
      : await kernel.sched.run({
          ...(deadlineMs === undefined ? {} : { deadlineMs }),
          ...(lattice ? { untilIdle: false } : {}),
        });
    return {
      plan: plan.name,
      reason: result.reason,
      deliveries: result.deliveries,
      duration_ms: result.duration_ms,
      wall_ms: performance.now() - started,
      deterministic: deterministic !== false,
      sandboxes: kernel.sched.services(),
      events: counts,
      failures,
      placed,
    };
  } finally {
    // What the plan placed elsewhere ends with it, unless the plan says it outlives it.
    if (lattice) await unplaceAll(lattice, plan, placed, failures, Math.round(performance.now() - started));
    await lattice?.close();
    await kernel.close();
  }
}

/**
 * Stop, on their hosts, the sandboxes the plan placed (all at once, each within 5 s), except
 * those marked `outlive`. One that cannot be stopped is listed in `failures`.
 */
async function unplaceAll(
  lattice: Lattice,
  plan: Plan,
  placed: PlanSummary['placed'],
  failures: PlanSummary['failures'],
  atMs: number,
): Promise<void> {
  await Promise.all(
    placed.map(async (p) => {
      p.stopped = false;
      if (plan.sandboxes.find((s) => s.name === p.name)?.outlive) return;
      try {
        await lattice.unplace(p.path);
        p.stopped = true;
      } catch (error) {
        failures.push({
          at_ms: atMs,
          what: `stopping ${p.name} on ${p.host}`,
          error: asKeelError(error).toJSON(),
        });
      }
    }),
  );
}

export async function upCommand(argv: string[]): Promise<number> {
  let json = false;
  let log: EventLog | undefined;
  try {
    const { values, positionals } = parseFlags('up', argv, {
      deadline: { type: 'string' },
      deterministic: { type: 'boolean' },
      seed: { type: 'string' },
      log: { type: 'string' },
      'cache-dir': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      cluster: { type: 'string' },
      'cluster-credentials': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    } as const);
    if (values.help) {
      stdout.write(UP_HELP);
      return EXIT_OK;
    }
    json = values.json === true;
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) {
      throw new KeelError('invalid-argument', 'give exactly one plan file (see `keel up --help`)');
    }
    const plan = await readPlan(file);
    if ((values.cluster === undefined) !== (values['cluster-credentials'] === undefined)) {
      throw new KeelError(
        'invalid-argument',
        '--cluster and --cluster-credentials go together (see docs/cluster.md)',
      );
    }
    const cluster =
      values.cluster === undefined
        ? undefined
        : await readClusterCredentials(
            values['cluster-credentials'] as string,
            values.cluster as string,
          ).then(({ trusted: _, ...options }) => options);
    if (values.log !== undefined) log = await openEventLog(values.log as string);
    const seed =
      values.seed === undefined ? undefined : parseNonNegativeInteger('seed', values.seed as string);
    const deterministic =
      seed !== undefined
        ? { seed }
        : values.deterministic
          ? plan.deterministic === false
            ? true
            : plan.deterministic
          : undefined;
    const quiet = values.quiet === true || json;
    const names = new Map<string, string>();
    const summary = await runPlan(plan, {
      baseDir: dirname(resolve(file)),
      ...(log ? { log: log.destination } : {}),
      ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] as string } : {}),
      ...(deterministic !== undefined ? { deterministic } : {}),
      ...(values.deadline ? { deadlineMs: parseDuration(values.deadline as string) } : {}),
      ...(cluster
        ? {
            cluster,
            onStop: (stop: () => void) => {
              process.once('SIGINT', stop);
              process.once('SIGTERM', stop);
            },
          }
        : {}),
      onEvent: (event) => {
        if (event.event === EVENTS.sandboxSpawn && event.sandbox && event.module)
          names.set(event.sandbox, event.module);
        if (!quiet) narrate(event, names);
      },
    });
    const logFailure = await log?.close();
    log = undefined;
    if (logFailure)
      throw new KeelError('invalid-argument', `--log ${values.log} could not be written: ${logFailure}`);
    // A lattice host serves until the deadline or a stop: that is how it ends well.
    const ok = (cluster ? ['idle', 'deadline', 'stopped'] : ['idle']).includes(summary.reason);
    if (json) printJson({ ok, ...summary });
    else printSummary(summary, file, values.log as string | undefined);
    return ok ? EXIT_OK : EXIT_GUEST_FAILED;
  } catch (error) {
    await log?.close();
    const failure = asKeelError(error);
    if (json) printJson({ ok: false, error: failure.toJSON() });
    else printError(failure, cliHint(failure, 'up'));
    return exitStatusFor(failure.code);
  }
}

/** The guests' log lines and the kernel's notable moments, as they happen. */
function narrate(event: KeelEvent, names: Map<string, string>): void {
  const who = event.sandbox
    ? `${names.get(event.sandbox) ?? event.module ?? '?'} ${dim(`(${event.sandbox})`)}`
    : 'kernel';
  const out = (line: string) => stdout.write(`${line}\n`);
  switch (event.event) {
    case EVENTS.guestLog: {
      const message = guestText(String(event.data?.message));
      out(
        `  ${dim('[')}${who}${dim(']')} ${event.level === 'warn' || event.level === 'error' ? yellow(message) : message}`,
      );
      return;
    }
    case EVENTS.policyViolation:
      out(`  ${red('!')} ${who}: policy violation (${String(event.data?.rule)}), killed`);
      return;
    case EVENTS.sandboxCrash:
      out(`  ${red('!')} ${who}: crashed: ${event.error?.code}`);
      return;
    case EVENTS.sandboxRestart:
      if (event.status === 'error')
        out(`  ${red('!')} ${who}: gave up after ${String(event.data?.restarts)} restarts`);
      else
        out(
          `  ${yellow('~')} ${who}: restart ${String(event.data?.attempt)} in ${String(event.data?.delay_ms)} ms`,
        );
      return;
    case EVENTS.signalDelivered:
      out(`  ${yellow('~')} ${who}: signal ${String(event.data?.signal)} (${String(event.data?.action)})`);
      return;
    default:
  }
}

function printSummary(summary: PlanSummary, file: string, log: string | undefined): void {
  const out = (line: string) => stdout.write(`${line}\n`);
  const status = summary.reason === 'idle' ? green('idle') : yellow(summary.reason);
  const time = summary.deterministic
    ? `${summary.duration_ms.toFixed(3)} ms virtual, ${summary.wall_ms.toFixed(0)} ms wall`
    : `${summary.duration_ms.toFixed(1)} ms`;
  out('');
  out(
    `${bold(`plan ${summary.plan}`)} ${dim(`(${file})`)}: ${status} after ${summary.deliveries} deliveries, ${time}`,
  );
  const header = ['sandbox', 'path', 'state', 'delivered', 'sent', 'dropped', 'denied', 'restarts', 'ids'];
  const rows = summary.sandboxes.map((s) => [
    s.name,
    s.path ?? '',
    s.state === 'ended' ? `ended (${s.ended?.reason})` : s.state,
    String(s.delivered),
    String(s.sent),
    String(s.dropped),
    String(s.denied),
    String(s.restarts),
    `${s.earlier ? `(${s.earlier} earlier) ` : ''}${s.history.join(' ')}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  out(dim(line(header)));
  for (const row of rows) out(line(row));
  const total = Object.values(summary.events).reduce((n, c) => n + c, 0);
  const notable = [
    'ipc:send',
    'ipc:deliver',
    'ipc:drop',
    'event:publish',
    'capability:denied',
    'policy:violation',
    'sandbox:crash',
    'sandbox:restart',
    'signal:delivered',
  ]
    .filter((name) => summary.events[name])
    .map((name) => `${name} ${summary.events[name]}`);
  const happened =
    notable.length > 0 ? `: ${notable.join(', ')}` : ' (nothing was sent, published or signalled)';
  out(`${total} events${happened}${log ? `; log written to ${log}` : ''}`);
  for (const p of summary.placed) {
    const end = p.stopped ? ', stopped there at the end' : p.stopped === false ? ', left running' : '';
    out(`  ${p.name}  ${p.path}  placed on ${bold(p.host)} (${p.sandbox}${end})`);
  }
  for (const f of summary.failures)
    out(`${yellow('note')}: ${f.what} at ${f.at_ms} ms failed: ${f.error.code}: ${f.error.message}`);
}
