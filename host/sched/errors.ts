/**
 * The scheduler's refusals as errors: a guest's (`Refusal`, which its call returns as a value)
 * or the embedder's (`KeelError`, thrown), and the embedder's message bodies checked.
 */
import { KeelError } from '../kernel/errors.js';
import { Refusal } from './port.js';

export function hostBody(body: Uint8Array | string, limit: number): Uint8Array {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body.slice();
  if (bytes.byteLength > limit) throw tooLarge(bytes.byteLength, limit);
  return bytes;
}

export function tooLarge(size: number, limit: number, guest = false): KeelError | Refusal {
  if (guest)
    return new Refusal('message-too-large', `a ${size}-byte message exceeds the ${limit}-byte message limit`);
  return new KeelError(
    'message-too-large',
    `a ${size}-byte message exceeds the ${limit}-byte message limit`,
    {
      bytes: size,
      limit,
    },
  );
}

export function badTopic(topic: string, guest = false): KeelError | Refusal {
  if (guest) return new Refusal('invalid-argument', `invalid topic "${topic.slice(0, 80)}"`);
  return new KeelError(
    'invalid-argument',
    `invalid topic "${topic.slice(0, 80)}": use dot-separated segments of letters, digits, - and _ (patterns may use * and **)`,
    { topic: topic.slice(0, 80) },
  );
}
