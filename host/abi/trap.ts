/** A guest broke the canonical ABI: the call traps (`trap`), whatever part of the ABI saw it. */
import { KeelError } from '../kernel/errors.js';

/** A guest broke the canonical ABI: the call traps. */
export function trap(message: string): never {
  throw new KeelError('trap', `canonical ABI trap: ${message}`, { reason: message });
}
