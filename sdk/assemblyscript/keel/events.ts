/**
 * Bindings for `keel:kernel/events@0.2.0`: publish and subscribe on topics. Needs the
 * `keel:kernel/events` grant with a scope: `{ "publish": ["jobs.*"], "subscribe": ["stats.**"] }`.
 *
 * ```ts
 * import { publish, subscribe, bytes } from "keel/events";
 *
 * subscribe("stats.**");                        // events arrive at handler.onEvent
 * publish("jobs.done", bytes("42"));
 * ```
 */
import { freeString, storeString } from "./abi";
import { Status } from "./types";

export { Status, bytes, text, statusName } from "./types";

// @ts-ignore: decorator
@external("keel:kernel/events@0.2.0", "publish")
declare function publishImport(topicPtr: usize, topicLen: usize, bodyPtr: usize, bodyLen: usize, result: usize): void;

// @ts-ignore: decorator
@external("keel:kernel/events@0.2.0", "subscribe")
declare function subscribeImport(patternPtr: usize, patternLen: usize, result: usize): void;

// @ts-ignore: decorator
@external("keel:kernel/events@0.2.0", "unsubscribe")
declare function unsubscribeImport(patternPtr: usize, patternLen: usize): void;

const NAME: usize = memory.data(8, 4);
const RESULT: usize = memory.data(8, 4);

function unitResult(): Status {
  return load<u8>(RESULT) == 0 ? Status.Ok : <Status>(<i32>load<u8>(RESULT, 1) + 1);
}

/** Queue `body` for every subscriber of `topic` (`jobs.done`). */
export function publish(topic: string, body: Uint8Array): Status {
  storeString(NAME, topic);
  publishImport(<usize>load<u32>(NAME), <usize>load<u32>(NAME, 4), body.dataStart, <usize>body.length, RESULT);
  freeString(NAME);
  return unitResult();
}

/** Receive events on topics matching `pattern` (`jobs.*`, `stats.**`). */
export function subscribe(pattern: string): Status {
  storeString(NAME, pattern);
  subscribeImport(<usize>load<u32>(NAME), <usize>load<u32>(NAME, 4), RESULT);
  freeString(NAME);
  return unitResult();
}

/** Stop receiving events for a pattern given to `subscribe`. */
export function unsubscribe(pattern: string): void {
  storeString(NAME, pattern);
  unsubscribeImport(<usize>load<u32>(NAME), <usize>load<u32>(NAME, 4));
  freeString(NAME);
}
