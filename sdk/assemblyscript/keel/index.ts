/**
 * Keel's AssemblyScript SDK: write guests against Keel's WIT.
 *
 * ```ts
 * import { info } from "keel";
 *
 * export function greet(name: string): string {
 *   info("greeting " + name);
 *   return "Hello, " + name + "!";
 * }
 * ```
 *
 * `keel/abi` holds the canonical-ABI helpers the generated bindings use.
 */
export { Level, log, trace, debug, info, warn, error } from "./log";
