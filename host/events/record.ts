/**
 * The one shape of an event, on the bus and in the JSONL log (schema v1).
 */
import type { EventLevel, EventName } from './names.js';

export const EVENT_SCHEMA_VERSION = 1;

export interface EventError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** One event. Field names are the log's; optional fields are omitted when empty. */
export interface KeelEvent {
  /** ISO-8601 time the event happened (virtual time in deterministic mode). */
  ts: string;
  level: EventLevel;
  schema: typeof EVENT_SCHEMA_VERSION;
  event: EventName;
  session: string;
  sandbox?: string;
  request?: string;
  span?: string;
  /** Module name (or id) the event concerns. */
  module?: string;
  status?: 'ok' | 'error' | 'denied' | 'granted' | 'dropped';
  duration_ms?: number;
  data?: Record<string, unknown>;
  error?: EventError;
}

/** What an emitter supplies; the bus fills in `ts`, `schema`, `session` and the level default. */
export type EventInput = Omit<KeelEvent, 'ts' | 'schema' | 'session' | 'level'> & { level?: EventLevel };
