/**
 * One sandbox's preview1 state: its descriptor table, its view of guest memory, and the WASI 0.2
 * capabilities it was granted (linked by the kernel from the same providers and grants as a
 * component's imports). Nothing here is global and nothing lives in guest memory.
 */
import { EVENTS } from '../../events/names.js';
import type { SandboxContext } from '../provider.js';
import type { Descriptor } from '../wasi-filesystem.js';
import type { InputStream, OutputStream } from '../wasi-io.js';
import { E, FLAGS } from './abi.js';
import { errno } from './errno.js';
import { type DirEntry, FdTable } from './fds.js';
import { GuestMemory } from './memory.js';

/**
 * The WASI 0.2 interfaces a sandbox was granted, as their providers link them. `get` returns
 * undefined for an interface that was not granted; the provider links it on first use.
 */
export interface Preview1Links {
  get(iface: string): Record<string, any> | undefined;
}

/** Denials reported as events per sandbox (a guest retrying in a loop must not flood the log). */
const MAX_DENIAL_EVENTS = 64;

/**
 * Listings `fd_readdir` keeps per sandbox, its most recent ones (a walk of a tree as deep reads
 * each level on without listing it again). Each holds every entry of its directory, about 270
 * bytes of host heap an entry: kept on every descriptor, 255 listings of 1,000 entries held
 * 68 MB (hostile/preview1/readdir-kept-listings-held), of a guest's 10,000 files 685 MB.
 */
export const KEPT_LISTINGS = 4;

export class Preview1State {
  readonly mem: GuestMemory;
  #fds: FdTable | undefined;
  #denials = 0;
  /** The descriptors whose listings are kept (`KEPT_LISTINGS` at most), the most recent last. */
  readonly #kept: DirEntry[] = [];

  constructor(
    readonly context: SandboxContext,
    readonly links: Preview1Links,
  ) {
    this.mem = new GuestMemory(context);
    context.onEnd(() => this.#fds?.clear());
  }

  /** The descriptor table, built on first use from the granted stdio and preopens (as Wasmtime does). */
  get fds(): FdTable {
    if (!this.#fds) this.#fds = this.#init();
    return this.#fds;
  }

  #init(): FdTable {
    const fds = new FdTable();
    const stdin = this.links.get('wasi:cli/stdin');
    if (stdin) fds.place(0, { kind: 'stdin', stream: stdin.getStdin() as InputStream });
    const stdout = this.links.get('wasi:cli/stdout');
    if (stdout) fds.place(1, { kind: 'stdout', stream: stdout.getStdout() as OutputStream });
    const stderr = this.links.get('wasi:cli/stderr');
    if (stderr) fds.place(2, { kind: 'stderr', stream: stderr.getStderr() as OutputStream });
    const preopens = this.links.get('wasi:filesystem/preopens');
    for (const [desc, guest] of (preopens?.getDirectories() ?? []) as [Descriptor, string][]) {
      fds.push({ kind: 'dir', desc, preopen: guest });
    }
    return fds;
  }

  /** `dir`'s listing is kept: the least recent beyond `KEPT_LISTINGS` is dropped (listed again if read on). */
  keepListing(dir: DirEntry): void {
    const kept = this.#kept;
    const at = kept.indexOf(dir);
    if (at >= 0) kept.splice(at, 1);
    kept.push(dir);
    if (kept.length > KEPT_LISTINGS) kept.shift()!.listing = undefined;
  }

  /** A capability this call needs was not granted: ENOTCAPABLE, reported as an event. */
  notCapable(iface: string, op: string): never {
    if (this.#denials++ < MAX_DENIAL_EVENTS) {
      this.context.emit({
        event: EVENTS.capabilityDenied,
        level: 'warn',
        status: 'denied',
        data: { interface: iface, at: 'call', op, reason: 'not-granted' },
      });
    }
    throw errno(E.NOTCAPABLE);
  }
}

/** `fd` (u32). */
export function fdArg(value: number): number {
  return value >>> 0;
}

/** A flags argument: truncated to its width, any undefined bit is EINVAL (as wiggle decodes). */
export function flagsArg(value: number, type: keyof typeof FLAGS): number {
  const { bits, valid } = FLAGS[type];
  const v = bits === 32 ? value >>> 0 : value & ((1 << bits) - 1);
  if ((v & ~valid) !== 0) throw errno(E.INVAL);
  return v;
}

/** An enum argument of `width` bits with `count` values: truncated, then EINVAL past the last. */
export function enumArg(value: number, count: number, width: 8 | 32): number {
  const v = width === 8 ? value & 0xff : value >>> 0;
  if (v >= count) throw errno(E.INVAL);
  return v;
}

/** A u64 argument (an i64 from the guest). */
export function u64Arg(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}
