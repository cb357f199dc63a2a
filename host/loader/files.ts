/**
 * The loader's only reads from the host filesystem, apart from its cache: module files named
 * by the embedder and the preview1 adapters shipped by jco.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { KeelError } from '../kernel/errors.js';

// node:fs's callback functions, not node:fs/promises: that module (and the readline and watch
// modules it loads) costs a command's start-up a few milliseconds.
const readFile = promisify(fs.readFile);
const stat = promisify(fs.stat);

/** Read a module file, refusing it before reading when it is larger than `maxBytes`. */
export async function readModuleFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let info: fs.Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  checkModuleFile(path, info, maxBytes);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/**
 * `readModuleFile` without waiting: for the CLI, which has nothing else to do meanwhile (and
 * then starts no thread pool for one read).
 */
export function readModuleFileSync(path: string, maxBytes: number): Uint8Array {
  let info: fs.Stats;
  try {
    info = fs.statSync(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  checkModuleFile(path, info, maxBytes);
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch (error) {
    throw cannotRead(path, error);
  }
}

function checkModuleFile(path: string, info: fs.Stats, maxBytes: number): void {
  if (!info.isFile()) throw new KeelError('invalid-argument', `not a file: ${path}`, { path });
  if (info.size > maxBytes) {
    throw new KeelError(
      'invalid-module',
      `module is ${info.size} bytes, over the ${maxBytes}-byte module size limit`,
      {
        path,
        size: info.size,
        limit: maxBytes,
      },
    );
  }
}

function cannotRead(path: string, error: unknown): KeelError {
  return new KeelError('invalid-argument', `cannot read module file ${path}: ${(error as Error).message}`, {
    path,
  });
}

export async function readPreview1Adapter(flavor: 'command' | 'reactor'): Promise<Uint8Array> {
  // Resolved through the package entry: jco's exports map hides its lib/ folder.
  const url = new URL(
    `../lib/wasi_snapshot_preview1.${flavor}.wasm`,
    import.meta.resolve('@bytecodealliance/jco'),
  );
  return new Uint8Array(await readFile(url));
}
