// A Keel guest in TypeScript. Build it with `keel build` (type check, esbuild, componentize-js;
// docs/sdk-js.md). keel-world.d.ts, written by the build, types the imports and the exports.
import { publish } from 'keel:kernel/events@0.2.0';
import { reply } from 'keel:kernel/ipc@0.2.0';
import { log } from 'keel:kernel/log@0.2.0';
import type { Exports } from 'keel:world';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const handler: Exports['handler'] = {
  /** A message: log it; answer a request with a greeting; publish that someone was greeted. */
  onMessage(sender, body, request) {
    log('info', `message from ${sender}: ${decoder.decode(body)}`);
    if (request !== 0n) reply(request, encoder.encode(`hello, ${decoder.decode(body)}`));
    publish('__NAME__.greeted', body);
  },
  onReply(_request, _status, _body) {},
  onEvent(_topic, _sender, _body) {},
  onSignal(signal) {
    if (signal === 'term') log('info', 'terminating');
  },
  /** A direct call from the embedder: the input, greeted. */
  handle(input) {
    return encoder.encode(`hello, ${decoder.decode(input)}`);
  },
};
