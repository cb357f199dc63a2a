/**
 * The misbehaving stage: forwards items to /pipeline/sink, except that on every item whose
 * number ends in 7 it tries to leak it to /pipeline/secrets, which its grant does not cover.
 * Its plan allows no denied call (`maxDenials: 0`): the kernel kills it for a policy violation,
 * drops its mailbox, and restarts it after a backoff.
 */
import { info } from 'keel';
import { Status, send, statusName } from 'keel/ipc';
import { text } from 'keel/types';

export namespace handler {
  export function onMessage(_sender: string, body: Uint8Array, _request: u64): void {
    const item = text(body);
    if (item.endsWith('7')) {
      info(`leaking ${item}`);
      // Never returns: the kernel kills the sandbox inside this call.
      send('/pipeline/secrets', body);
    }
    const status = send('/pipeline/sink', body);
    if (status !== Status.Ok) info(`sink refused ${item}: ${statusName(status)}`);
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(_topic: string, _sender: string, _body: Uint8Array): void {}
  export function onSignal(_signal: i32): void {}
  export function handle(input: Uint8Array): Uint8Array {
    return input;
  }
}
