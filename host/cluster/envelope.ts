/**
 * The envelope: what one kernel of a lattice sends another over NATS, signed with the sending
 * host's Ed25519 key. The frame is
 *
 *   "K1" | u16 header length | header (JSON, UTF-8) | body | signature (64 bytes)
 *
 * and the signature covers everything before it. The header names the sending host, its epoch
 * (one per join), a sequence number and a timestamp (for replay), the kind, and the kind's
 * fields; the subject a frame travels on is derived from its header and checked by the
 * receiver, so a signed frame cannot be moved to another host's or another kind's subject.
 *
 * Decoding never trusts a field: every one is checked for type, grammar and length before use,
 * and the signature is checked only after the cheap checks (size, known host, rate) passed.
 */
import { type KeyObject, sign, verify } from 'node:crypto';

const MAGIC0 = 0x4b; // K
const MAGIC1 = 0x31; // 1
const SIGNATURE_BYTES = 64;
const PREFIX_BYTES = 4;
/** The longest header, in bytes (a heartbeat lists services: bounded by the cluster limits). */
export const MAX_HEADER_BYTES = 60_000;

/**
 * `hb` heartbeat, `bye` goodbye, `msg`/`req`/`rep`/`nak` messages, requests, replies and refused
 * requests, `evt` events; placement: `plc` (place a module), `plr` (placed), `get` (fetch a
 * module by hash), `mod` (its bytes), `err` (a placement or fetch failed), `upl` (stop and
 * unmount what the sending host placed at the path `to`; answered `plr` or `err`), `lnk` (link
 * what the sending host placed at `to` to `ln`: it hears when that one ends; `plr` or `err`).
 */
export type EnvelopeKind =
  | 'hb'
  | 'msg'
  | 'req'
  | 'rep'
  | 'nak'
  | 'evt'
  | 'bye'
  | 'plc'
  | 'plr'
  | 'get'
  | 'mod'
  | 'err'
  | 'upl'
  | 'lnk';
const KINDS: readonly EnvelopeKind[] = [
  'hb',
  'msg',
  'req',
  'rep',
  'nak',
  'evt',
  'bye',
  'plc',
  'plr',
  'get',
  'mod',
  'err',
  'upl',
  'lnk',
];

/** A host's load, as it announces it in heartbeats. */
export interface HostLoad {
  /** Live sandboxes. */
  sandboxes: number;
  /** Fuel its sandboxes used per second since the last heartbeat. */
  fuelPerSec: number;
  /** The host process's resident memory, in bytes. */
  rssBytes: number;
}

export interface Header {
  /** The sending host's id. */
  h: string;
  /** The sending host's epoch: random, one per join (a restarted host starts a new one). */
  e: string;
  /** Sequence number, increasing per epoch. */
  s: number;
  /** The sender's clock, ms since 1970. */
  t: number;
  k: EnvelopeKind;
  /** The receiving host (directed kinds). */
  d?: string;
  /** The sender as its kernel stamped it (`sbx_3`, `host`), or the replier. */
  f?: string;
  /** The target (`msg`, `req`) or the topic (`evt`). */
  to?: string;
  /** Request id, decimal (the requester's). */
  r?: string;
  /** Request timeout, ms. */
  ms?: number;
  /** Reply status. */
  st?: 'ok' | 'timeout' | 'killed';
  /** Refusal code (`nak`). */
  c?: string;
  /** The sender's grant scope: peers (`msg`, `req`) or publish patterns (`evt`); absent for the embedder. */
  p?: string[];
  /** Heartbeat: load. */
  l?: HostLoad;
  /** Heartbeat: services, as `[id, path?]`. */
  sv?: [string, string?][];
  /** Heartbeat: labels. */
  lb?: Record<string, string>;
  /** Placement: the module's sha256 (hex). */
  hx?: string;
  /** `err`: what failed, for the log. */
  m?: string;
  /** `lnk`: the sandbox (a path or qualified id) that `to` is linked to. */
  ln?: string;
  /** `mod`: this chunk's index, the number of chunks, the module's size in bytes. */
  n?: number;
  of?: number;
  sz?: number;
  /** `msg`, `req`: 1 when it travels at least once, through the lattice's stream (its own subjects). */
  q?: 1;
}

