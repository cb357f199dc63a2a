/** The probe, version 1 (see probe.ts for its commands). */
import * as probe from './probe';

export namespace handler {
  export function onMessage(sender: string, body: Uint8Array, request: u64): void {
    probe.onMessage('v1', sender, body, request);
  }
  export function onReply(request: u64, status: i32, body: Uint8Array): void {
    probe.onReply('v1', request, status, body);
  }
  export function onEvent(topic: string, sender: string, body: Uint8Array): void {
    probe.onEvent('v1', topic, sender, body);
  }
  export function onSignal(signal: i32): void {
    probe.onSignal('v1', signal);
  }
  export function handle(input: Uint8Array): Uint8Array {
    return probe.handle('v1', input);
  }
}
