/**
 * What kind of WebAssembly a byte string is, from its 8-byte preamble.
 */
import { KeelError } from '../kernel/errors.js';

export type BinaryKind = 'core' | 'component';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function detectBinaryKind(bytes: Uint8Array): BinaryKind {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
    const hint =
      text.startsWith('(module') || text.startsWith('(component') || text.startsWith(';;')
        ? ' (this looks like WebAssembly text: compile it to a binary first, e.g. with wat2wasm)'
        : '';
    throw new KeelError(
      'invalid-module',
      `not a WebAssembly binary: missing the \\0asm magic number${hint}`,
      {
        size: bytes.length,
      },
    );
  }
  // Core modules are version 1 with layer 0; components have layer 1 (bytes 6-7).
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  if (layer === 0 && version === 1) return 'core';
  if (layer === 1) return 'component';
  throw new KeelError(
    'invalid-module',
    `unsupported WebAssembly binary version ${version} (layer ${layer}); expected a core module (1) or a component`,
    { version, layer },
  );
}