export interface Decoded {
  header: Header;
  body: Uint8Array;
  /** The signed bytes and the signature (checked separately, after the cheap checks). */
  signed: Uint8Array;
  signature: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Build and sign a frame. */
export function encode(header: Header, body: Uint8Array, key: KeyObject): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  if (head.byteLength > MAX_HEADER_BYTES) throw new RangeError(`envelope header of ${head.byteLength} bytes`);
  const frame = new Uint8Array(PREFIX_BYTES + head.byteLength + body.byteLength + SIGNATURE_BYTES);
  frame[0] = MAGIC0;
  frame[1] = MAGIC1;
  frame[2] = head.byteLength >>> 8;
  frame[3] = head.byteLength & 0xff;
  frame.set(head, PREFIX_BYTES);
  frame.set(body, PREFIX_BYTES + head.byteLength);
  const signedLength = frame.byteLength - SIGNATURE_BYTES;
  const signature = sign(null, frame.subarray(0, signedLength), key);
  frame.set(signature, signedLength);
  return frame;
}

/** Why a frame was refused before it reached the kernel (`cluster:reject`'s `data.reason`). */
export type RejectReason =
  | 'malformed'
  | 'too-large'
  | 'unknown-host'
  | 'bad-signature'
  | 'replay'
  | 'stale'
  | 'flood'
  | 'wrong-subject'
  | 'unsolicited'
  | 'not-placer';

export class Rejected {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
    readonly host?: string,
    /** The sender as its host stamped it, when the refusal is about that sender (`flood`). */
    readonly sender?: string,
  ) {}
}

/** Parse a frame (no signature check yet). Returns a `Rejected` for anything malformed. */
export function decode(frame: Uint8Array): Decoded | Rejected {
  if (frame.byteLength < PREFIX_BYTES + 2 + SIGNATURE_BYTES || frame[0] !== MAGIC0 || frame[1] !== MAGIC1) {
    return new Rejected('malformed', 'not a Keel envelope');
  }
  const headLength = (frame[2]! << 8) | frame[3]!;
  const bodyStart = PREFIX_BYTES + headLength;
  const signedLength = frame.byteLength - SIGNATURE_BYTES;
  if (headLength > MAX_HEADER_BYTES || bodyStart > signedLength)
    return new Rejected('malformed', 'bad header length');
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(frame.subarray(PREFIX_BYTES, bodyStart)));
  } catch {
    return new Rejected('malformed', 'header is not JSON');
  }
  const header = checkHeader(raw);
  if (typeof header === 'string') {
    const host =
      typeof (raw as { h?: unknown })?.h === 'string' ? String((raw as { h: string }).h) : undefined;
    return new Rejected('malformed', header, host && HOST_ID.test(host) ? host : undefined);
  }
  return {
    header,
    body: frame.subarray(bodyStart, signedLength),
    signed: frame.subarray(0, signedLength),
    signature: frame.subarray(signedLength),
  };
}

/** Is the frame signed by `key`? */
export function verifies(decoded: Decoded, key: KeyObject): boolean {
  try {
    return verify(null, decoded.signed, key, decoded.signature);
  } catch {
    return false;
  }
}

/** Host ids and lattice names: NATS-subject-safe tokens. */
export const HOST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EPOCH = /^[0-9a-f]{16}$/;
const SENDER = /^(?:sbx_[0-9]{1,15}|host|kernel)$/;
const MAX_NAME = 255;
const MAX_SCOPE = 256;

function str(value: unknown, max = MAX_NAME): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

