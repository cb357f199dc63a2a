/**
 * The syscall channel between a worker sandbox and the kernel's thread: a `SharedArrayBuffer`
 * with one frame in each direction, and a `MessagePort` beside it for what does not fit a frame
 * and for one-way notices.
 *
 * The protocol alternates: the kernel writes a call into the worker's frame and bumps the
 * worker's word; the worker runs the guest, and each host call writes a request into the
 * kernel's frame, bumps the kernel's word and sleeps (`Atomics.wait`) on its own word until the
 * reply is written in place. Nothing of this goes through either thread's event loop, and no
 * structured clone is made: values are written by `codec.ts`. The kernel waits either
 * synchronously (`Atomics.wait`, for `invokeSync` and `sandbox.fn`) or on its event loop
 * (`Atomics.waitAsync`, for `invoke`, so a host function may be asynchronous).
 *
 * A message larger than a frame is posted on the port and its frame says so (length -1). The
 * worker's one-way notices (`starting`, limits) go on the port too, counted in a word so that
 * the kernel drains them, in order, before the frame that follows them. What goes on the port
 * is the codec's bytes too, in a plain `ArrayBuffer` (moved, not copied): a port message that is
 * anything else, or longer than the receiver's bound (`maxMessageBytes`), breaks the protocol.
 * The receiving side never walks a value structured clone made.
 *
 * Either side reads what the other wrote through shared memory: the reader copies a frame out
 * before decoding it and checks its length, so a worker that scribbles on the buffer can make
 * the kernel read garbage (and end the sandbox), never read outside the frame.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { CodecError, decode, Writer } from './codec.js';

/** Bytes of each direction's frame: a host call's request and reply fit many times over. */
export const FRAME_BYTES = 64 * 1024;
const HEADER_BYTES = 64;

/** Words of the header: a sequence and a frame length per direction, and the worker's port posts. */
const TO_KERNEL = 0;
const TO_WORKER = 1;
const KERNEL_LENGTH = 2;
const WORKER_LENGTH = 3;
const PORT_POSTS = 4;
/** The worker's OS thread id (Linux), for the kernel to see that the thread is still there. */
const THREAD = 5;

/** The frame's message is on the port. */
const ON_PORT = -1;

/** Port messages the kernel takes in one drain (a worker that floods its port waits its turn). */
const DRAIN_BATCH = 64;

/** `Atomics.waitAsync` (Node 16+; not yet in TypeScript's ES2022 library). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout?: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** What `poll` and `receive` return when no message came. */
export const NOTHING: unique symbol = Symbol('nothing');

/**
 * Polls of the other side's word before sleeping on it. A reply that comes within the spin
 * saves a futex sleep and wake (microseconds on a virtual machine); one that does not costs the
 * spin's CPU. bench/placement.ts measures both; 0 waits at once.
 */
export const DEFAULT_SPIN = 0;

export function channelBuffer(frameBytes = FRAME_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + 2 * frameBytes);
}

export type Side = 'kernel' | 'worker';

/**
 * A message's bytes on the channel may be more than the bytes the ABI counted for it
 * (`limits.hostArgBytes`, a call's byte budget: host/abi/context.ts counts what the host holds,
 * not the names of fields, cases and flags, nor UTF-16's second byte). A host call's message
 * may take `WIRE_FACTOR` times the sandbox's `hostArgBytes` and `WIRE_SLACK` more (its names,
 * its envelope); the worker refuses a longer one as `resource-limit` (hostArgBytes), and the
 * kernel, which holds every path (frame and port) to the same bound, ends a worker that sends
 * one anyway. Results are bounded the same way by the call's byte budget.
 */
export const WIRE_FACTOR = 8;
export const WIRE_SLACK = 4096;

/** The most bytes a message may take on the channel for `held` bytes of the ABI's count. */
export function wireBytes(held: number): number {
  return WIRE_FACTOR * held + WIRE_SLACK;
}

