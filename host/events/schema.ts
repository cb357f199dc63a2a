/**
 * Schema v1 of an event line, as a zod schema (for tests and consumers) and as JSON Schema
 * (committed as docs/event.schema.json). Built on first use: importing the package loads no zod
 * (0.13 s of CPU a process; ../policy/manifest.ts).
 */
import { lazySchema, loadZod } from '../caps/schema.js';
import { EVENT_NAMES, type EventName } from './names.js';

/** The zod schema of an event line (`eventRecordSchema().safeParse(line)`), built on first use. */
export const eventRecordSchema = lazySchema((z) =>
  z
    .object({
      ts: z.iso.datetime(),
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
      schema: z.literal(1),
      event: z.enum(EVENT_NAMES as [EventName, ...EventName[]]),
      session: z.string().regex(/^ses_/),
      sandbox: z.string().regex(/^sbx_/).optional(),
      request: z.string().regex(/^req_/).optional(),
      span: z.string().regex(/^spn_/).optional(),
      module: z.string().optional(),
      status: z.enum(['ok', 'error', 'denied', 'granted', 'dropped']).optional(),
      duration_ms: z.number().nonnegative().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
      error: z
        .object({
          code: z.string(),
          message: z.string(),
          details: z.record(z.string(), z.unknown()).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
);

export function eventJsonSchema(): Record<string, unknown> {
  return loadZod().toJSONSchema(eventRecordSchema()) as Record<string, unknown>;
}