/** Check every field's type and grammar. Returns the header, or why it is malformed. */
function checkHeader(raw: unknown): Header | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'header is not an object';
  const h = raw as Record<string, unknown>;
  if (!str(h.h) || !HOST_ID.test(h.h)) return 'bad host id';
  if (!str(h.e) || !EPOCH.test(h.e)) return 'bad epoch';
  if (!Number.isSafeInteger(h.s) || (h.s as number) < 1) return 'bad sequence number';
  if (!Number.isSafeInteger(h.t) || (h.t as number) < 0) return 'bad timestamp';
  if (!KINDS.includes(h.k as EnvelopeKind)) return 'bad kind';
  const kind = h.k as EnvelopeKind;
  if (h.d !== undefined && (!str(h.d) || !HOST_ID.test(h.d))) return 'bad destination';
  if (kind !== 'hb' && kind !== 'evt' && kind !== 'bye' && h.d === undefined) return 'no destination';
  if (h.f !== undefined && (!str(h.f) || !SENDER.test(h.f))) return 'bad sender';
  if ((kind === 'msg' || kind === 'req' || kind === 'evt' || kind === 'rep') && h.f === undefined) {
    return 'no sender';
  }
  if (h.to !== undefined && !str(h.to)) return 'bad target';
  if ((kind === 'msg' || kind === 'req' || kind === 'evt') && h.to === undefined) return 'no target';
  if (h.r !== undefined && (!str(h.r, 20) || !/^[1-9][0-9]*$/.test(h.r))) return 'bad request id';
  if (kind !== 'hb' && kind !== 'evt' && kind !== 'bye' && kind !== 'msg' && h.r === undefined) {
    return 'no request id';
  }
  if (h.hx !== undefined && (typeof h.hx !== 'string' || !/^[0-9a-f]{64}$/.test(h.hx))) return 'bad hash';
  if ((kind === 'plc' || kind === 'get') && h.hx === undefined) return 'no hash';
  if (kind === 'upl' && h.to === undefined) return 'no target';
  if (h.ln !== undefined && !str(h.ln)) return 'bad link target';
  if (kind === 'lnk' && (h.to === undefined || h.ln === undefined)) return 'no link';
  if (kind === 'err' && h.c === undefined) return 'no code';
  if (kind === 'mod') {
    if (!Number.isSafeInteger(h.of) || (h.of as number) < 1) return 'bad chunk count';
    if (!Number.isSafeInteger(h.n) || (h.n as number) < 0 || (h.n as number) >= (h.of as number))
      return 'bad chunk index';
    if (!Number.isSafeInteger(h.sz) || (h.sz as number) < 0) return 'bad module size';
    if (h.hx === undefined) return 'no hash';
  }
  if (h.q !== undefined && (h.q !== 1 || (kind !== 'msg' && kind !== 'req'))) return 'bad delivery';
  if (h.m !== undefined && !str(h.m, 300)) return 'bad text';
  if (h.ms !== undefined && (!Number.isSafeInteger(h.ms) || (h.ms as number) < 0)) return 'bad timeout';
  if (h.st !== undefined && h.st !== 'ok' && h.st !== 'timeout' && h.st !== 'killed') return 'bad status';
  if (kind === 'rep' && h.st === undefined) return 'no status';
  if (h.c !== undefined && !str(h.c, 64)) return 'bad code';
  if (h.p !== undefined) {
    if (!Array.isArray(h.p) || h.p.length > MAX_SCOPE || !h.p.every((x) => str(x))) return 'bad scope';
  }
  if (h.l !== undefined) {
    const l = h.l as Record<string, unknown>;
    if (
      typeof l !== 'object' ||
      l === null ||
      !['sandboxes', 'fuelPerSec', 'rssBytes'].every((k) => Number.isFinite(l[k]) && (l[k] as number) >= 0)
    ) {
      return 'bad load';
    }
  }
  if (h.sv !== undefined) {
    if (!Array.isArray(h.sv)) return 'bad services';
    for (const item of h.sv) {
      if (!Array.isArray(item) || item.length < 1 || item.length > 2 || !str(item[0], 32))
        return 'bad services';
      if (item.length === 2 && !str(item[1])) return 'bad services';
    }
  }
  if (h.lb !== undefined) {
    if (typeof h.lb !== 'object' || h.lb === null || Array.isArray(h.lb)) return 'bad labels';
    const entries = Object.entries(h.lb as Record<string, unknown>);
    if (entries.length > 32 || !entries.every(([k, v]) => str(k, 64) && str(v, 255))) return 'bad labels';
  }
  return h as unknown as Header;
}