/** A message longer than the bound its sender was given (`send`'s `maxBytes`). */
export class TooLargeError extends CodecError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a message of ${bytes} bytes, over the bound of ${limit}`);
  }
}

/** One thread's end of the channel. */
export class ChannelEnd {
  readonly #words: Int32Array;
  readonly #frames: { in: Uint8Array; out: Uint8Array };
  readonly #seq: { in: number; out: number };
  readonly #length: { in: number; out: number };
  readonly #writer = new Writer();
  /** The incoming frame's bytes, copied out of shared memory before they are read. */
  #copy = Buffer.allocUnsafe(1024);
  /** The last incoming sequence number taken. */
  #seen = 0;
  /** The worker's port posts counted at the last drain (kernel side). */
  #portSeen = 0;
  /** Messages of frames that said they were on the port, taken from it early (kernel side). */
  readonly #queued: { message: unknown; bytes: number }[] = [];
  /** The bytes of the message `poll` (or `receive`) returned last, as the other side wrote them. */
  #lastBytes = 0;

  constructor(
    buffer: SharedArrayBuffer,
    readonly port: MessagePort,
    readonly side: Side,
    /** Kernel side: a one-way notice from the worker; false when the message is not one. */
    private readonly notice: (message: unknown) => boolean = () => false,
    private readonly spin = DEFAULT_SPIN,
    /** The longest message taken from the other side, frame or port (a frame is shorter anyway). */
    private readonly maxMessageBytes = Number.POSITIVE_INFINITY,
  ) {
    this.#words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    const frameBytes = (buffer.byteLength - HEADER_BYTES) / 2;
    const kernel = new Uint8Array(buffer, HEADER_BYTES, frameBytes);
    const worker = new Uint8Array(buffer, HEADER_BYTES + frameBytes, frameBytes);
    const kernelSide = side === 'kernel';
    this.#frames = kernelSide ? { in: kernel, out: worker } : { in: worker, out: kernel };
    this.#seq = kernelSide ? { in: TO_KERNEL, out: TO_WORKER } : { in: TO_WORKER, out: TO_KERNEL };
    this.#length = kernelSide
      ? { in: KERNEL_LENGTH, out: WORKER_LENGTH }
      : { in: WORKER_LENGTH, out: KERNEL_LENGTH };
    this.#seen = Atomics.load(this.#words, this.#seq.in);
  }

  /**
   * Write `message` into the other side's frame (or post it, when it does not fit) and wake it.
   * A message longer than `maxBytes` is not sent (`TooLargeError`).
   */
  send(message: unknown, maxBytes = Number.POSITIVE_INFINITY): void {
    const length = this.#writer.encode(message);
    if (length > maxBytes) throw new TooLargeError(length, maxBytes);
    const frame = this.#frames.out;
    if (length <= frame.length) {
      frame.set(this.#writer.bytes.subarray(0, length));
      Atomics.store(this.#words, this.#length.out, length);
    } else {
      this.#postWritten(length);
      Atomics.store(this.#words, this.#length.out, ON_PORT);
    }
    Atomics.add(this.#words, this.#seq.out, 1);
    Atomics.notify(this.#words, this.#seq.out);
  }

  /** Worker side: a one-way message to the kernel, on the port (taken in order with the frames). */
  post(message: unknown): void {
    this.#postWritten(this.#writer.encode(message));
    Atomics.add(this.#words, PORT_POSTS, 1);
  }

  /** Post the writer's bytes, in a buffer of their own that the port moves to the other side. */
  #postWritten(length: number): void {
    const buffer = new ArrayBuffer(length);
    new Uint8Array(buffer).set(this.#writer.bytes.subarray(0, length));
    try {
      this.port.postMessage(buffer, [buffer]);
    } catch (error) {
      throw new CodecError(error instanceof Error ? error.message : String(error));
    }
  }

  /** A message the port delivered: the codec's bytes in a plain ArrayBuffer, within the bound. */
  #fromPort(message: unknown): { message: unknown; bytes: number } {
    if (!(message instanceof ArrayBuffer)) throw new CodecError('a port message that is not bytes');
    const bytes = message.byteLength;
    if (bytes > this.maxMessageBytes) {
      throw new CodecError(`a port message of ${bytes} bytes, over ${this.maxMessageBytes}`);
    }
    return { message: decode(Buffer.from(message), bytes), bytes };
  }

  /** The bytes the message `poll` (or `receive`) returned last took on the channel. */
  get lastBytes(): number {
    return this.#lastBytes;
  }

  /** Kernel side: handle the worker's notices posted so far; keep a frame's message for its frame. */
  drain(always = false): void {
    const posts = Atomics.load(this.#words, PORT_POSTS);
    if (posts === this.#portSeen && !always) return;
    this.#portSeen = posts;
    for (let i = 0; i < DRAIN_BATCH; i++) {
      const received = receiveMessageOnPort(this.port);
      if (!received) return;
      this.take(received.message);
    }
  }

  /** Kernel side: a message from the port (drained here, or delivered by its listener). */
  take(bytes: unknown): void {
    const taken = this.#fromPort(bytes);
    if (this.notice(taken.message)) return;
    // A well-behaved worker has at most one frame's message on the port at a time.
    if (this.#queued.length > 0) throw new CodecError('the worker posted more than its frames say');
    this.#queued.push(taken);
  }

  /** The next incoming message if the other side has sent one; `NOTHING` if not. */
  poll(): unknown {
    const seq = Atomics.load(this.#words, this.#seq.in);
    if (seq === this.#seen) return NOTHING;
    this.#seen = seq;
    if (this.side === 'kernel') this.drain();
    const length = Atomics.load(this.#words, this.#length.in);
    if (length === ON_PORT) {
      if (this.side === 'worker') {
        const received = receiveMessageOnPort(this.port);
        if (!received) throw new CodecError('a frame said it was on the port, and it was not');
        const taken = this.#fromPort(received.message);
        this.#lastBytes = taken.bytes;
        return taken.message;
      }
      if (this.#queued.length === 0) this.drain(true);
      const taken = this.#queued.shift();
      if (!taken) throw new CodecError('a frame said it was on the port, and it was not');
      this.#lastBytes = taken.bytes;
      return taken.message;
    }
    const frame = this.#frames.in;
    if (!Number.isInteger(length) || length < 0 || length > frame.length || length > this.maxMessageBytes) {
      throw new CodecError(`a frame's length is out of bounds (${length})`);
    }
    if (this.#copy.length < length) this.#copy = Buffer.allocUnsafe(Math.max(length, 2 * this.#copy.length));
    this.#copy.set(frame.subarray(0, length));
    this.#lastBytes = length;
    return decode(this.#copy, length);
  }

  /**
   * The next incoming message, sleeping until it comes or `deadline` (`performance.now()`
   * milliseconds) passes; `NOTHING` on timeout.
   */
  receive(deadline = Number.POSITIVE_INFINITY): unknown {
    for (;;) {
      const message = this.poll();
      if (message !== NOTHING) return message;
      if (this.#spun()) continue;
      const left = deadline - performance.now();
      if (left <= 0) return NOTHING;
      Atomics.wait(this.#words, this.#seq.in, this.#seen, Number.isFinite(left) ? left : undefined);
    }
  }

  /** Kernel side: resolves when the worker's word moves (or `ms` pass, or `wake` is called). */
  async changed(ms?: number): Promise<void> {
    if (this.#spun()) return;
    const waited = waitAsync(this.#words, this.#seq.in, this.#seen, ms);
    if (waited.async) await waited.value;
  }

  /** Worker side: say which OS thread this is (0: not known). */
  announceThread(tid: number): void {
    Atomics.store(this.#words, THREAD, tid);
  }

  /** Kernel side: the worker's OS thread id, as it said (0: not known). */
  get thread(): number {
    return Atomics.load(this.#words, THREAD);
  }

  /** Wake whoever waits for this side's incoming word (the kernel ending a sandbox). */
  wake(): void {
    Atomics.notify(this.#words, this.#seq.in);
  }

  /** Spin a little for the other side's word; true when it moved. */
  #spun(): boolean {
    for (let i = 0; i < this.spin; i++) {
      if (Atomics.load(this.#words, this.#seq.in) !== this.#seen) return true;
    }
    return false;
  }
}
