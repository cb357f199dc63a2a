/**
 * A plan: a set of sandboxes to start together, with their modules, mount paths, grants,
 * limits, scheduling, supervision, links and subscriptions, and the messages and signals to
 * send them. What `keel up` runs. Validated with zod; every mistake is reported with its path,
 * one per line. Plans are data: reading the files they name is the application's business.
 *
 * ```yaml
 * version: 1
 * name: pipeline
 * deterministic: true
 * sandboxes:
 *   - name: sink
 *     module: ../as/pipeline-sink/pipeline-sink.wasm
 *     grants: [keel:kernel/log]
 * messages:
 *   - to: sink
 *     text: hello
 * ```
 */
import type { z } from 'zod';
import { lazySchema, loadZod } from '../caps/schema.js';
import { KeelError } from '../kernel/errors.js';
import type { Limits } from '../kernel/limits.js';
import { isTopicPattern } from '../sched/glob.js';
import {
  type SandboxSchedOptions,
  type SchedulerOptions,
  SIGNALS,
  type SignalName,
} from '../sched/scheduler.js';
import type { RestartPolicyInput } from '../sched/supervise.js';
import { DURATION, parseDuration } from './duration.js';
import { type Grant, normalizeGrant } from './grants.js';
import { manifestLimits, manifestSchemas } from './manifest.js';

export { parseDuration };

const NAME = /^[a-z][a-z0-9-]*$/;
const MOUNT = /^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/;

/** The plan's zod schemas, built on first use (importing the package loads no zod: manifest.ts). */
export const planSchemas = lazySchema((z) => {
  const manifest = manifestSchemas();
  const name = z.string().regex(NAME, 'lowercase letters, digits and dashes, starting with a letter');

  const duration = z
    .union([z.number().nonnegative(), z.string().regex(DURATION, 'a duration such as 250ms, 2s or 1m')])
    .describe('Milliseconds, or a duration with a unit: 250ms, 2s, 1m');

  const count = z.number().int().nonnegative();

  const topicPattern = z.string().refine(isTopicPattern, {
    message: 'a topic pattern: dot-separated segments, * for one segment, ** for several (jobs.*)',
  });

  const restart = z
    .object({
      policy: z.enum(['never', 'on-failure']).describe('Restart after a failure, or never'),
      maxRestarts: count.optional().describe('Restarts allowed (within `window` if set); default 5'),
      window: duration.optional().describe('Count only restarts within this trailing window'),
      backoff: z
        .object({
          initial: duration.optional().describe('Delay before the first restart; default 100ms'),
          factor: z
            .number()
            .min(1)
            .optional()
            .describe('Each restart waits this many times longer; default 2'),
          max: duration.optional().describe('The longest delay; default 10s'),
        })
        .strict()
        .optional(),
    })
    .strict();

  const sandbox = z
    .object({
      name: name.describe('The sandbox name, used in logs and by other entries of the plan'),
      module: z.string().min(1).describe('Path of the .wasm, relative to the plan file'),
      mount: z
        .string()
        .regex(MOUNT, 'an absolute mount path such as /pipeline/sink')
        .optional()
        .describe('Where the module is mounted and the sandbox takes messages; default /<plan>/<name>'),
      grants: z
        .array(manifest.capability)
        .default([])
        .describe('Capabilities, with scopes (peers, topics, ...)'),
      limits: manifest.limits.default({}),
      placement: manifest.placement.optional(),
      weight: z.number().positive().optional().describe('Share of deliveries when busy; default 1'),
      restart: restart.optional(),
      maxDenials: count
        .optional()
        .describe('Kill the sandbox (policy-violation) after more denied IPC calls than this'),
      subscribe: z.array(topicPattern).default([]).describe('Topics the plan subscribes the sandbox to'),
      links: z
        .array(name)
        .default([])
        .describe('Sandboxes to link to: each hears (keel.down) when the other ends'),
      host: z
        .string()
        .regex(/^(?:[A-Za-z0-9_-]{1,64}|\*)$/, 'a host id of the lattice, or * for the least loaded host')
        .optional()
        .describe(
          'With keel up --cluster: the host of the lattice that runs it, or * for the least loaded; default this host',
        ),
      labels: z
        .record(z.string().min(1).max(64), z.string().min(1).max(255))
        .optional()
        .describe('With keel up --cluster: run it on the least loaded host with all these labels'),
      outlive: z
        .boolean()
        .optional()
        .describe(
          'With host or labels: keep it running on its host when keel up ends; default false (stopped there)',
        ),
    })
    .strict();

  const message = z
    .object({
      to: z.string().min(1).describe('A sandbox name or mount path of the plan'),
      text: z.string().optional().describe('The body as UTF-8 text'),
      json: z.unknown().optional().describe('The body as JSON text'),
      base64: z.string().optional().describe('The body as bytes, base64-encoded'),
      at: duration.optional().describe('When to send it; default at the start'),
    })
    .strict();

  const signal = z
    .object({
      to: z.string().min(1).describe('A sandbox name or mount path of the plan'),
      signal: z.enum(SIGNALS as [SignalName, ...SignalName[]]),
      at: duration.optional().describe('When to send it; default at the start'),
    })
    .strict();

  const plan = z
    .object({
      $schema: z.string().optional(),
      version: z.literal(1).describe('The plan format version'),
      name: name.describe('The plan name'),
      description: z.string().optional(),
      deterministic: z
        .union([z.boolean(), z.object({ seed: z.number().int() }).strict()])
        .default(false)
        .describe('Virtual clocks, seeded randomness, a replayable log'),
      deadline: duration.optional().describe('Stop after this long (virtual time when deterministic)'),
      sched: z
        .object({
          sliceFuel: count.optional().describe('Fuel per delivery'),
          graceFuel: count.optional().describe('Fuel for on-signal'),
          requestTimeout: duration.optional().describe('Default request timeout'),
        })
        .strict()
        .optional(),
      sandboxes: z.array(sandbox).min(1, 'a plan needs at least one sandbox'),
      messages: z.array(message).default([]),
      signals: z.array(signal).default([]),
    })
    .strict();
  return { restart, sandbox, message, signal, plan };
});

