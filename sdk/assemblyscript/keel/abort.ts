/**
 * AssemblyScript's `abort` (failed assertions, out-of-bounds accesses, `throw`) for guests that
 * import `keel:kernel/log`: the message goes to the log at level `error`, then the guest traps
 * with `unreachable`, which the kernel reports as `trap`. Selected by the build
 * (`--use abort=~lib/keel/abort/keelAbort`) when the guest's world imports the log; other
 * guests trap without a message.
 */
import { Level, log } from "./log";

let aborting = false;

export function keelAbort(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  // An abort while reporting an abort (say, out of memory) must not recurse.
  if (!aborting) {
    aborting = true;
    const what = message !== null ? message : "abort";
    const where = fileName !== null ? fileName : "?";
    log(Level.Error, "abort: " + what + " at " + where + ":" + line.toString() + ":" + column.toString());
  }
  unreachable();
}
