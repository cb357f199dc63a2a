/**
 * `wasi:random` (random, insecure, insecure-seed). Real entropy by default; seeded, replayable
 * bytes in deterministic mode. A request is capped at the sandbox's memory limit: the guest
 * could not hold more, and the host must not allocate it.
 */
import { randomFillSync } from 'node:crypto';
import { KeelError } from '../kernel/errors.js';
import { type CapabilityProvider, chargeBytes, DEFAULT_HOST_COSTS, type SandboxContext } from './provider.js';
import { wasiRandomTypes } from './wit-types.js';

/** Writes `length` random bytes into `target` from `at`. */
type Fill = (target: Uint8Array, at: number, length: number) => void;

/**
 * SplitMix64's loop in WebAssembly, where a 64-bit multiply is one instruction: `fill(hi, lo, len)`
 * takes the state as two 32-bit halves, writes the next `len` bytes of the stream (rounded up to a
 * whole word) at address 16, and leaves the new state at address 0. Keel's own fixed bytes:
 *
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "fill") (param $hi i32) (param $lo i32) (param $len i32)
 *       (local $s i64) (local $z i64) (local $p i32) (local $end i32)
 *       (local.set $s (i64.or (i64.shl (i64.extend_i32_u (local.get $hi)) (i64.const 32))
 *                             (i64.extend_i32_u (local.get $lo))))
 *       (local.set $p (i32.const 16))
 *       (local.set $end (i32.add (i32.const 16) (local.get $len)))
 *       (block $done
 *         (loop $next
 *           (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
 *           (local.set $s (i64.add (local.get $s) (i64.const 0x9e3779b97f4a7c15)))
 *           (local.set $z (i64.mul (i64.xor (local.get $s) (i64.shr_u (local.get $s) (i64.const 30)))
 *                                  (i64.const 0xbf58476d1ce4e5b9)))
 *           (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 27)))
 *                                  (i64.const 0x94d049bb133111eb)))
 *           (i64.store (local.get $p) (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 31))))
 *           (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *           (br $next)))
 *       (i64.store (i32.const 0) (local.get $s))))
 */
const SPLITMIX_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x03,
  0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x11, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,
  0x02, 0x00, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00, 0x0a, 0x86, 0x01, 0x01, 0x83, 0x01, 0x02, 0x02, 0x7e,
  0x02, 0x7f, 0x20, 0x00, 0xad, 0x42, 0x20, 0x86, 0x20, 0x01, 0xad, 0x84, 0x21, 0x03, 0x41, 0x10, 0x21, 0x05,
  0x41, 0x10, 0x20, 0x02, 0x6a, 0x21, 0x06, 0x02, 0x40, 0x03, 0x40, 0x20, 0x05, 0x20, 0x06, 0x4f, 0x0d, 0x01,
  0x20, 0x03, 0x42, 0x95, 0xf8, 0xa9, 0xfa, 0x97, 0xb7, 0xde, 0x9b, 0x9e, 0x7f, 0x7c, 0x21, 0x03, 0x20, 0x03,
  0x20, 0x03, 0x42, 0x1e, 0x88, 0x85, 0x42, 0xb9, 0xcb, 0x93, 0xe7, 0xd1, 0xed, 0x91, 0xac, 0xbf, 0x7f, 0x7e,
  0x21, 0x04, 0x20, 0x04, 0x20, 0x04, 0x42, 0x1b, 0x88, 0x85, 0x42, 0xeb, 0xa3, 0xc4, 0x99, 0xb1, 0xb7, 0x92,
  0xe8, 0x94, 0x7f, 0x7e, 0x21, 0x04, 0x20, 0x05, 0x20, 0x04, 0x20, 0x04, 0x42, 0x1f, 0x88, 0x85, 0x37, 0x03,
  0x00, 0x20, 0x05, 0x41, 0x08, 0x6a, 0x21, 0x05, 0x0c, 0x00, 0x0b, 0x0b, 0x41, 0x00, 0x20, 0x03, 0x37, 0x03,
  0x00, 0x0b,
]);

/** Bytes one call of the module makes: its page less the state's 16, a whole number of words. */
const SPLITMIX_CHUNK = 65536 - 16;

interface SplitMixModule {
  fill(hi: number, lo: number, length: number): void;
  state: DataView;
  out: Uint8Array;
}
let splitMixModule: SplitMixModule | undefined;

function splitMix(): SplitMixModule {
  if (splitMixModule) return splitMixModule;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(SPLITMIX_BYTES));
  const memory = exports.memory as WebAssembly.Memory;
  splitMixModule = {
    fill: exports.fill as SplitMixModule['fill'],
    state: new DataView(memory.buffer, 0, 8),
    out: new Uint8Array(memory.buffer, 16, SPLITMIX_CHUNK),
  };
  return splitMixModule;
}

/**
 * SplitMix64: small, fast, good enough for replayable test randomness (never for secrets). Its
 * loop runs in WebAssembly (above): the BigInt form cost about 5.5 ns a byte (over 20x compute
 * per unit of fuel), this one about 0.3 ns with its copy, with the same output byte for byte
 * (test/caps/random-splitmix checks it against the BigInt form on many seeds and lengths), so
 * replayed logs stay valid. The state lives here, as two 32-bit halves; the module is shared.
 */
export class SplitMix64 {
  #hi: number;
  #lo: number;
  constructor(seed: bigint) {
    const state = BigInt.asUintN(64, seed);
    this.#hi = Number(state >> 32n);
    this.#lo = Number(state & 0xffffffffn);
  }

