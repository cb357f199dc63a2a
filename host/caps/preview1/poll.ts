/**
 * `poll_oneoff`: wait until one of the subscriptions is ready, as Wasmtime's preview1 does over
 * WASI 0.2 pollables. Clock subscriptions wait on the sandbox's monotonic clock (a realtime
 * deadline is converted with the wall clock); each needs its clock's grant, else its event
 * carries ENOTCAPABLE at once. Descriptor subscriptions are always ready in Keel (files never
 * block; a streamed stdin, `fdSource`, makes the `fd_read` that follows wait for its input); a
 * descriptor that does not exist, or one that cannot be read (written), fails the whole call
 * with EBADF, as in Wasmtime.
 */
import { DEFAULT_HOST_COSTS } from '../provider.js';
import { instantPollable, sandboxClock } from '../wasi-clocks.js';
import {
  CLOCK,
  E,
  ENUM_COUNT,
  EVENT_FD_READWRITE_HANGUP,
  EVENTTYPE,
  SIZE,
  type Snapshot,
  SUBCLOCK_ABSTIME,
} from './abi.js';
import { errno } from './errno.js';
import { MAX_CALL_BYTES } from './fd.js';
import { chargeArgBytes } from './memory.js';
import { datetimeNs } from './process.js';
import { enumArg, flagsArg, type Preview1State } from './state.js';

type Subscription =
  | { userdata: bigint; type: 0; deadline: bigint; error: number }
  | { userdata: bigint; type: 1 | 2; fd: number };

/** `poll_oneoff` of one sandbox (its clock made on first use). */
export class PollFunctions {
  #clock: ReturnType<typeof sandboxClock> | undefined;

  constructor(
    readonly s: Preview1State,
    readonly snap: Snapshot,
  ) {}

  get #monotonic(): bigint {
    this.#clock ??= sandboxClock(this.s.context);
    return this.#clock.monotonic();
  }

  /** Read one subscription (a bad tag, clock id or flags is EINVAL). */
  #subscription(at: number): Subscription {
    const { s, snap } = this;
    const mem = s.mem;
    const base = mem.check(at, snap.subscription.size, 8);
    const userdata = mem.u64(base);
    const type = enumArg(mem.u8(base + 8), ENUM_COUNT.eventtype, 8) as 0 | 1 | 2;
    if (type !== EVENTTYPE.CLOCK) {
      const fd = mem.u32(base + 16);
      const entry = s.fds.get(fd);
      const file = entry.kind === 'file' ? entry.desc.getFlags() : undefined;
      const ok =
        type === EVENTTYPE.FD_READ
          ? entry.kind === 'stdin' || file?.read
          : entry.kind === 'stdout' || entry.kind === 'stderr' || file?.write;
      if (!ok) throw errno(E.BADF);
      return { userdata, type, fd };
    }
    const id = enumArg(mem.u32(base + snap.subscription.clockId), ENUM_COUNT.clockid, 32);
    const timeout = mem.u64(base + snap.subscription.clockTimeout);
    const absolute =
      (flagsArg(mem.u16(base + snap.subscription.clockFlags), 'subclockflags') & SUBCLOCK_ABSTIME) !== 0;
    if (id !== CLOCK.REALTIME && id !== CLOCK.MONOTONIC) throw errno(E.INVAL);
    const iface = id === CLOCK.REALTIME ? 'wasi:clocks/wall-clock' : 'wasi:clocks/monotonic-clock';
    if (!s.links.get(iface)) {
      try {
        s.notCapable(iface, 'poll_oneoff');
      } catch {
        // Reported in the subscription's event, not as the call's result.
      }
      return { userdata, type: 0, deadline: 0n, error: E.NOTCAPABLE };
    }
    const now = this.#monotonic;
    let deadline: bigint;
    if (!absolute) deadline = now + timeout;
    else if (id === CLOCK.MONOTONIC) deadline = timeout;
    else {
      const wall = datetimeNs(s.links.get(iface)!.now());
      deadline = now + (timeout > wall ? timeout - wall : 0n);
    }
    return { userdata, type: 0, deadline, error: E.SUCCESS };
  }

  #ready(sub: Subscription): boolean {
    return sub.type !== EVENTTYPE.CLOCK || sub.error !== E.SUCCESS || this.#monotonic >= sub.deadline;
  }

  poll_oneoff(input: number, output: number, count: number, result: number): number {
    const { s, snap } = this;
    const mem = s.mem;
    const n = count >>> 0;
    // Indefinite sleeping is not supported in preview1 (as in Wasmtime).
    if (n === 0) throw errno(E.INVAL);
    if (n * (snap.subscription.size + SIZE.event) > MAX_CALL_BYTES) throw errno(E.NOMEM);
    chargeArgBytes(s.context, n * (snap.subscription.size + SIZE.event));
    const subs: Subscription[] = [];
    for (let i = 0; i < n; i++) subs.push(this.#subscription((input >>> 0) + i * snap.subscription.size));

    if (!subs.some((sub) => this.#ready(sub))) {
      let earliest: bigint | undefined;
      for (const sub of subs) {
        if (sub.type === EVENTTYPE.CLOCK && (earliest === undefined || sub.deadline < earliest)) {
          earliest = sub.deadline;
        }
      }
      waitUntil(s, earliest!);
    }

    let events = 0;
    for (const sub of subs) {
      if (!this.#ready(sub)) continue;
      const at = mem.check((output >>> 0) + events * SIZE.event, SIZE.event, 8);
      mem.setU64(at, sub.userdata);
      mem.setU16(at + 8, sub.type === EVENTTYPE.CLOCK ? sub.error : E.SUCCESS);
      mem.setU8(at + 10, sub.type);
      let nbytes = 0n;
      let flags = 0;
      if (sub.type !== EVENTTYPE.CLOCK) {
        nbytes = 1n;
        const entry = s.fds.get(sub.fd);
        if (sub.type === EVENTTYPE.FD_READ && entry.kind === 'file') {
          if (entry.desc.stat().size <= entry.position) flags = EVENT_FD_READWRITE_HANGUP;
        }
      }
      mem.setU64(at + 16, nbytes);
      mem.setU16(at + 24, flags);
      events++;
    }
    mem.setU32(result, events);
    return 0;
  }
}

/**
 * Block until the sandbox's monotonic clock reaches `instant`. The one place preview1 waits:
 * each slice blocks as the clock allows (bounded per slice) and is charged like a host call.
 */
function waitUntil(s: Preview1State, instant: bigint): void {
  const pollable = instantPollable(s.context, instant);
  while (!pollable.ready()) {
    s.context.charge(DEFAULT_HOST_COSTS.call);
    pollable.block();
  }
}
