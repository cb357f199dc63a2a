/**
 * preview1's process functions: arguments and environment (`wasi:cli/environment`), clocks
 * (`wasi:clocks`), randomness (`wasi:random/random`), exit (`wasi:cli/exit`), and the ones Keel
 * refuses: `proc_raise` (ENOTSUP, as in Wasmtime) and the `sock_*` functions (no socket
 * descriptor can exist: EBADF for a closed descriptor, ENOTSOCK for any other, never a trap).
 */
import { chargeBytes } from '../provider.js';
import { FILL_RANDOM } from '../wasi-random.js';
import { CLOCK, E, ENUM_COUNT } from './abi.js';
import { errno } from './errno.js';
import { enumArg, fdArg, flagsArg, type Preview1State } from './state.js';

const NS = 1_000_000_000n;
const encoder = new TextEncoder();

/** `wasi:clocks/wall-clock.datetime` → nanoseconds (EOVERFLOW past u64). */
export function datetimeNs(time: { seconds: bigint; nanoseconds: number } | undefined): bigint {
  if (!time) return 0n;
  const ns = time.seconds * NS + BigInt(time.nanoseconds);
  if (ns >= 1n << 64n) throw errno(E.OVERFLOW);
  return ns;
}

/** NUL-terminated strings, encoded once per sandbox. */
function encodedList(values: () => string[]): () => { items: Uint8Array[]; total: number } {
  let cached: { items: Uint8Array[]; total: number } | undefined;
  return () => {
    if (!cached) {
      const items = values().map((v) => encoder.encode(`${v}\0`));
      cached = { items, total: items.reduce((n, b) => n + b.length, 0) };
    }
    return cached;
  };
}

/**
 * What an argument or environment variable `args_get` or `environ_get` writes out costs beyond
 * its bytes, in bytes' worth of `byte` (its pointer and its bytes written, each checked: about
 * 50 ns): a guest calling `environ_get` in a loop under a grant of 200 variables cost the host
 * 39x compute per unit of fuel at the price of a call.
 */
export const LISTED_ITEM_BYTES = 512;

/** The process functions of one sandbox: methods named as the preview1 functions. */
export class ProcessFunctions {
  #args: (() => { items: Uint8Array[]; total: number }) | undefined;
  #env: (() => { items: Uint8Array[]; total: number }) | undefined;

  constructor(readonly s: Preview1State) {}

  #environment(): Record<string, any> {
    return this.s.links.get('wasi:cli/environment')!;
  }

  #argList() {
    this.#args ??= encodedList(() => this.#environment().getArguments() as string[]);
    return this.#args();
  }

  #envList() {
    this.#env ??= encodedList(() =>
      (this.#environment().getEnvironment() as [string, string][]).map(([k, v]) => `${k}=${v}`),
    );
    return this.#env();
  }

  /** `args_get` / `environ_get`: the pointers array, then the bytes, each write checked. */
  #writeList(list: { items: Uint8Array[]; total: number }, ptrs: number, buf: number): number {
    // Every item is written out again on every call: priced before it is.
    chargeBytes(this.s.context, list.items.length * LISTED_ITEM_BYTES + list.total);
    const mem = this.s.mem;
    let at = buf >>> 0;
    let slot = ptrs >>> 0;
    for (const item of list.items) {
      mem.setU32(slot, at);
      mem.copyIn(at, item);
      slot += 4;
      at += item.length;
    }
    return 0;
  }

  #writeSizes(list: { items: Uint8Array[]; total: number }, count: number, size: number): number {
    this.s.mem.setU32(count, list.items.length);
    this.s.mem.setU32(size, list.total);
    return 0;
  }

  /** The clock a clock id names, if granted; CPU-time clocks are EBADF (as in Wasmtime). */
  #clock(id: number, op: string): { wall?: Record<string, any>; mono?: Record<string, any> } {
    const s = this.s;
    if (id === CLOCK.REALTIME) {
      const wall = s.links.get('wasi:clocks/wall-clock');
      return wall ? { wall } : s.notCapable('wasi:clocks/wall-clock', op);
    }
    if (id === CLOCK.MONOTONIC) {
      const mono = s.links.get('wasi:clocks/monotonic-clock');
      return mono ? { mono } : s.notCapable('wasi:clocks/monotonic-clock', op);
    }
    throw errno(E.BADF);
  }

  args_get(argv: number, argvBuf: number): number {
    return this.#writeList(this.#argList(), argv, argvBuf);
  }
  args_sizes_get(count: number, size: number): number {
    return this.#writeSizes(this.#argList(), count, size);
  }
  environ_get(environ: number, environBuf: number): number {
    return this.#writeList(this.#envList(), environ, environBuf);
  }
  environ_sizes_get(count: number, size: number): number {
    return this.#writeSizes(this.#envList(), count, size);
  }

  clock_res_get(id: number, result: number): number {
    const c = this.#clock(enumArg(id, ENUM_COUNT.clockid, 32), 'clock_res_get');
    const res = c.wall ? datetimeNs(c.wall.resolution()) : BigInt(c.mono!.resolution());
    this.s.mem.setU64(result, res);
    return 0;
  }
  clock_time_get(id: number, _precision: bigint, result: number): number {
    const c = this.#clock(enumArg(id, ENUM_COUNT.clockid, 32), 'clock_time_get');
    const now = c.wall ? datetimeNs(c.wall.now()) : BigInt(c.mono!.now());
    this.s.mem.setU64(result, now);
    return 0;
  }

  random_get(buf: number, length: number): number {
    // Checked before the bytes are made: a bad range never costs the host the randomness.
    const target = this.s.mem.view(buf, length);
    const random = this.s.links.get('wasi:random/random')!;
    // Keel's provider makes the bytes in the guest's memory; an embedder's returns a list.
    const fill = (random as Record<PropertyKey, unknown>)[FILL_RANDOM] as
      | ((target: Uint8Array) => void)
      | undefined;
    if (fill) fill(target);
    else this.s.mem.copyIn(buf, random.getRandomBytes(BigInt(length >>> 0)) as Uint8Array);
    return 0;
  }

  proc_exit(code: number): never {
    const status = code >>> 0;
    // As in Wasmtime: statuses past 125 are not valid WASI exit statuses.
    if (status >= 126) throw this.s.mem.trap(`exit with invalid exit status ${status} outside of [0..126)`);
    return this.s.links.get('wasi:cli/exit')!.exitWithCode(status) as never;
  }
  proc_raise(signal: number): number {
    enumArg(signal, ENUM_COUNT.signal, 8);
    throw errno(E.NOTSUP);
  }
  sched_yield(): number {
    return 0;
  }

  sock_accept(fd: number, flags: number, _result: number): number {
    flagsArg(flags, 'fdflags');
    return notSocket(this.s, fd);
  }
  sock_recv(fd: number, _data: number, _len: number, flags: number, _n: number, _oflags: number): number {
    flagsArg(flags, 'riflags');
    return notSocket(this.s, fd);
  }
  sock_send(fd: number, _data: number, _len: number, _flags: number, _n: number): number {
    return notSocket(this.s, fd);
  }
  sock_shutdown(fd: number, how: number): number {
    flagsArg(how, 'sdflags');
    return notSocket(this.s, fd);
  }
}

/** No descriptor is ever a socket: EBADF if it does not exist, else ENOTSOCK. */
function notSocket(s: Preview1State, fd: number): never {
  s.fds.get(fdArg(fd));
  throw errno(E.NOTSOCK);
}
