// A Keel guest in AssemblyScript. Build it with `keel build` (docs/sdk-assemblyscript.md).
import { info } from 'keel';
import { publish } from 'keel/events';
import { reply } from 'keel/ipc';
import { bytes, Signal, text } from 'keel/types';

export namespace handler {
  /** A message: log it; answer a request with a greeting; publish that someone was greeted. */
  export function onMessage(sender: string, body: Uint8Array, request: u64): void {
    info(`message from ${sender}: ${text(body)}`);
    if (request != 0) reply(request, bytes(`hello, ${text(body)}`));
    publish('__NAME__.greeted', body);
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(_topic: string, _sender: string, _body: Uint8Array): void {}
  export function onSignal(signal: i32): void {
    if (signal == Signal.Term) info('terminating');
  }
  /** A direct call from the embedder: the input, greeted. */
  export function handle(input: Uint8Array): Uint8Array {
    return bytes(`hello, ${text(input)}`);
  }
}
