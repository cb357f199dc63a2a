/**
 * Bindings for `keel:kernel/self@0.2.0`: what a sandbox may know about itself. Linked without
 * a grant (it confers no authority).
 */
import { takeString } from "./abi";

// @ts-ignore: decorator
@external("keel:kernel/self@0.2.0", "id")
declare function idImport(result: usize): void;

// @ts-ignore: decorator
@external("keel:kernel/self@0.2.0", "fuel-left")
declare function fuelLeftImport(): u64;

const RESULT: usize = memory.data(8, 4);

/** This sandbox's id (`sbx_3`), as the kernel stamps it on what it sends. */
export function id(): string {
  idImport(RESULT);
  return takeString(<usize>load<u32>(RESULT), <usize>load<u32>(RESULT, 4));
}

/** Fuel left in the current delivery or invocation. */
export function fuelLeft(): u64 {
  return fuelLeftImport();
}
