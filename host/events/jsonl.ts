/**
 * The JSONL sink: one line per event, schema v1, written through pino (which buffers and
 * writes asynchronously, so a slow disk never stalls a guest).
 */
import { once } from 'node:events';
import { type DestinationStream, pino } from 'pino';
import type { EventBus } from './bus.js';
import type { KeelEvent } from './record.js';

export interface JsonlSinkOptions {
  /** A file path (created with its parent directories) or any pino destination stream. */
  destination: string | DestinationStream;
  /** Write each line synchronously (tests, crash-proof logs). Default false. */
  sync?: boolean;
}

export class JsonlSink {
  readonly #logger: pino.Logger;
  readonly #stream: DestinationStream & Partial<NodeJS.EventEmitter>;
  readonly #ownsStream: boolean;
  #unsubscribe: (() => void) | undefined;

  constructor(options: JsonlSinkOptions) {
    this.#ownsStream = typeof options.destination === 'string';
    this.#stream =
      typeof options.destination === 'string'
        ? pino.destination({ dest: options.destination, mkdir: true, sync: options.sync ?? false })
        : options.destination;
    this.#logger = pino(
      {
        level: 'trace',
        base: null,
        timestamp: false,
        formatters: { level: (label) => ({ level: label }) },
      },
      this.#stream,
    );
  }

  /** Subscribe to every event on `bus`, after all other hooks. */
  attach(bus: EventBus): this {
    this.#unsubscribe = bus.subscribe('*', (event) => this.write(event), { priority: -1000, name: 'jsonl' });
    return this;
  }

  write(event: KeelEvent): void {
    const { level, ...fields } = event;
    this.#logger[level](fields);
  }

  /** Detach and flush everything written so far. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (!this.#ownsStream) return;
    const stream = this.#stream as unknown as {
      fd: number;
      end(): void;
      once(event: string, fn: () => void): void;
      emit?: unknown;
    } & NodeJS.EventEmitter;
    if (stream.fd < 0) await once(stream, 'ready');
    const finished = once(stream, 'close');
    stream.end();
    await finished;
  }
}
