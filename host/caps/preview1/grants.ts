/**
 * Which WASI 0.2 grants each preview1 function draws on. One grant serves both ABIs: a sandbox
 * granted `wasi:cli/environment` sees the same arguments through `args_get` as through
 * `wasi:cli/environment.get-arguments`.
 *
 * - `needs`: the function is usable only with one of these granted (any one). Without, spawn
 *   fails with `capability-denied` (or, with lazy denial, the call answers ENOTCAPABLE).
 * - `uses`: linked when granted, never required. Descriptor functions (`fd_*`, `path_*`,
 *   `poll_oneoff`, `sock_*`) are authority-free: the descriptor is the capability, and
 *   descriptors exist only for what was granted (fd 0, 1, 2 for `wasi:cli/stdin`, `stdout`,
 *   `stderr`; fd 3 and up for the preopens of `wasi:filesystem/preopens`). Using one that does not
 *   exist is EBADF, exactly as for a closed descriptor in Wasmtime.
 */

const ENVIRONMENT = ['wasi:cli/environment'];
const CLOCKS = ['wasi:clocks/wall-clock', 'wasi:clocks/monotonic-clock'];
/** What the descriptor table is built from. */
export const DESCRIPTOR_SOURCES = [
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:filesystem/preopens',
] as const;

export interface Preview1Grant {
  readonly needs: readonly string[];
  readonly uses: readonly string[];
}

const needs = (...ifaces: string[][]): Preview1Grant => ({ needs: ifaces.flat(), uses: [] });
const descriptors: Preview1Grant = { needs: [], uses: DESCRIPTOR_SOURCES };
const free: Preview1Grant = { needs: [], uses: [] };

export const PREVIEW1_GRANTS: Readonly<Record<string, Preview1Grant>> = {
  args_get: needs(ENVIRONMENT),
  args_sizes_get: needs(ENVIRONMENT),
  environ_get: needs(ENVIRONMENT),
  environ_sizes_get: needs(ENVIRONMENT),
  clock_res_get: needs(CLOCKS),
  clock_time_get: needs(CLOCKS),
  random_get: needs(['wasi:random/random']),
  proc_exit: needs(['wasi:cli/exit']),
  // A clock subscription needs its clock's grant (its event then carries ENOTCAPABLE).
  poll_oneoff: { needs: [], uses: [...DESCRIPTOR_SOURCES, ...CLOCKS] },
  proc_raise: free,
  sched_yield: free,
};

/** The grants of one preview1 function (descriptor functions by default). */
export function preview1Grant(name: string): Preview1Grant {
  return PREVIEW1_GRANTS[name] ?? descriptors;
}
