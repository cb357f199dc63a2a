/**
 * The kernel's side of a worker sandbox: starts the guest in a worker of the pool, serves its
 * host calls in the kernel's thread against the sandbox's linked (gated) imports, keeps the
 * kernel's meter the truth about fuel, and ends the worker at once on a kill or a deadline.
 *
 * Two ways to call in: `callSync` blocks the kernel's thread on the channel (`Atomics.wait`)
 * and serves host calls from that wait (the synchronous API); `call` waits on the event loop
 * (`Atomics.waitAsync`), so timers, kills and asynchronous host functions work while the guest
 * runs. Either way a synchronous host function is served as soon as the kernel wakes, and its
 * reply is written in place (`channel.ts`).
 */
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { HandleCounter } from '../abi/handles.js';
import { KeelError } from '../kernel/errors.js';
import type { MemoryLayout, MeterRuntime } from '../meter/index.js';
import { ChannelEnd, channelBuffer, NOTHING, wireBytes } from './channel.js';
import { osThreadAlive } from './os-thread.js';
import type { WorkerPool } from './pool.js';
import {
  checkOutcome,
  checkRequest,
  ObjectTable,
  type Outcome,
  ProtocolError,
  serve,
  settle,
  thrown,
} from './remote.js';
import type {
  HostReply,
  ResourceLimitReached,
  WorkerInit,
  WorkerInvoke,
  WorkerMessage,
} from './worker-main.js';

type Records = Readonly<Record<string, Record<string, unknown>>>;

/**
 * How often a synchronous call looks whether the worker's thread is still there. A worker that
 * dies (out of heap, a crash) says so on the kernel's event loop, which a synchronous call
 * blocks: without the look, the call would wait for its deadline.
 */
const LIVENESS_MS = 50;

/**
 * The longest the kernel's loop serves one worker's frames without a turn of the event loop (on
 * the `call` path): a worker that answers every reply with another host call at once must not
 * keep timers, kills and other sandboxes waiting.
 */
const TURN_MS = 5;

/** The longest resource kind or import name a resource-limit notice may carry. */
const MAX_NOTICE_NAME = 512;

export interface WorkerSandboxOptions {
  pool: WorkerPool;
  /** A component's bytes, or none for a plain core module. */
  componentBytes?: Uint8Array | undefined;
  modules: readonly WebAssembly.Module[];
  /** The sandbox's linked imports (every function already behind the kernel's gate). */
  imports: Records;
  /** Imports whose provider declares no WIT types, and the provider's name (`ComponentLink.untyped`). */
  untyped?: ReadonlyMap<string, string> | undefined;
  /** The sandbox's meter in the kernel: the worker's counter is synchronized with it. */
  meter: MeterRuntime | undefined;
  meterLimits: {
    memoryBytes: number;
    tableElements: number;
    growFailure: 'return-minus-one' | 'error';
    /** The sandbox's memories, as the kernel's meter counts them (see `MemoryLayout`). */
    layout?: MemoryLayout | undefined;
  };
  onLimit(what: 'memory' | 'table', requested: number): void;
  maxCallBytes: number;
  fuelPerByte: number;
  /** The sandbox's handle count (`limits.handles`): host objects the worker holds references to. */
  handles: HandleCounter;
  /** The same limit, for the handle tables of the guest's component in the worker. */
  handleLimit: number;
  /** Bytes a guest may pass one host function in one call (`limits.hostArgBytes`). */
  maxHostArgBytes: number;
  /** Fuel of a resource's constructor, method or static function call (0 unmetered). */
  callFuel: number;
  /** The worker refused the guest a handle or a host call's arguments (the kernel emits `resource:limit`). */
  onResourceLimit(reached: ResourceLimitReached): void;
  exitGranted: boolean;
  /** How long one call may take, in milliseconds (the sandbox's `deadlineMs`). */
  deadlineMs: number;
  /** The sandbox's `timeout` error (and its `deadline:exceeded` event) for a call past it. */
  deadlineExceeded(exportName: string): KeelError;
  /** The worker died on its own (out of heap, a crash): the sandbox ends with this error. */
  onDeath(error: KeelError): void;
  /**
   * The call's outcome is what host code threw into the guest (the worker's mark): the sandbox
   * keeps it as host code that threw inline (its gate's `hostThrew`), so the call ends as inline.
   */
  onThrownIntoGuest(error: unknown): void;
}

