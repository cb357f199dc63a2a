/**
 * The pipeline's second stage: upper-cases each item, forwards it to /pipeline/flaky, and
 * publishes its progress on `pipeline.progress` every 5 items.
 */
import { warn } from 'keel';
import { publish } from 'keel/events';
import { Status, send, statusName } from 'keel/ipc';
import { bytes, text } from 'keel/types';

let done: u32 = 0;

export namespace handler {
  export function onMessage(_sender: string, body: Uint8Array, _request: u64): void {
    const item = text(body).toUpperCase();
    const status = send('/pipeline/flaky', bytes(item));
    if (status !== Status.Ok) warn(`flaky refused ${item}: ${statusName(status)}`);
    done++;
    if (done % 5 === 0) publish('pipeline.progress', bytes(`upper: ${done.toString()} items`));
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(_topic: string, _sender: string, _body: Uint8Array): void {}
  export function onSignal(_signal: i32): void {}
  export function handle(_input: Uint8Array): Uint8Array {
    return bytes(done.toString());
  }
}
