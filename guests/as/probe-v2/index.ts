/** The probe, version 2, for upgrade tests (see probe.ts for its commands). */
import * as probe from '../probe/probe';

export namespace handler {
  export function onMessage(sender: string, body: Uint8Array, request: u64): void {
    probe.onMessage('v2', sender, body, request);
  }
  export function onReply(request: u64, status: i32, body: Uint8Array): void {
    probe.onReply('v2', request, status, body);
  }
  export function onEvent(topic: string, sender: string, body: Uint8Array): void {
    probe.onEvent('v2', topic, sender, body);
  }
  export function onSignal(signal: i32): void {
    probe.onSignal('v2', signal);
  }
  export function handle(input: Uint8Array): Uint8Array {
    return probe.handle('v2', input);
  }
}
