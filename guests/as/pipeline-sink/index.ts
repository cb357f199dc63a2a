/**
 * The pipeline's sink: counts the items it receives, logs progress events (its plan subscribes
 * it to `pipeline.*`) and the kernel's notices about the stage it is linked to, and reports its
 * total when it is told to terminate.
 */
import { info, warn } from 'keel';
import { Signal, text } from 'keel/types';

let items: u32 = 0;

export namespace handler {
  export function onMessage(_sender: string, body: Uint8Array, _request: u64): void {
    items++;
    info(`got ${text(body)}`);
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(topic: string, _sender: string, body: Uint8Array): void {
    if (topic === 'keel.down') warn(`linked stage went down: ${text(body)}`);
    else info(`${topic}: ${text(body)}`);
  }
  export function onSignal(signal: i32): void {
    if (signal === Signal.Term) info(`terminating after ${items.toString()} items`);
  }
  export function handle(_input: Uint8Array): Uint8Array {
    return Uint8Array.wrap(String.UTF8.encode(items.toString()));
  }
}
