/**
 * The module manifest: what a module is, what it asks for, and the limits it runs under.
 * Validated with zod; every mistake is reported with its path in one readable line.
 */
import type { z } from 'zod';
import { lazySchema, loadZod } from '../caps/schema.js';
import { KeelError } from '../kernel/errors.js';
import { type Limits, parseSize, resolveLimits } from '../kernel/limits.js';
import { type Grant, normalizeGrant } from './grants.js';

/**
 * The manifest's zod schemas, built on first use: importing the package loads no zod (0.13 s of
 * CPU a process), as the providers' scope schemas already did (../caps/schema.ts).
 */
export const manifestSchemas = lazySchema((z) => {
  /** Where a sandbox runs (docs/placement.md); the kernel's `SandboxPlacement`. */
  const placement = z
    .enum(['inline', 'worker'])
    .describe(
      "Where the sandbox runs: inline (in the kernel's thread, the default) or worker (a thread of its own: a hard kill, a real deadline, asynchronous host functions)",
    );

  const size = z
    .union([
      z.number().int().nonnegative(),
      z.string().regex(/^\d+(\.\d+)?\s*([KMG]i?B|B)?$/i, 'a size such as 64KiB'),
    ])
    .describe('Bytes, or a size with a unit: 64KiB, 1MiB, 1GiB');

  const count = z.number().int().nonnegative();

  const capability = z.union([
    z.string().min(1).describe('An interface name: wasi:cli/stdout, wasi:cli/*, env.read_secret'),
    z
      .object({
        interface: z.string().min(1),
        scope: z.unknown().optional().describe('Provider-specific scope (paths, env values, peers, topics)'),
        secret: z
          .boolean()
          .optional()
          .describe('Every string of the scope is a secret: never in an event or the log'),
      })
      .strict(),
  ]);

  const limits = z
    .object({
      fuel: count.optional().describe('Fuel per invocation'),
      fuelTotal: count.optional().describe('Fuel over the sandbox lifetime'),
      memory: size.optional().describe('Linear memory per sandbox, all its memories together'),
      memories: count.optional().describe('Linear memories a sandbox may have (default 16)'),
      tableElements: count.optional(),
      tables: count.optional().describe('Tables a sandbox may have (default 100)'),
      messageSize: size.optional(),
      mailboxLength: count.optional(),
      mailboxSenderPercent: count
        .min(1)
        .max(100)
        .optional()
        .describe('How much of the mailbox one sender may fill, in percent (default 50)'),
      moduleSize: size.optional(),
      outputSize: size.optional().describe('stdout and stderr bytes kept per sandbox'),
      events: count
        .optional()
        .describe('Events a sandbox may cause one by one per invocation (default 10,000)'),
      handles: count.optional().describe('Resource handles a sandbox may hold at once (default 10,000)'),
      hostArgSize: size
        .optional()
        .describe('Bytes a guest may pass to a host function in one call (default 1MiB)'),
    })
    .strict();

  const manifest = z
    .object({
      $schema: z.string().optional(),
      name: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes, starting with a letter')
        .describe('Module name'),
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'a semantic version such as 1.2.3')
        .describe('Module version (semver)'),
      description: z.string().optional(),
      module: z.string().optional().describe('Path of the .wasm, relative to the manifest'),
      capabilities: z.array(capability).default([]).describe('Requested capabilities, with scopes'),
      limits: limits.default({}),
      placement: placement.optional(),
    })
    .strict();
  return { placement, capability, limits, manifest };
});

/** The manifest's zod schema (`manifestSchema().safeParse(input)`), built on first use. */
export const manifestSchema = () => manifestSchemas().manifest;

type Schemas = ReturnType<typeof manifestSchemas>;

export type ManifestInput = z.input<Schemas['manifest']>;

export interface Manifest {
  name: string;
  version: string;
  description?: string;
  module?: string;
  capabilities: Grant[];
  limits: Partial<Limits>;
  /** Where the module asks to run; absent: the kernel's default. */
  placement?: 'inline' | 'worker';
}

/** Validate a manifest; throws `invalid-argument` listing every problem, one per line. */
export function parseManifest(input: unknown, source = 'manifest'): Manifest {
  const result = manifestSchema().safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    });
    throw new KeelError('invalid-argument', `${source} is invalid:\n  ${problems.join('\n  ')}`, {
      problems,
    });
  }
  const { name, version, description, module, capabilities, limits, placement } = result.data;
  const resolved = manifestLimits(limits);
  return {
    name,
    version,
    ...(description !== undefined ? { description } : {}),
    ...(module !== undefined ? { module } : {}),
    capabilities: capabilities.map((c) => normalizeGrant(c as string | Grant)),
    limits: resolved,
    ...(placement !== undefined ? { placement } : {}),
  };
}

/** The manifest's limits (sizes with units, friendly names) as the kernel's `Limits`, checked. */
export function manifestLimits(limits: z.infer<Schemas['limits']>): Partial<Limits> {
  const toBytes = (value: number | string | undefined) =>
    value === undefined ? undefined : typeof value === 'number' ? value : parseSize(value);
  const resolved: Partial<Limits> = {};
  const assign = (key: keyof Limits, value: number | undefined) => {
    if (value !== undefined) resolved[key] = value;
  };
  assign('fuel', limits.fuel);
  assign('fuelTotal', limits.fuelTotal);
  assign('memoryBytes', toBytes(limits.memory));
  assign('memories', limits.memories);
  assign('tableElements', limits.tableElements);
  assign('tables', limits.tables);
  assign('messageBytes', toBytes(limits.messageSize));
  assign('mailboxLength', limits.mailboxLength);
  assign('mailboxSenderPercent', limits.mailboxSenderPercent);
  assign('moduleBytes', toBytes(limits.moduleSize));
  assign('outputBytes', toBytes(limits.outputSize));
  assign('events', limits.events);
  assign('handles', limits.handles);
  assign('hostArgBytes', toBytes(limits.hostArgSize));
  resolveLimits(resolved);
  return resolved;
}

/** JSON Schema for editors (committed as docs/manifest.schema.json; a test keeps it current). */
export function manifestJsonSchema(): Record<string, unknown> {
  return loadZod().toJSONSchema(manifestSchema(), { io: 'input' }) as Record<string, unknown>;
}
