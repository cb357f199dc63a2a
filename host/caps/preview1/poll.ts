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
import { atMost, instantPollable, sandboxClock } from '../wasi-clocks.js';
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
import { datetimeNs } from './process.js';
import { enumArg, flagsArg, type Preview1State } from './state.js';

/** One subscription as read from guest memory (a clock's deadline on the sandbox's monotonic clock). */
interface Subscription {
  userdata: bigint;
  type: 0 | 1 | 2;
  fd: number;
  deadline: bigint;
  error: number;
}

/**
 * The instants one call measures its clock subscriptions from, read once per call: every
 * relative timeout counts from the same `now`, and both passes over the subscriptions compute
 * the same deadlines.
 */
interface Base {
  now: bigint | undefined;
  wall: bigint | undefined;
}

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

  /**
   * Read subscription `at` into `sub` (a bad tag, clock id or flags is EINVAL; a descriptor that
   * does not exist or cannot be read or written fails the call with EBADF). `report`: an
   * ungranted clock is reported as an event (the first pass only).
   */
  #read(at: number, sub: Subscription, base: Base, report: boolean): void {
    const { s, snap } = this;
    const mem = s.mem;
    const start = mem.check(at, snap.subscription.size, 8);
    sub.userdata = mem.u64(start);
    sub.type = enumArg(mem.u8(start + 8), ENUM_COUNT.eventtype, 8) as 0 | 1 | 2;
    sub.error = E.SUCCESS;
    if (sub.type !== EVENTTYPE.CLOCK) {
      const fd = mem.u32(start + 16);
      const entry = s.fds.get(fd);
      const file = entry.kind === 'file' ? entry.desc.getFlags() : undefined;
      const ok =
        sub.type === EVENTTYPE.FD_READ
          ? entry.kind === 'stdin' || file?.read
          : entry.kind === 'stdout' || entry.kind === 'stderr' || file?.write;
      if (!ok) throw errno(E.BADF);
      sub.fd = fd;
      return;
    }
    const id = enumArg(mem.u32(start + snap.subscription.clockId), ENUM_COUNT.clockid, 32);
    const timeout = mem.u64(start + snap.subscription.clockTimeout);
    const absolute =
      (flagsArg(mem.u16(start + snap.subscription.clockFlags), 'subclockflags') & SUBCLOCK_ABSTIME) !== 0;
    if (id !== CLOCK.REALTIME && id !== CLOCK.MONOTONIC) throw errno(E.INVAL);
    const iface = id === CLOCK.REALTIME ? 'wasi:clocks/wall-clock' : 'wasi:clocks/monotonic-clock';
    if (!s.links.get(iface)) {
      if (report) {
        try {
          s.notCapable(iface, 'poll_oneoff');
        } catch {
          // Reported in the subscription's event, not as the call's result.
        }
      }
      sub.deadline = 0n;
      sub.error = E.NOTCAPABLE;
      return;
    }
    base.now ??= this.#monotonic;
    if (!absolute) sub.deadline = base.now + timeout;
    else if (id === CLOCK.MONOTONIC) sub.deadline = timeout;
    else {
      base.wall ??= datetimeNs(s.links.get(iface)!.now());
      sub.deadline = base.now + (timeout > base.wall ? timeout - base.wall : 0n);
    }
    // Past the last instant the clock reads, the deadline is that instant (as a wait's is).
    sub.deadline = atMost(sub.deadline);
  }

  /**
   * Two passes over the subscriptions in guest memory, none kept in the host: the first checks
   * them all and finds whether one is ready, else the earliest deadline; after the wait, the
   * second reads them again and writes the events of those ready. Host memory stays constant
   * whatever `nsubscriptions` the guest asks for (the array is bounded and charged first).
   */
  poll_oneoff(input: number, output: number, count: number, result: number): number {
    const { s, snap } = this;
    const mem = s.mem;
    const n = count >>> 0;
    // Indefinite sleeping is not supported in preview1 (as in Wasmtime).
    if (n === 0) throw errno(E.INVAL);
    // The subscriptions and the events they may need, admitted (bounded by limits.hostArgBytes,
    // charged) before any is read.
    mem.admit(n * (snap.subscription.size + SIZE.event));
    const first = input >>> 0;
    const base: Base = { now: undefined, wall: undefined };
    const sub: Subscription = { userdata: 0n, type: 0, fd: 0, deadline: 0n, error: E.SUCCESS };

    let ready = false;
    let earliest: bigint | undefined;
    for (let i = 0; i < n; i++) {
      this.#read(first + i * snap.subscription.size, sub, base, true);
      if (sub.type !== EVENTTYPE.CLOCK || sub.error !== E.SUCCESS) ready = true;
      else if (earliest === undefined || sub.deadline < earliest) earliest = sub.deadline;
    }
    if (!ready) waitUntil(s, earliest!);
    const now = this.#monotonic;
    // A file's hang-up (read at its end) is looked up once per descriptor and call: a guest
    // naming one file a million times costs one stat, not a million.
    const hangup = new Map<number, number>();

    let events = 0;
    for (let i = 0; i < n; i++) {
      this.#read(first + i * snap.subscription.size, sub, base, false);
      if (sub.type === EVENTTYPE.CLOCK && sub.error === E.SUCCESS && now < sub.deadline) continue;
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
          let known = hangup.get(sub.fd);
          if (known === undefined) {
            known = entry.desc.stat().size <= entry.position ? EVENT_FD_READWRITE_HANGUP : 0;
            hangup.set(sub.fd, known);
          }
          flags = known;
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
