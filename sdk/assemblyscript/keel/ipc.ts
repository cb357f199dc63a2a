/**
 * Bindings for `keel:kernel/ipc@0.2.0`: messages between sandboxes, through the kernel. Needs
 * the `keel:kernel/ipc` grant with a scope naming the peers (`{ "peers": ["/pipeline/*"] }`).
 *
 * ```ts
 * import { send, request, reply, Status, bytes } from "keel/ipc";
 *
 * if (send("/pipeline/sink", bytes("hello")) != Status.Ok) warn("sink is busy");
 * const id = request("/kv", bytes("get a"), 500); // outcome arrives at handler.onReply(id, ...)
 * ```
 *
 * Every call returns (or records) a `Status`; `lastStatus()` is the status of the latest call.
 */
import { freeString, storeString } from "./abi";
import { Status } from "./types";

export { Status, bytes, text, statusName } from "./types";

// @ts-ignore: decorator
@external("keel:kernel/ipc@0.2.0", "send")
declare function sendImport(toPtr: usize, toLen: usize, bodyPtr: usize, bodyLen: usize, result: usize): void;

// @ts-ignore: decorator
@external("keel:kernel/ipc@0.2.0", "request")
declare function requestImport(
  toPtr: usize,
  toLen: usize,
  bodyPtr: usize,
  bodyLen: usize,
  timeoutMs: u32,
  result: usize,
): void;

// @ts-ignore: decorator
@external("keel:kernel/ipc@0.2.0", "reply")
declare function replyImport(request: u64, bodyPtr: usize, bodyLen: usize, result: usize): void;

/** Where a target's `(ptr, len)` is lowered. */
const TARGET: usize = memory.data(8, 4);
/**
 * Where the host writes a `result`: the case at offset 0 (0 ok, 1 error); an `error-code` at
 * offset 1 for `result<_, error-code>`, or the payload at offset 8 for `result<u64, error-code>`.
 */
const RESULT: usize = memory.data(16, 8);

let last: Status = Status.Ok;

/** The status of the latest call of this module's functions. */
export function lastStatus(): Status {
  return last;
}

/** Read a `result<_, error-code>` from RESULT. */
function unitResult(): Status {
  last = load<u8>(RESULT) == 0 ? Status.Ok : <Status>(<i32>load<u8>(RESULT, 1) + 1);
  return last;
}

/** Queue `body` for `to`: a sandbox id (`sbx_3`) or a mount path (`/pipeline/sink`). */
export function send(to: string, body: Uint8Array): Status {
  storeString(TARGET, to);
  sendImport(<usize>load<u32>(TARGET), <usize>load<u32>(TARGET, 4), body.dataStart, <usize>body.length, RESULT);
  freeString(TARGET);
  return unitResult();
}

/**
 * Queue a request for `to`; returns its id (never 0), or 0 when it was refused (see
 * `lastStatus()`). The outcome arrives at `handler.onReply` with that id: the reply, a timeout
 * after `timeoutMs` (0: the kernel's default), or `Killed` if the target ended first.
 */
export function request(to: string, body: Uint8Array, timeoutMs: u32 = 0): u64 {
  storeString(TARGET, to);
  requestImport(
    <usize>load<u32>(TARGET),
    <usize>load<u32>(TARGET, 4),
    body.dataStart,
    <usize>body.length,
    timeoutMs,
    RESULT,
  );
  freeString(TARGET);
  if (load<u8>(RESULT) == 0) {
    last = Status.Ok;
    return load<u64>(RESULT, 8);
  }
  last = <Status>(<i32>load<u8>(RESULT, 8) + 1);
  return 0;
}

/** Answer a request this sandbox received (its non-zero `request` id in `onMessage`). */
export function reply(request: u64, body: Uint8Array): Status {
  replyImport(request, body.dataStart, <usize>body.length, RESULT);
  return unitResult();
}
