/**
 * The loader's only reads from the host filesystem, apart from its cache: module files named
 * by the embedder and the preview1 adapters shipped by jco.
 */
import { readFile, stat } from 'node:fs/promises';
import { KeelError } from '../kernel/errors.js';

/** Read a module file, refusing it before reading when it is larger than `maxBytes`. */
export async function readModuleFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new KeelError('invalid-argument', `not a file: ${path}`, { path });
    size = info.size;
  } catch (error) {
    if (error instanceof KeelError) throw error;
    throw new KeelError('invalid-argument', `cannot read module file ${path}: ${(error as Error).message}`, {
      path,
    });
  }
  if (size > maxBytes) {
    throw new KeelError(
      'invalid-module',
      `module is ${size} bytes, over the ${maxBytes}-byte module size limit`,
      {
        path,
        size,
        limit: maxBytes,
      },
    );
  }
  return new Uint8Array(await readFile(path));
}

export async function readPreview1Adapter(flavor: 'command' | 'reactor'): Promise<Uint8Array> {
  // Resolved through the package entry: jco's exports map hides its lib/ folder.
  const url = new URL(
    `../lib/wasi_snapshot_preview1.${flavor}.wasm`,
    import.meta.resolve('@bytecodealliance/jco'),
  );
  return new Uint8Array(await readFile(url));
}
