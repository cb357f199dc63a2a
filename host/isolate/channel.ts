/**
 * The syscall channel between a worker sandbox and the kernel's thread: one MessageChannel for
 * the data, and two shared words that say "there is something for you" in each direction, so
 * that either side can also wait for the other synchronously (`Atomics.wait`) and take messages
 * with `receiveMessageOnPort` without going through its event loop.
 *
 * The worker is synchronous where the guest runs: a host call posts the request, bumps the
 * kernel's word and sleeps on its own until the reply is there. The kernel answers from its
 * event loop (a listener on its port, so a host function may even be asynchronous), or, while
 * it is itself blocked in a synchronous call into the worker, from the loop of that wait.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';

/** Word 0: bumped after each message to the kernel; word 1: after each message to the worker. */
export const KERNEL_WORD = 0;
export const WORKER_WORD = 1;

export function channelWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Post `message` on `port` and wake whoever waits on `word`. */
export function post(port: MessagePort, words: Int32Array, word: number, message: unknown): void {
  port.postMessage(message);
  Atomics.add(words, word, 1);
  Atomics.notify(words, word);
}

/**
 * Take the next message from `port`, sleeping on `word` until one comes or `deadline`
 * (`performance.now()` milliseconds) passes; undefined on timeout.
 */
export function receive(
  port: MessagePort,
  words: Int32Array,
  word: number,
  deadline = Number.POSITIVE_INFINITY,
): unknown {
  for (;;) {
    // Read the word before looking: a message posted between the look and the wait changes the
    // word, and the wait then returns at once.
    const seen = Atomics.load(words, word);
    const message = receiveMessageOnPort(port);
    if (message) return message.message;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    Atomics.wait(words, word, seen, Number.isFinite(left) ? left : undefined);
  }
}
