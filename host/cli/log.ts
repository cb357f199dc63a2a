/**
 * The CLI's `--log <file.jsonl>`: opened by the CLI before the kernel starts, so that a path
 * that cannot be written is a clear usage error (exit 2) before anything runs, and a write that
 * fails later (disk full) is reported at the end instead of crashing the process. Missing
 * directories are not created: a typo in the path is an error, not a new directory tree.
 */
import { once } from 'node:events';
import { openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { KeelError } from '../kernel/errors.js';

export interface EventLog {
  readonly destination: DestinationStream;
  /** Flush and close; resolves with what went wrong while writing, if anything did. */
  close(): Promise<string | undefined>;
}

export async function openEventLog(path: string, flag = '--log'): Promise<EventLog> {
  const fd = openForAppend(path, flag);
  const { pino } = await import('pino');
  const stream = pino.destination({ fd, sync: false }) as DestinationStream &
    NodeJS.EventEmitter & { end(): void; destroy(): void };
  let failure: string | undefined;
  stream.on('error', (error: Error) => {
    failure ??= error.message;
    // Stop writing: sonic-boom would otherwise retry the failed write at exit, forever.
    stream.destroy();
  });
  return {
    destination: stream,
    async close() {
      if (!failure) {
        const closed = once(stream, 'close').catch(() => undefined);
        stream.end();
        await closed;
      }
      return failure;
    },
  };
}

function openForAppend(path: string, flag: string): number {
  const where = resolve(path);
  const stats = statOrUndefined(where);
  if (stats?.isDirectory()) {
    throw new KeelError(
      'invalid-argument',
      `${flag} ${path} is a directory: name a file, e.g. ${flag} run.jsonl`,
    );
  }
  if (!stats && !statOrUndefined(dirname(where))?.isDirectory()) {
    throw new KeelError(
      'invalid-argument',
      `${flag} ${path}: the directory ${dirname(where)} does not exist (Keel does not create it)`,
    );
  }
  try {
    return openSync(where, 'a');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new KeelError('invalid-argument', `${flag} ${path} cannot be written (${code ?? message})`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