/** The plan's zod schema (`planSchema().safeParse(input)`), built on first use. */
export const planSchema = () => planSchemas().plan;

export type PlanInput = z.input<ReturnType<typeof planSchema>>;

export interface PlanSandbox {
  name: string;
  /** As written in the plan (relative to the plan file). */
  module: string;
  mount: string;
  grants: Grant[];
  limits: Partial<Limits>;
  /** Where the sandbox runs; absent: the kernel's default (inline). */
  placement?: 'inline' | 'worker';
  sched: SandboxSchedOptions;
  links: string[];
  /**
   * Where in a lattice it runs (`keel up --cluster`): a host, `*` (the least loaded), and/or
   * labels the host must have. Absent: on the host running the plan.
   */
  where?: { host?: string; labels?: Record<string, string> };
  /** Placed in a lattice: keep running on its host when `keel up` ends (default: stopped there). */
  outlive?: boolean;
}

export interface PlanMessage {
  /** The target's mount path. */
  to: string;
  body: Uint8Array;
  atMs: number;
}

export interface PlanSignal {
  to: string;
  signal: SignalName;
  atMs: number;
}

export interface Plan {
  name: string;
  description?: string;
  deterministic: boolean | { seed: number };
  deadlineMs?: number;
  sched: SchedulerOptions;
  sandboxes: PlanSandbox[];
  messages: PlanMessage[];
  signals: PlanSignal[];
}