  /**
   * The next `length` bytes of the stream, written into `out` from `at`: each word little-endian,
   * and a last partial word's low bytes (the rest of it is dropped, as the BigInt form did).
   */
  fill(out: Uint8Array, at: number, length: number): void {
    const module = splitMix();
    for (let done = 0; done < length; ) {
      const n = Math.min(length - done, SPLITMIX_CHUNK);
      module.fill(this.#hi, this.#lo, n);
      this.#lo = module.state.getUint32(0, true);
      this.#hi = module.state.getUint32(4, true);
      out.set(n === SPLITMIX_CHUNK ? module.out : module.out.subarray(0, n), at + done);
      done += n;
    }
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.fill(out, 0, length);
    return out;
  }
}

/**
 * Requests up to this size are served from a pool of system randomness, refilled whole: a call
 * of `randomFillSync` costs about 4 µs whatever its size (OpenSSL's generator behind its locks,
 * and a job object Node makes per call: up to 20 µs in a large heap), which made requests from
 * 257 bytes to a few KiB cost the host more than 10x compute per unit of fuel, each a call of
 * its own (`get-random-bytes` of 4 KiB + 1: 15x in the calibration's process). Above it, one
 * call fills the request, and its fixed cost is small beside the bytes' fuel.
 */
const POOLED = 64 * 1024;
const POOL_BYTES = 1024 * 1024;

/**
 * The pool: one per thread, made on first use. Each byte of it is handed out once, to one
 * request, and zeroed as it goes; a refill overwrites all of it.
 */
let pool: Uint8Array | undefined;
let pooledUsed = POOL_BYTES;

/** The system's secure generator: from the pool up to `POOLED` bytes, straight into `target` above. */
const system: Fill = (target, at, length) => {
  if (length === 0) return;
  if (length > POOLED) {
    randomFillSync(target, at, length);
    return;
  }
  if (pool === undefined || pooledUsed + length > POOL_BYTES) {
    pool ??= new Uint8Array(POOL_BYTES);
    randomFillSync(pool);
    pooledUsed = 0;
  }
  const from = pooledUsed;
  target.set(pool!.subarray(from, from + length), at);
  pool!.fill(0, from, from + length);
  pooledUsed = from + length;
};

function source(context: SandboxContext, which: 'secure' | 'insecure'): Fill {
  if (!context.deterministic) return system;
  const rng = context.state(
    `wasi-random:${which}`,
    () => new SplitMix64(context.seed ^ (which === 'secure' ? 1n : 2n)),
  );
  return (target, at, length) => rng.fill(target, at, length);
}

/**
 * The buffer a request is made in before the canonical ABI copies it into the guest (at once,
 * in the same call): a fresh buffer of 64 KiB or more costs its page faults (about 3 ns a byte
 * here, more than the bytes themselves), so one is reused. Held weakly: V8
 * keeps it through the job that made it (a guest's whole call), and may collect it afterwards.
 * Shared by every sandbox of the process: it holds a request's bytes only until the ABI has
 * copied them, and every request overwrites all the bytes it hands out.
 */
let scratch: WeakRef<Uint8Array> | undefined;
function scratchOf(length: number): Uint8Array {
  let buffer = scratch?.deref();
  if (!buffer || buffer.length < length) {
    buffer = new Uint8Array(Math.max(length, 64 * 1024));
    scratch = new WeakRef(buffer);
  }
  return buffer;
}

function checkedLength(context: SandboxContext, length: bigint): number {
  if (length > BigInt(context.limits.memoryBytes)) {
    throw new KeelError(
      'memory-limit',
      `random request of ${length} bytes exceeds the sandbox memory limit`,
      {
        requested: length.toString(),
        limit: context.limits.memoryBytes,
      },
    );
  }
  return Number(length);
}

/**
 * A key of `wasi:random/random`'s linked record, outside WIT's names: fills a view of the guest's
 * memory in place (checked, bounded and charged as `get-random-bytes` is). Preview1's
 * `random_get` uses it, so its bytes are made where the guest reads them, with no buffer between.
 */
export const FILL_RANDOM: unique symbol = Symbol('keel.wasi-random.fill');

export const wasiRandom: CapabilityProvider = {
  name: 'wasi-random',
  interfaces: ['wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed'],
  wit: wasiRandomTypes,
  link({ interface: iface, context }) {
    const small = (fill: Fill, length: number) => {
      const out = new Uint8Array(length);
      fill(out, 0, length);
      return new DataView(out.buffer);
    };
    if (iface === 'wasi:random/insecure-seed') {
      const view = small(source(context, 'insecure'), 16);
      return { insecureSeed: () => [view.getBigUint64(0, true), view.getBigUint64(8, true)] };
    }
    const which = iface === 'wasi:random/random' ? 'secure' : 'insecure';
    const fill = source(context, which);
    // Checked and charged before any byte is made. A list handed back is charged its bytes by
    // the canonical ABI as it lowers it (host/abi/context.ts); bytes made in the guest's memory
    // in place (preview1's random_get) cross here.
    const admit = (length: bigint, inPlace: boolean) => {
      const checked = checkedLength(context, length);
      if (inPlace) chargeBytes(context, checked);
      context.charge(checked * DEFAULT_HOST_COSTS.randomByte);
      return checked;
    };
    const bytes = (length: bigint) => {
      const checked = admit(length, false);
      // Valid until the next call: the canonical ABI copies a result into the guest at once.
      const out = scratchOf(checked).subarray(0, checked);
      fill(out, 0, checked);
      return out;
    };
    const inPlace = (target: Uint8Array) => {
      admit(BigInt(target.length), true);
      fill(target, 0, target.length);
    };
    const u64 = () => small(fill, 8).getBigUint64(0, true);
    return which === 'secure'
      ? { getRandomBytes: bytes, getRandomU64: u64, [FILL_RANDOM]: inPlace }
      : { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 };
  },
};
