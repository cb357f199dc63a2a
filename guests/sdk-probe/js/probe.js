// The SDK probe in plain JavaScript (docs/sdk-probe.md has the behaviour every language's
// probe follows). Built with `keel build guests/sdk-probe/js`: esbuild bundles it and
// componentize-js makes the component; keel-world.d.ts, written by the build, documents the
// imports and exports (an editor reads it; nothing checks a .js file against it).
import * as events from 'keel:kernel/events@0.2.0';
import * as ipc from 'keel:kernel/ipc@0.2.0';
import { log } from 'keel:kernel/log@0.2.0';
import { id } from 'keel:kernel/self@0.2.0';
import * as host from 'keel:sdk-probe/types@0.1.0';
import { getEnvironment } from 'wasi:cli/environment@0.2.0';
import { exitWithCode } from 'wasi:cli/exit@0.2.3';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.0';

const utf8 = new TextEncoder();
const text = (bytes) => new TextDecoder().decode(bytes);
const info = (message) => log('info', message);

/** `head rest` → ['head', 'rest']. */
const cut = (line) => {
  const at = line.indexOf(' ');
  return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
};

/** An import that returns `result<_, error-code>` throws its error as `payload`. */
const outcome = (call) => {
  try {
    const value = call();
    return value === undefined ? 'ok' : `id=${value}`;
  } catch (error) {
    return `err=${error.payload}`;
  }
};

/** Open `path` under the preopened directory that holds it (WASI paths are relative to one). */
const open = (path, openFlags, flags) => {
  for (const [dir, guest] of getDirectories()) {
    const prefix = `${guest.replace(/\/$/, '')}/`;
    if (path.startsWith(prefix)) return dir.openAt({}, path.slice(prefix.length), openFlags, flags);
  }
  throw new Error(`no preopened directory holds ${path}`);
};

const commands = {
  log: (arg) => {
    info(arg);
    return 'ok';
  },
  env: (name) => {
    const found = getEnvironment().find(([key]) => key === name);
    return found ? found[1] : '(unset)';
  },
  read: (path) => {
    try {
      const file = open(path, {}, { read: true });
      const chunks = [];
      for (let at = 0n; ; ) {
        const [bytes, end] = file.read(4096n, at);
        chunks.push(...bytes);
        at += BigInt(bytes.length);
        if (end || bytes.length === 0) return text(Uint8Array.from(chunks));
      }
    } catch {
      return '(no file)';
    }
  },
  write: (arg) => {
    const [path, contents] = cut(arg);
    try {
      const bytes = utf8.encode(contents);
      const file = open(path, { create: true, truncate: true }, { write: true });
      for (let done = 0; done < bytes.length; )
        done += Number(file.write(bytes.subarray(done), BigInt(done)));
      return 'ok';
    } catch {
      return '(cannot write)';
    }
  },
  send: (arg) => {
    const [to, body] = cut(arg);
    return outcome(() => ipc.send(to, utf8.encode(body)));
  },
  request: (arg) => {
    const [to, body] = cut(arg);
    return outcome(() => ipc.request(to, utf8.encode(body), 5000));
  },
  publish: (arg) => {
    const [topic, body] = cut(arg);
    return outcome(() => events.publish(topic, utf8.encode(body)));
  },
  subscribe: (pattern) => outcome(() => events.subscribe(pattern)),
  self: () => id(),
  counter: () => {
    const a = new host.Counter(5);
    const added = a.add(3);
    const b = new host.Counter(10);
    const merged = host.Counter.merge(a, b);
    const answer = `${added} ${merged.value()}`;
    // Dropped now rather than when the engine's garbage collector finds them.
    for (const counter of [a, b, merged]) counter[Symbol.dispose]();
    return answer;
  },
  exit: (status) => {
    exitWithCode(Number(status) & 0xff);
    return 'still here';
  },
  trap: () => {
    throw new Error('the probe traps on purpose');
  },
};

const run = (line) => {
  const [verb, arg] = cut(line);
  return Object.hasOwn(commands, verb) ? commands[verb](arg) : `unknown command: ${verb}`;
};

export const handler = {
  onMessage(sender, body, request) {
    info(`msg ${sender} ${text(body)}`);
    if (request === 0n) run(text(body));
    else ipc.reply(request, utf8.encode(`echo ${text(body)}`));
  },
  onReply: (_request, status, body) => info(`reply ${status} ${text(body)}`),
  onEvent: (topic, _sender, body) => info(`event ${topic} ${text(body)}`),
  onSignal: (signal) => info(`signal ${['stop', 'cont', 'int', 'term', 'kill'].indexOf(signal)}`),
  handle: (input) => utf8.encode(run(text(input))),
};

/** The guest's own counter (the exported resource). */
class Counter {
  constructor(start) {
    this.count = start;
  }
  add(n) {
    this.count = (this.count + n) >>> 0;
    return this.count;
  }
  value() {
    return this.count;
  }
  static merge(a, b) {
    return new Counter((a.count + b.count) >>> 0);
  }
}

// Each export is the host's import of the same name: the guest lifts the argument, lowers it to
// the host, lifts what came back and lowers it as its own result (four crossings per value).
export const types = {
  Counter,
  echoScalars: host.echoScalars,
  echoString: host.echoString,
  echoBytes: host.echoBytes,
  echoStrings: host.echoStrings,
  echoPoints: host.echoPoints,
  echoNested: host.echoNested,
  echoShape: host.echoShape,
  echoColor: host.echoColor,
  echoPerms: host.echoPerms,
  echoOption: host.echoOption,
  echoOptionOption: host.echoOptionOption,
  echoResult: host.echoResult,
  echoResultEmpty: host.echoResultEmpty,
  echoTuple: host.echoTuple,
  echoMany: host.echoMany,
};
