/**
 * A worker sandbox whose worker is not Keel's worker-main but a script of the test: what a guest
 * that got out of WebAssembly into its worker's JavaScript could run. The script gets the init
 * message (`init.buffer`, `init.port`) and `workerData`; the PRELUDE gives it the channel's
 * layout (channel.ts): `words` (header), `frame` (the kernel's incoming frame), `write(bytes,
 * length?)` (a frame to the kernel), `waitCall()` (until the kernel's next call into the worker).
 */
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { handleLimitCounter } from '../../host/abi/handles.js';
import { KeelError } from '../../host/index.js';
import { Writer } from '../../host/isolate/codec.js';
import type { WorkerPool } from '../../host/isolate/pool.js';
import { WorkerSandbox, type WorkerSandboxOptions } from '../../host/isolate/worker-sandbox.js';

const PRELUDE = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.once('message', (init) => {
  const words = new Int32Array(init.buffer, 0, 16);
  const frame = new Uint8Array(init.buffer, 64, (init.buffer.byteLength - 64) / 2);
  const write = (bytes, length) => {
    frame.set(bytes.subarray(0, Math.min(bytes.length, frame.length)));
    Atomics.store(words, 2, length ?? bytes.length);
    Atomics.add(words, 0, 1);
    Atomics.notify(words, 0);
  };
  let calls = 0;
  const waitCall = () => {
    while (Atomics.load(words, 1) === calls) Atomics.wait(words, 1, calls, 1000);
    calls = Atomics.load(words, 1);
  };
  write(workerData.ready);
`;

/** The bytes the codec writes for `value`. */
export function encoded(value: unknown): Uint8Array {
  const writer = new Writer();
  const length = writer.encode(value);
  return Uint8Array.from(writer.bytes.subarray(0, length));
}

/** The codec's former CLONED tag: a value in V8's serialization format (the kernel now refuses it). */
const CLONED = 14;

/**
 * The frame of `message` with its string `marker` replaced by `value` under the CLONED tag (a
 * tag byte, a u32 length, V8's serialization of `value`): what a hostile worker could send.
 */
export function withClonedValue(message: unknown, marker: string, value: unknown): Uint8Array {
  const clone = serialize(value);
  const plain = Buffer.from(encoded(message));
  const at = plain.indexOf(Buffer.from(marker, 'latin1')) - 5;
  const tagged = Buffer.alloc(5 + clone.length);
  tagged[0] = CLONED;
  tagged.writeUInt32LE(clone.length, 1);
  clone.copy(tagged, 5);
  return Uint8Array.from(
    Buffer.concat([plain.subarray(0, at), tagged, plain.subarray(at + 5 + marker.length)]),
  );
}

export interface HostileWorker {
  sandbox: WorkerSandbox;
  workers: Worker[];
  deaths: KeelError[];
  /** The header words of the channel's shared buffer, as the kernel's side sees them. */
  words: Int32Array<ArrayBufferLike>;
}

/** Start a worker sandbox whose worker runs `body` (after PRELUDE, inside the init handler). */
export async function hostileWorkerSandbox(
  body: string,
  workerData: Record<string, unknown> = {},
  options: Partial<WorkerSandboxOptions> = {},
): Promise<HostileWorker> {
  const workers: Worker[] = [];
  const deaths: KeelError[] = [];
  let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  const pool = {
    acquire() {
      const worker = new Worker(`${PRELUDE}\n${body}\n});`, {
        eval: true,
        workerData: { ready: encoded({ op: 'ready', exports: ['f'], fuel: 0 }), ...workerData },
      });
      // The kernel's init carries the channel's buffer: kept for the test's host functions.
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message: { buffer: SharedArrayBuffer }, transfer?: readonly Transferable[]) => {
        words = new Int32Array(message.buffer, 0, 16);
        post(message, transfer as never);
      };
      workers.push(worker);
      return worker;
    },
    release(worker: Worker) {
      void worker.terminate();
    },
  } as unknown as WorkerPool;
  const sandbox = await WorkerSandbox.start({
    pool,
    modules: [],
    imports: {},
    meter: undefined,
    meterLimits: { memoryBytes: 1 << 20, tableElements: 100, growFailure: 'return-minus-one' },
    onLimit: () => {},
    maxCallBytes: 1 << 20,
    fuelPerByte: 2,
    handles: handleLimitCounter(100),
    handleLimit: 100,
    maxHostArgBytes: 1 << 20,
    callFuel: 0,
    onResourceLimit: () => {},
    exitGranted: false,
    deadlineMs: 20_000,
    deadlineExceeded: (name) => new KeelError('timeout', `${name} ran past its deadline`),
    onDeath: (error) => deaths.push(error),
    onThrownIntoGuest: () => {},
    ...options,
  });
  return { sandbox, workers, deaths, words };
}

/** The worker's script for one forged frame: it answers the kernel's first call with
 * `workerData.forged`, then sleeps. */
export const ANSWER_FORGED = `waitCall(); write(workerData.forged); Atomics.wait(words, 1, Atomics.load(words, 1), 60000);`;

/** The two ways the kernel waits for a worker: its thread blocked, or its event loop running. */
export const CALL_PATHS = ['callSync', 'call'] as const;

/** What calling the worker's export `f` by `path` failed with (undefined when it returned). */
export async function callFailure(
  sandbox: WorkerSandbox,
  path: (typeof CALL_PATHS)[number] = 'callSync',
): Promise<unknown> {
  if (path === 'call')
    return sandbox.call('f', []).then(
      () => undefined,
      (error: unknown) => error,
    );
  try {
    sandbox.callSync('f', []);
  } catch (error) {
    return error;
  }
  return undefined;
}

/** End the hostile workers the test started (the sandbox's kill only asks the pool). */
export async function endWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.terminate()));
}