export class WorkerSandbox {
  readonly #options: WorkerSandboxOptions;
  readonly #worker: Worker;
  readonly #channel: ChannelEnd;
  readonly #objects: ObjectTable;
  #nextCall = 1;
  #exports: string[] = [];
  #dead: KeelError | undefined;
  /** The start or the call awaited on the event loop, if any: a kill rejects it at once. */
  #pending: { reject(error: KeelError): void } | undefined;
  /** The deadline of the start functions, armed when the worker begins to instantiate. */
  #startTimer: (() => void) | undefined;
  #starting = true;
  /** Notices taken in this call (or the start): Keel's worker sends each at most once a call. */
  readonly #noticed = new Set<string>();

  private constructor(options: WorkerSandboxOptions) {
    this.#options = options;
    this.#worker = options.pool.acquire();
    const { port1, port2 } = new MessageChannel();
    const buffer = channelBuffer();
    this.#channel = new ChannelEnd(
      buffer,
      port1,
      'kernel',
      (message) => this.#notice(message),
      options.pool.spin,
      // Frames and port messages alike: no message longer than a call's result or a host call's
      // arguments may take (channel.ts, wireBytes).
      wireBytes(Math.max(options.maxCallBytes, options.maxHostArgBytes)),
    );
    // Host objects the guest holds through the channel count against the sandbox's handles.
    this.#objects = new ObjectTable(options.imports, options.handles);
    // Notices posted while the kernel's loop is free (a frame drains those before it).
    port1.on('message', (message: unknown) => {
      if (this.#dead) return;
      try {
        this.#channel.take(message);
      } catch (error) {
        this.#broken(error);
      }
    });
    // Neither the port nor an idle worker keeps the process alive; a call's deadline timer does.
    port1.unref();
    this.#worker.ref();
    this.#worker.on('error', (error) => this.#die(deathError(error)));
    this.#worker.on('exit', () =>
      this.#die(this.#lastWords() ?? new KeelError('killed', 'the worker sandbox thread exited')),
    );
    const init: WorkerInit = {
      op: 'init',
      port: port2,
      buffer,
      spin: options.pool.spin,
      ...(options.componentBytes ? { componentBytes: options.componentBytes } : {}),
      modules: [...options.modules],
      shape: shapeOf(options.imports),
      ...(options.untyped ? { untyped: new Map(options.untyped) } : {}),
      ...(options.meter ? { meter: options.meterLimits } : {}),
      maxCallBytes: options.maxCallBytes,
      maxHostArgBytes: options.maxHostArgBytes,
      callFuel: options.callFuel,
      fuelPerByte: options.fuelPerByte,
      handleLimit: options.handleLimit,
      fuel: options.meter?.remaining() ?? 0,
      exitGranted: options.exitGranted,
    };
    this.#worker.postMessage(init, [port2]);
  }

  /** Start the guest in a worker; resolves once it is instantiated (its start function run). */
  static async start(options: WorkerSandboxOptions): Promise<WorkerSandbox> {
    const sandbox = new WorkerSandbox(options);
    try {
      const message = await sandbox.#await((m) => m.op === 'ready' || m.op === 'failed');
      if (message.op === 'failed') {
        const error = failure(message.outcome);
        sandbox.kill();
        throw error;
      }
      if (message.op !== 'ready') throw sandbox.#broken(new Error(`a ${message.op} frame at the start`));
      sandbox.#exports = message.exports;
      try {
        // Exhausted: the kernel's spawn fails with fuel-exhausted (`Kernel#started`).
        sandbox.#absorb(message.fuel, message.exhausted);
      } catch {
        // Never more than the meter had.
      }
      sandbox.#worker.unref();
    } finally {
      sandbox.#starting = false;
      sandbox.#startTimer?.();
    }
    return sandbox;
  }

  /** A call (or the start) is awaited on the event loop: a host function may answer with a promise. */
  get awaiting(): boolean {
    return this.#pending !== undefined && !this.#dead;
  }

  /** A plain core module's exported function names. */
  exportNames(): readonly string[] {
    return this.#exports;
  }

  /** Call an export, blocking the kernel's thread; host calls are served from the wait. */
  callSync(name: string, args: readonly unknown[]): unknown {
    const id = this.#send(name, args);
    const deadline = performance.now() + this.#options.deadlineMs;
    for (;;) {
      // Killed from a host function just served: the worker will never answer.
      if (this.#dead) throw this.#dead;
      // Every turn, not only when the worker is quiet: one that answers each reply with another
      // host call at once would otherwise hold the kernel's thread past the deadline.
      if (performance.now() >= deadline) throw this.#timeout(name);
      let message: unknown;
      try {
        message = this.#channel.receive(Math.min(deadline, performance.now() + LIVENESS_MS));
      } catch (error) {
        throw this.#broken(error);
      }
      if (this.#dead) throw this.#dead;
      if (message === NOTHING) {
        if (performance.now() >= deadline) throw this.#timeout(name);
        if (!this.#threadAlive()) {
          this.#die(
            new KeelError(
              'killed',
              "the worker sandbox's thread ended during the call (out of heap, or a crash)",
              {
                reason: 'thread-ended',
              },
            ),
          );
          throw this.#dead!;
        }
        continue;
      }
      const frame = this.#frame(message);
      if (frame.op === 'result' && frame.id === id) return this.#settle(frame);
      if (frame.op !== 'host') throw this.#broken(new Error(`a ${frame.op} frame during call ${id}`));
      this.#serveSync(frame);
    }
  }

  /** Call an export, waiting on the event loop: host functions may be asynchronous. */
  async call(name: string, args: readonly unknown[]): Promise<unknown> {
    const id = this.#send(name, args);
    const deadline = performance.now() + this.#options.deadlineMs;
    const cancel = after(this.#options.deadlineMs, () => this.#timeout(name));
    try {
      const message = await this.#await(
        (m) => m.op === 'result' && m.id === id,
        () => {
          if (performance.now() >= deadline) throw this.#timeout(name);
        },
      );
      return this.#settle(message as WorkerMessage & { op: 'result' });
    } finally {
      cancel();
    }
  }

  /** End the worker now: a guest in a tight loop or inside a host call stops at once. */
  kill(error: KeelError = new KeelError('killed', 'the worker sandbox was killed')): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#objects.clear();
    this.#options.pool.release(this.#worker);
    this.#pending?.reject(error);
    this.#pending = undefined;
    // A wait on the event loop for the worker's next frame ends now.
    this.#channel.wake();
  }

  /**
   * A worker whose start failed sends `failed` and its thread ends: on a busy kernel thread the
   * exit can be seen before the frame, and the spawn's typed error (`fuel-exhausted`, `trap`)
   * must not become `killed`. Read only while starting; a frame other than `failed` is dropped
   * (the worker is gone: nothing would read it).
   */
  #lastWords(): KeelError | undefined {
    if (!this.#starting || this.#dead) return undefined;
    let message: unknown;
    try {
      message = this.#channel.poll();
    } catch {
      return undefined;
    }
    if (message === NOTHING) return undefined;
    let frame: WorkerMessage;
    try {
      frame = this.#checked(message);
    } catch {
      return undefined;
    }
    if (frame.op !== 'failed') return undefined;
    const error = failure(frame.outcome);
    return error instanceof KeelError ? error : undefined;
  }

  /** Whether the worker's OS thread is still there (true where that cannot be known). */
  #threadAlive(): boolean {
    return osThreadAlive(this.#channel.thread);
  }

  /** Past the deadline: the worker is ended wherever its guest is. */
  #timeout(exportName: string): KeelError {
    // Once: the call's timer and its loop's own look may both find it late.
    if (this.#dead) return this.#dead;
    const error = this.#options.deadlineExceeded(exportName);
    this.kill(error);
    return error;
  }

  /**
   * The worker broke the channel's protocol (a frame that cannot be read, a message out of
   * turn). Keel's code in the worker never does: it means a bug, or a guest that got out of
   * WebAssembly. Either way the sandbox ends, and nothing it wrote is believed.
   */
  #broken(cause: unknown): KeelError {
    const error = new KeelError(
      'internal',
      `the worker sandbox broke the channel's protocol: ${cause instanceof Error ? cause.message : String(cause)}`,
      { reason: 'channel' },
    );
    this.#die(error);
    return this.#dead ?? error;
  }

  /**
   * A frame from the worker, checked: only the protocol's messages, with only the protocol's
   * fields, of their types and within their bounds (a host call's message within what the
   * sandbox's `hostArgBytes` allows, on whichever path it came). Anything else breaks the
   * protocol and ends the sandbox.
   */
  #frame(message: unknown): WorkerMessage {
    try {
      return this.#checked(message);
    } catch (error) {
      throw this.#broken(error);
    }
  }

  #checked(message: unknown): WorkerMessage {
    if (typeof message !== 'object' || message === null)
      throw new ProtocolError('a frame that is no message');
    const m = message as Record<string, unknown>;
    switch (m.op) {
      case 'host': {
        const bound = wireBytes(this.#options.maxHostArgBytes);
        if (this.#channel.lastBytes > bound) {
          throw new ProtocolError(
            `a host call of ${this.#channel.lastBytes} bytes, over the bound of ${bound} (limits.hostArgBytes)`,
          );
        }
        return { op: 'host', request: checkRequest(m.request), fuel: m.fuel as number };
      }
      case 'result':
        if (!Number.isSafeInteger(m.id)) throw new ProtocolError('a result for no call');
        return {
          op: 'result',
          id: m.id as number,
          outcome: checkOutcome(m.outcome, this.#options.exitGranted),
          fuel: m.fuel as number,
          exhausted: m.exhausted === true,
          threw: m.threw === true,
        };
      case 'ready':
        if (!Array.isArray(m.exports))
          throw new ProtocolError('the worker said it was ready without its exports');
        return {
          op: 'ready',
          exports: m.exports.filter((name): name is string => typeof name === 'string'),
          fuel: m.fuel as number,
          exhausted: m.exhausted === true,
        };
      case 'failed':
        return { op: 'failed', outcome: checkOutcome(m.outcome, this.#options.exitGranted) };
      default:
        throw new ProtocolError('a frame without a known op');
    }
  }

  /**
   * Serve the worker's frames on the event loop until `done` accepts one; a kill or a broken
   * frame rejects at once, even while an asynchronous host function is pending.
   */
  #await(done: (message: WorkerMessage) => boolean, check: () => void = () => {}): Promise<WorkerMessage> {
    return new Promise<WorkerMessage>((resolve, reject) => {
      if (this.#dead) {
        reject(this.#dead);
        return;
      }
      this.#pending = { reject };
      this.#serveUntil(done, check).then(
        (message) => {
          this.#pending = undefined;
          resolve(message);
        },
        (error) => {
          this.#pending = undefined;
          reject(error);
        },
      );
    });
  }

  async #serveUntil(done: (message: WorkerMessage) => boolean, check: () => void): Promise<WorkerMessage> {
    let turned = performance.now();
    for (;;) {
      if (this.#dead) throw this.#dead;
      // The deadline every turn, and a turn of the event loop now and then however busy the
      // worker keeps the channel.
      check();
      if (performance.now() - turned > TURN_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turned = performance.now();
        continue;
      }
      let message: unknown;
      try {
        message = this.#channel.poll();
      } catch (error) {
        throw this.#broken(error);
      }
      if (message === NOTHING) {
        await this.#channel.changed();
        turned = performance.now();
        continue;
      }
      const frame = this.#frame(message);
      if (done(frame)) return frame;
      if (frame.op !== 'host') throw this.#broken(new Error(`a ${frame.op} frame out of turn`));
      await this.#serveAsync(frame);
    }
  }

  #send(name: string, args: readonly unknown[]): number {
    if (this.#dead) throw this.#dead;
    const id = this.#nextCall++;
    this.#noticed.clear();
    const message: WorkerInvoke = {
      op: 'invoke',
      id,
      name,
      args: args.map((a) => this.#objects.encode(a)),
      fuel: this.#options.meter?.remaining() ?? 0,
    };
    try {
      this.#channel.send(message);
    } catch (error) {
      // A value that cannot cross threads (a function, a guest resource of this thread).
      throw new KeelError(
        'invalid-argument',
        `an argument of ${name} cannot cross to a worker sandbox: ${String(error)}`,
      );
    }
    return id;
  }

  /** The worker's fuel left becomes the kernel's (the worker can only have used fuel, never gained). */
  #absorb(reported: unknown, exhausted = false): void {
    const meter = this.#options.meter;
    if (!meter) return;
    // A report that is not a count of fuel left means all of it was used.
    const fuel = typeof reported === 'number' && reported >= 0 ? reported : 0;
    const spent = meter.remaining() - fuel;
    if (spent > 0) meter.charge(spent);
    if (exhausted) {
      try {
        meter.charge(meter.remaining() + 1);
      } catch {
        // Marks the meter exhausted, as the guest's own check did in the worker.
      }
    }
  }

  #settle(message: WorkerMessage & { op: 'result' }): unknown {
    this.#absorb(message.fuel, message.exhausted === true);
    if (!message.threw) return settle(message.outcome, (v) => this.#objects.decode(v));
    const error = failure(message.outcome);
    this.#options.onThrownIntoGuest(error);
    throw error;
  }

  /**
   * A one-way notice from the worker, however it arrived; false when the message is not one.
   * Keel's worker sends each kind at most once a call, of the protocol's shape: a notice past
   * that breaks the protocol (thrown here, the channel ends the sandbox). What a notice says is
   * taken only where the kernel cannot know it (which import, how many bytes); the limit's
   * figures are the kernel's own.
   */
  #notice(message: unknown): boolean {
    if (typeof message !== 'object' || message === null) return false;
    const notice = message as Record<string, unknown>;
    const once = (kind: string) => {
      if (this.#noticed.has(kind)) throw new ProtocolError(`a second ${kind} notice in one call`);
      this.#noticed.add(kind);
    };
    switch (notice.op) {
      case 'starting':
        once('starting');
        // Start functions are guest code: they run under the deadline, as a call does (a spin
        // in one kept the spawn, and a thread, for as long as the guest's fuel lasted). The
        // clock starts once the thread is up: booting it is the host's time, not the guest's.
        if (this.#starting && this.#startTimer === undefined) {
          this.#startTimer = after(this.#options.deadlineMs, () => this.#timeout('instantiation'));
        }
        return true;
      case 'limit': {
        const { what, requested } = notice;
        if (
          (what !== 'memory' && what !== 'table') ||
          !Number.isSafeInteger(requested) ||
          (requested as number) < 0
        ) {
          throw new ProtocolError('a limit notice of no known shape');
        }
        once(what);
        this.#options.onLimit(what, requested as number);
        return true;
      }
      case 'resource-limit':
        once('resource-limit');
        this.#options.onResourceLimit(this.#reached(notice.reached));
        return true;
      default:
        return false;
    }
  }

  /** A resource-limit notice's content, rebuilt from its checked fields (no other field passes). */
  #reached(reached: unknown): ResourceLimitReached {
    const r = (typeof reached === 'object' && reached !== null ? reached : {}) as Record<string, unknown>;
    const named = (value: unknown) =>
      typeof value === 'string' && value.length > 0 && value.length <= MAX_NOTICE_NAME;
    if (r.limit === 'handles' && named(r.kind)) return { limit: 'handles', kind: r.kind as string };
    if (
      r.limit === 'hostArgBytes' &&
      named(r.import) &&
      Number.isSafeInteger(r.bytes) &&
      (r.bytes as number) > this.#options.maxHostArgBytes
    ) {
      return { limit: 'hostArgBytes', bytes: r.bytes as number, import: r.import as string };
    }
    throw new ProtocolError('a resource-limit notice of no known shape');
  }

  #serveSync(message: WorkerMessage & { op: 'host' }): void {
    const outcome = this.#serveOne(message);
    if ('ok' in outcome && outcome.ok instanceof Promise) {
      outcome.ok.catch(() => {});
      this.#reply({
        $keel: {
          code: 'invalid-argument',
          message:
            'an asynchronous host function was called during a synchronous call (invokeSync or sandbox.fn); use sandbox.invoke',
        },
      });
      return;
    }
    this.#reply(outcome);
  }

  async #serveAsync(message: WorkerMessage & { op: 'host' }): Promise<void> {
    let outcome = this.#serveOne(message);
    // An asynchronous host function: the guest sleeps while the kernel's loop runs on.
    // A host object that arrives after a kill is disposed by the emptied table, never kept.
    if ('ok' in outcome && outcome.ok instanceof Promise) {
      try {
        outcome = { ok: this.#objects.encode(await outcome.ok) };
      } catch (error) {
        if (this.#dead) return;
        outcome = thrown(error, (v) => this.#objects.encode(v));
      }
    }
    if (this.#dead) return;
    this.#reply(outcome);
  }

  #serveOne(message: WorkerMessage & { op: 'host' }): Outcome {
    try {
      this.#absorb(message.fuel);
    } catch (error) {
      return thrown(error, (v) => v);
    }
    return serve(message.request, this.#options.imports, this.#objects);
  }

  #reply(outcome: Outcome): void {
    const reply: HostReply = { outcome, fuel: this.#options.meter?.remaining() ?? 0 };
    try {
      this.#channel.send(reply);
    } catch (error) {
      // A host value that cannot cross threads is Keel's fault, never the guest's.
      this.#channel.send({
        outcome: {
          $keel: { code: 'internal', message: `a host value cannot cross to the worker: ${String(error)}` },
        },
        fuel: reply.fuel,
      } satisfies HostReply);
    }
  }

  #die(error: KeelError): void {
    if (this.#dead) return;
    this.kill(error);
    this.#options.onDeath(error);
  }
}

