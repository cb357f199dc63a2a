/**
 * Durations as plans and flags write them (`250ms`, `2s`, `1m`). Apart from the plan's schema so
 * that `keel run --timeout` parses one without loading zod.
 */
import { KeelError } from '../kernel/errors.js';

export const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

/** `250ms`, `2s`, `1m` or a number of ms → ms. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value.trim());
  if (!match) throw new KeelError('invalid-argument', `invalid duration "${value}": use 250ms, 2s or 1m`);
  const unit = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000;
  return Number(match[1]) * unit;
}
