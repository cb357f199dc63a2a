/**
 * The pipeline's source: `start <n>` sends n items ("item 0" … "item n-1") to the next stage,
 * /pipeline/upper. It stops at the first refusal and says so.
 */
import { info, warn } from 'keel';
import { Status, send, statusName } from 'keel/ipc';
import { bytes, text } from 'keel/types';

export namespace handler {
  export function onMessage(sender: string, body: Uint8Array, _request: u64): void {
    const words = text(body).split(' ');
    if (words.length !== 2 || words[0] !== 'start') {
      warn(`unknown command from ${sender}: ${text(body)}`);
      return;
    }
    const n = <i32>parseInt(words[1], 10);
    let sent = 0;
    for (; sent < n; sent++) {
      const status = send('/pipeline/upper', bytes(`item ${sent.toString()}`));
      if (status !== Status.Ok) {
        warn(`upper refused item ${sent.toString()}: ${statusName(status)}`);
        break;
      }
    }
    info(`sent ${sent.toString()} items`);
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(_topic: string, _sender: string, _body: Uint8Array): void {}
  export function onSignal(_signal: i32): void {}
  export function handle(input: Uint8Array): Uint8Array {
    return input;
  }
}