/** Which members of each linked record are functions and which are classes. */
function shapeOf(imports: Records): WorkerInit['shape'] {
  const shape: WorkerInit['shape'] = {};
  for (const [iface, record] of Object.entries(imports)) {
    const members: Record<string, 'function' | 'class'> = {};
    for (const [name, value] of Object.entries(record)) {
      if (typeof value === 'function') members[name] = /^[A-Z]/.test(name) ? 'class' : 'function';
    }
    shape[iface] = members;
  }
  return shape;
}

function failure(outcome: Outcome): unknown {
  try {
    settle(outcome, (v) => v);
  } catch (error) {
    return error;
  }
  return new KeelError('internal', 'the worker failed without saying why');
}

/** Why a worker died, as the sandbox's error. */
function deathError(error: Error): KeelError {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new KeelError('memory-limit', 'the worker sandbox ran out of its V8 heap (workers.heapMb)', {
      reason: code,
    });
  }
  return new KeelError('killed', `the worker sandbox's thread failed: ${error.message}`, {
    ...(code ? { reason: code } : {}),
  });
}

/** setTimeout's longest delay: a longer one fires after 1 ms (Node warns, TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Call `fire` once `ms` have passed, however long that is (a deadline of 2^31 ms or more, which
 * `limits.deadlineMs` and `--timeout` accept, fired after 1 ms: every call and start function of
 * a worker sandbox timed out at once); returns what cancels it.
 */
function after(ms: number, fire: () => void): () => void {
  const end = performance.now() + ms;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    timer = setTimeout(
      () => {
        const rest = end - performance.now();
        if (rest > 0) arm(rest);
        else fire();
      },
      Math.min(Math.max(0, left), MAX_TIMER_MS),
    );
  };
  arm(ms);
  return () => clearTimeout(timer);
}
