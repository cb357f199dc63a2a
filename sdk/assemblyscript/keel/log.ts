/**
 * Bindings for `keel:kernel/log` (0.2.0, and 0.1.0 for guests built against it): the guest's structured log. Each call becomes one
 * `guest:log` event on the kernel's bus. The import must be granted (`keel:kernel/log`), or the
 * spawn fails with `capability-denied`.
 *
 * Do not log from top-level statements: they run while the module is being instantiated,
 * before the host can read the guest's memory.
 */
import { freeString, storeString } from "./abi";

/** Severity, lowest first: the WIT enum `keel:kernel/log.level`. */
export enum Level {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
}

// @ts-ignore: decorator
@external("keel:kernel/log@0.2.0", "log")
declare function logImport(level: i32, messagePtr: usize, messageLen: usize): void;

/** Where the message's `(ptr, len)` is lowered; a static area needs no allocation. */
const MESSAGE: usize = memory.data(8, 4);

/** Record one message at a level. */
export function log(level: Level, message: string): void {
  storeString(MESSAGE, message);
  logImport(<i32>level, <usize>load<u32>(MESSAGE), <usize>load<u32>(MESSAGE, 4));
  freeString(MESSAGE);
}

export function trace(message: string): void {
  log(Level.Trace, message);
}

export function debug(message: string): void {
  log(Level.Debug, message);
}

export function info(message: string): void {
  log(Level.Info, message);
}

export function warn(message: string): void {
  log(Level.Warn, message);
}

export function error(message: string): void {
  log(Level.Error, message);
}
