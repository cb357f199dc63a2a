// The SDK probe in TypeScript (docs/sdk-probe.md has the behaviour every language's probe
// follows). Built with `keel build guests/sdk-probe/ts`: keel-world.d.ts types every import and
// export below, tsc checks them, esbuild bundles, componentize-js makes the component.

import { publish, subscribe } from 'keel:kernel/events@0.2.0';
import { reply, request, send } from 'keel:kernel/ipc@0.2.0';
import { log } from 'keel:kernel/log@0.2.0';
import { id } from 'keel:kernel/self@0.2.0';
import * as host from 'keel:sdk-probe/types@0.1.0';
import type { Exports } from 'keel:world';
import { getEnvironment } from 'wasi:cli/environment@0.2.0';
import { exitWithCode } from 'wasi:cli/exit@0.2.3';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.0';
import type { Descriptor } from 'wasi:filesystem/types@0.2.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SIGNALS = ['stop', 'cont', 'int', 'term', 'kill'] as const;

/** An import's `result` error arrives as a thrown ComponentError carrying `payload`. */
function status(call: () => unknown): string {
  try {
    const value = call();
    return typeof value === 'bigint' ? `id=${value}` : 'ok';
  } catch (error) {
    return `err=${String((error as { payload?: unknown }).payload ?? error)}`;
  }
}

function split(text: string): [string, string] {
  const space = text.indexOf(' ');
  return space < 0 ? [text, ''] : [text.slice(0, space), text.slice(space + 1)];
}

/** The preopened directory holding `path`, and the path relative to it. */
function locate(path: string): [Descriptor, string] | undefined {
  for (const [dir, guest] of getDirectories()) {
    const prefix = guest.endsWith('/') ? guest : `${guest}/`;
    if (path.startsWith(prefix)) return [dir, path.slice(prefix.length)];
  }
  return undefined;
}

function readFile(path: string): string {
  try {
    const found = locate(path);
    if (!found) return '(no file)';
    const file = found[0].openAt({}, found[1], {}, { read: true });
    const chunks: Uint8Array[] = [];
    let offset = 0n;
    for (;;) {
      const [bytes, end] = file.read(65536n, offset);
      chunks.push(bytes);
      offset += BigInt(bytes.length);
      if (end || bytes.length === 0) break;
    }
    const whole = new Uint8Array(Number(offset));
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    return decoder.decode(whole);
  } catch {
    return '(no file)';
  }
}

function writeFile(path: string, text: string): string {
  try {
    const found = locate(path);
    if (!found) return '(cannot write)';
    const file = found[0].openAt({}, found[1], { create: true, truncate: true }, { write: true });
    const bytes = encoder.encode(text);
    let offset = 0n;
    while (offset < BigInt(bytes.length)) offset += file.write(bytes.subarray(Number(offset)), offset);
    return 'ok';
  } catch {
    return '(cannot write)';
  }
}

function counter(): string {
  const a = new host.Counter(5);
  const added = a.add(3);
  const b = new host.Counter(10);
  const merged = host.Counter.merge(a, b);
  return `${added} ${merged.value()}`;
}

function run(command: string): string {
  const [verb, arg] = split(command);
  switch (verb) {
    case 'log':
      log('info', arg);
      return 'ok';
    case 'env':
      return getEnvironment().find(([name]) => name === arg)?.[1] ?? '(unset)';
    case 'read':
      return readFile(arg);
    case 'write': {
      const [path, text] = split(arg);
      return writeFile(path, text);
    }
    case 'send': {
      const [to, text] = split(arg);
      return status(() => send(to, encoder.encode(text)));
    }
    case 'request': {
      const [to, text] = split(arg);
      return status(() => request(to, encoder.encode(text), 5000));
    }
    case 'publish': {
      const [topic, text] = split(arg);
      return status(() => publish(topic, encoder.encode(text)));
    }
    case 'subscribe':
      return status(() => subscribe(arg));
    case 'self':
      return id();
    case 'counter':
      return counter();
    case 'exit':
      exitWithCode(Number.parseInt(arg, 10) & 0xff);
      return 'exited';
    case 'trap':
      throw new Error('the probe traps on purpose');
    default:
      return `unknown command: ${verb}`;
  }
}

export const handler: Exports['handler'] = {
  onMessage(sender, body, requestId) {
    const text = decoder.decode(body);
    log('info', `msg ${sender} ${text}`);
    if (requestId !== 0n) reply(requestId, encoder.encode(`echo ${text}`));
    else run(text);
  },
  onReply(_request, replyStatus, body) {
    log('info', `reply ${replyStatus} ${decoder.decode(body)}`);
  },
  onEvent(topic, _sender, body) {
    log('info', `event ${topic} ${decoder.decode(body)}`);
  },
  onSignal(signal) {
    log('info', `signal ${SIGNALS.indexOf(signal)}`);
  },
  handle(input) {
    return encoder.encode(run(decoder.decode(input)));
  },
};

/** The guest's own counter (the exported resource). */
class Counter {
  #value: number;
  constructor(start: number) {
    this.#value = start;
  }
  add(n: number): number {
    this.#value = (this.#value + n) >>> 0;
    return this.#value;
  }
  value(): number {
    return this.#value;
  }
  static merge(a: Counter, b: Counter): Counter {
    return new Counter((a.value() + b.value()) >>> 0);
  }
}

// Every export hands its argument to the host's import of the same function and returns what
// came back (the exported and imported types have the same shape).
export const types: Exports['types'] = {
  Counter,
  echoScalars: (v) => host.echoScalars(v),
  echoString: (v) => host.echoString(v),
  echoBytes: (v) => host.echoBytes(v),
  echoStrings: (v) => host.echoStrings(v),
  echoPoints: (v) => host.echoPoints(v),
  echoNested: (v) => host.echoNested(v),
  echoShape: (v) => host.echoShape(v),
  echoColor: (v) => host.echoColor(v),
  echoPerms: (v) => host.echoPerms(v),
  echoOption: (v) => host.echoOption(v),
  echoOptionOption: (v) => host.echoOptionOption(v),
  echoResult: (v) => host.echoResult(v),
  echoResultEmpty: (v) => host.echoResultEmpty(v),
  echoTuple: (v) => host.echoTuple(v),
  echoMany: (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q) =>
    host.echoMany(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q),
};
