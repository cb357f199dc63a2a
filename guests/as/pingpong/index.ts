/**
 * The IPC benchmark's guest. Messages from the host set a role:
 *
 *   start <peer> <n> <window>   ping-pong: keep `window` messages in flight to `peer` until
 *                               `n` have come back, then log "done <n>"
 *   stream <peer> <n>           send `n` messages to `peer` in a row (stops when refused)
 *   serve | sink                echo what peers send, or just count it (the default)
 *
 * A message from a sandbox is a pong when this sandbox is a client; otherwise it is echoed back
 * (serve) or counted (sink).
 * Nothing is logged per message, so that the benchmark measures the kernel, not the log.
 */
import { info } from 'keel';
import { Status, send } from 'keel/ipc';
import { bytes, text } from 'keel/types';

const PAYLOAD = bytes('0123456789abcdef');
let peer = '';
let target: u32 = 0;
let sent: u32 = 0;
let received: u32 = 0;
let echo = false;

export namespace handler {
  export function onMessage(sender: string, body: Uint8Array, _request: u64): void {
    if (sender === 'host') {
      const words = text(body).split(' ');
      if (words[0] === 'start') {
        peer = words[1];
        target = <u32>parseInt(words[2], 10);
        const window = <u32>parseInt(words[3], 10);
        sent = 0;
        received = 0;
        while (sent < window && sent < target) {
          if (send(peer, PAYLOAD) !== Status.Ok) break;
          sent++;
        }
      } else if (words[0] === 'serve' || words[0] === 'sink') {
        echo = words[0] === 'serve';
      } else if (words[0] === 'stream') {
        const n = <u32>parseInt(words[2], 10);
        for (let i: u32 = 0; i < n; i++) if (send(words[1], PAYLOAD) !== Status.Ok) break;
      }
      return;
    }
    if (target === 0) {
      received++;
      if (echo) send(sender, body);
      return;
    }
    received++;
    if (sent < target) {
      send(peer, body);
      sent++;
    }
    if (received === target) {
      info(`done ${received.toString()}`);
      target = 0;
    }
  }
  export function onReply(_request: u64, _status: i32, _body: Uint8Array): void {}
  export function onEvent(_topic: string, _sender: string, _body: Uint8Array): void {}
  export function onSignal(_signal: i32): void {}
  export function handle(_input: Uint8Array): Uint8Array {
    return bytes(received.toString());
  }
}