/** Validate a plan; throws `invalid-argument` listing every problem, one per line, with its path. */
export function parsePlan(input: unknown, source = 'plan'): Plan {
  const result = planSchema().safeParse(input);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${where(issue.path)}: ${issue.message}`);
    throw invalid(source, problems);
  }
  const data = result.data;
  const mounts = new Map<string, string>();
  const byName = new Map<string, string>();
  data.sandboxes.forEach((s, i) => {
    const mount = s.mount ?? `/${data.name}/${s.name}`;
    if (byName.has(s.name)) problems.push(`sandboxes.${i}.name: "${s.name}" is used twice`);
    if (mounts.has(mount)) {
      problems.push(`sandboxes.${i}.mount: ${mount} is already the mount of "${mounts.get(mount)}"`);
    }
    byName.set(s.name, mount);
    mounts.set(mount, s.name);
  });
  const resolveTarget = (to: string, path: string): string => {
    const mount = byName.get(to) ?? (mounts.has(to) ? to : undefined);
    if (mount === undefined) {
      problems.push(`${path}: "${to}" is not a sandbox name or mount path of this plan`);
      return to;
    }
    return mount;
  };
  const sandboxes: PlanSandbox[] = data.sandboxes.map((s, i) => {
    for (const [j, link] of s.links.entries()) {
      if (!byName.has(link)) problems.push(`sandboxes.${i}.links.${j}: no sandbox is named "${link}"`);
      else if (link === s.name)
        problems.push(`sandboxes.${i}.links.${j}: a sandbox cannot be linked to itself`);
    }
    if (s.outlive !== undefined && s.host === undefined && s.labels === undefined) {
      problems.push(
        `sandboxes.${i}.outlive: only a sandbox placed in a lattice (host, labels) can outlive keel up`,
      );
    }
    if (s.host !== undefined && s.host !== '*' && s.labels !== undefined) {
      problems.push(
        `sandboxes.${i}: give host or labels, not both (host: "*" with labels is the least loaded host with them)`,
      );
    }
    let grants: Grant[] = [];
    try {
      grants = s.grants.map((g) => normalizeGrant(g as string | Grant));
    } catch (error) {
      problems.push(`sandboxes.${i}.grants: ${(error as Error).message}`);
    }
    let limits: Partial<Limits> = {};
    try {
      limits = manifestLimits(s.limits);
    } catch (error) {
      problems.push(`sandboxes.${i}.limits: ${(error as Error).message}`);
    }
    return {
      name: s.name,
      module: s.module,
      mount: byName.get(s.name)!,
      grants,
      limits,
      ...(s.placement !== undefined ? { placement: s.placement } : {}),
      sched: {
        ...(s.weight !== undefined ? { weight: s.weight } : {}),
        ...(s.restart ? { restart: restartPolicy(s.restart) } : {}),
        ...(s.maxDenials !== undefined ? { maxDenials: s.maxDenials } : {}),
        ...(s.subscribe.length > 0 ? { subscribe: s.subscribe } : {}),
      },
      links: s.links,
      ...(s.host !== undefined || s.labels !== undefined
        ? {
            where: {
              ...(s.host !== undefined && s.host !== '*' ? { host: s.host } : {}),
              ...(s.labels !== undefined ? { labels: s.labels } : {}),
            },
          }
        : {}),
      ...(s.outlive ? { outlive: true } : {}),
    };
  });
  const messages = data.messages.map((m, i): PlanMessage => {
    const bodies = [m.text !== undefined, m.json !== undefined, m.base64 !== undefined].filter(
      Boolean,
    ).length;
    if (bodies !== 1) problems.push(`messages.${i}: give exactly one of text, json or base64`);
    const body =
      m.text !== undefined
        ? new TextEncoder().encode(m.text)
        : m.json !== undefined
          ? new TextEncoder().encode(JSON.stringify(m.json))
          : new Uint8Array(Buffer.from(m.base64 ?? '', 'base64'));
    return { to: resolveTarget(m.to, `messages.${i}.to`), body, atMs: parseDuration(m.at ?? 0) };
  });
  const signals = data.signals.map(
    (s, i): PlanSignal => ({
      to: resolveTarget(s.to, `signals.${i}.to`),
      signal: s.signal,
      atMs: parseDuration(s.at ?? 0),
    }),
  );
  if (problems.length > 0) throw invalid(source, problems);
  const sched: SchedulerOptions = {
    ...(data.sched?.sliceFuel !== undefined ? { sliceFuel: data.sched.sliceFuel } : {}),
    ...(data.sched?.graceFuel !== undefined ? { graceFuel: data.sched.graceFuel } : {}),
    ...(data.sched?.requestTimeout !== undefined
      ? { requestTimeoutMs: parseDuration(data.sched.requestTimeout) }
      : {}),
  };
  return {
    name: data.name,
    ...(data.description !== undefined ? { description: data.description } : {}),
    deterministic: data.deterministic,
    ...(data.deadline !== undefined ? { deadlineMs: parseDuration(data.deadline) } : {}),
    sched,
    sandboxes,
    messages,
    signals,
  };
}

function restartPolicy(input: z.infer<ReturnType<typeof planSchemas>['restart']>): RestartPolicyInput {
  const backoff = input.backoff;
  return {
    policy: input.policy,
    ...(input.maxRestarts !== undefined ? { maxRestarts: input.maxRestarts } : {}),
    ...(input.window !== undefined ? { windowMs: parseDuration(input.window) } : {}),
    ...(backoff
      ? {
          backoff: {
            ...(backoff.initial !== undefined ? { initialMs: parseDuration(backoff.initial) } : {}),
            ...(backoff.factor !== undefined ? { factor: backoff.factor } : {}),
            ...(backoff.max !== undefined ? { maxMs: parseDuration(backoff.max) } : {}),
          },
        }
      : {}),
  };
}

function where(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : '(root)';
}

function invalid(source: string, problems: string[]): KeelError {
  return new KeelError('invalid-argument', `${source} is invalid:\n  ${problems.join('\n  ')}`, { problems });
}

/** JSON Schema for editors (committed as docs/plan.schema.json; a test keeps it current). */
export function planJsonSchema(): Record<string, unknown> {
  return loadZod().toJSONSchema(planSchema(), { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
