/**
 * `wasi:random` (random, insecure, insecure-seed). Real entropy by default; seeded, replayable
 * bytes in deterministic mode. A request is capped at the sandbox's memory limit: the guest
 * could not hold more, and the host must not allocate it.
 */
import { randomFillSync } from 'node:crypto';
import { KeelError } from '../kernel/errors.js';
import { type CapabilityProvider, chargeBytes, DEFAULT_HOST_COSTS, type SandboxContext } from './provider.js';
import { wasiRandomTypes } from './wit-types.js';

/** SplitMix64: small, fast, good enough for replayable test randomness (never for secrets). */
export class SplitMix64 {
  #state: bigint;
  constructor(seed: bigint) {
    this.#state = BigInt.asUintN(64, seed);
  }
  next(): bigint {
    this.#state = BigInt.asUintN(64, this.#state + 0x9e3779b97f4a7c15n);
    let z = this.#state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    let i = 0;
    for (; i + 8 <= length; i += 8) view.setBigUint64(i, this.next(), true);
    if (i < length) {
      const tail = this.next();
      for (let j = 0; i < length; i++, j++) out[i] = Number((tail >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  }
}

/** Requests up to this size are served from a pool of system randomness, refilled whole. */
const POOLED = 256;
const POOL_BYTES = 16 * 1024;

/**
 * The system's secure generator, drawn in blocks: a small request (the usual 8 to 32 bytes) cost
 * several microseconds as a call of its own, most of it the call into OpenSSL; from a pool it is
 * a copy. Each byte of the pool is handed out once, to one sandbox (the pool is per sandbox).
 */
function pooled(): (length: number) => Uint8Array {
  let pool = new Uint8Array(0);
  let at = 0;
  return (length) => {
    if (length > POOLED) return randomFillSync(new Uint8Array(length));
    if (at + length > pool.length) {
      pool = randomFillSync(new Uint8Array(POOL_BYTES));
      at = 0;
    }
    const out = pool.slice(at, at + length);
    pool.fill(0, at, at + length);
    at += length;
    return out;
  };
}

function source(context: SandboxContext, which: 'secure' | 'insecure'): (length: number) => Uint8Array {
  if (!context.deterministic) return context.state(`wasi-random:${which}:pool`, () => pooled());
  const rng = context.state(
    `wasi-random:${which}`,
    () => new SplitMix64(context.seed ^ (which === 'secure' ? 1n : 2n)),
  );
  return (length) => rng.bytes(length);
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

export const wasiRandom: CapabilityProvider = {
  name: 'wasi-random',
  interfaces: ['wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed'],
  wit: wasiRandomTypes,
  link({ interface: iface, context }) {
    if (iface === 'wasi:random/insecure-seed') {
      const seed = source(context, 'insecure')(16);
      const view = new DataView(seed.buffer);
      return { insecureSeed: () => [view.getBigUint64(0, true), view.getBigUint64(8, true)] };
    }
    const which = iface === 'wasi:random/random' ? 'secure' : 'insecure';
    const read = source(context, which);
    const bytes = (length: bigint) => {
      const checked = checkedLength(context, length);
      chargeBytes(context, checked);
      context.charge(checked * DEFAULT_HOST_COSTS.randomByte);
      return read(checked);
    };
    const u64 = () => new DataView(read(8).buffer).getBigUint64(0, true);
    return which === 'secure'
      ? { getRandomBytes: bytes, getRandomU64: u64 }
      : { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 };
  },
};
