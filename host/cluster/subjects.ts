/**
 * NATS subjects of a lattice. Every subject starts with `keel.<lattice>.`; then:
 *
 *   keel.<lattice>.hb.<host>            heartbeats of <host> (and its `bye` when it leaves)
 *   keel.<lattice>.host.<host>.<kind>   envelopes for <host>: msg, req, rep, nak
 *   keel.<lattice>.evt.<topic>          events published on <topic> (topics are dot-separated,
 *                                       as NATS subjects are, so a topic is its own suffix)
 *   keel.<lattice>.js.<host>.<kind>.<from-host>.<sender>
 *                                       at-least-once msg, req for <host>, in the lattice's
 *                                       JetStream stream (one subject per sender: its quota)
 *
 * A host subscribes to `hb.*`, to `host.<itself>.*` and to `evt.>`. The receiver derives the
 * subject a frame must have travelled on from its (signed) header and drops any other.
 */
import type { EnvelopeKind, Header } from './envelope.js';

export function heartbeatSubject(lattice: string, host: string): string {
  return `keel.${lattice}.hb.${host}`;
}

export function hostSubject(lattice: string, host: string, kind: EnvelopeKind): string {
  return `keel.${lattice}.host.${host}.${kind}`;
}

export function eventSubject(lattice: string, topic: string): string {
  return `keel.${lattice}.evt.${topic}`;
}

/** An at-least-once envelope's subject, in the lattice's stream. */
export function durableSubject(
  lattice: string,
  host: string,
  kind: EnvelopeKind,
  from: string,
  sender: string,
): string {
  return `keel.${lattice}.js.${host}.${kind}.${from}.${sender}`;
}

/** The lattice's JetStream stream, and the subjects it holds. */
export function durableStream(lattice: string): { name: string; subjects: string } {
  return { name: `KEEL_${lattice}`, subjects: `keel.${lattice}.js.>` };
}

/** What one host reads from the stream (its durable consumer's filter). */
export function durableFilter(lattice: string, host: string): string {
  return `keel.${lattice}.js.${host}.>`;
}

/** The subjects a host listens on. */
export function subscriptions(lattice: string, host: string): string[] {
  return [`keel.${lattice}.hb.*`, `keel.${lattice}.host.${host}.*`, `keel.${lattice}.evt.>`];
}

/** The subject a frame with this header must travel on. */
export function subjectFor(lattice: string, header: Header): string {
  switch (header.k) {
    case 'hb':
    case 'bye':
      return heartbeatSubject(lattice, header.h);
    case 'evt':
      return eventSubject(lattice, header.to ?? '');
    default:
      return header.q === 1
        ? durableSubject(lattice, header.d ?? '', header.k, header.h, header.f ?? '')
        : hostSubject(lattice, header.d ?? '', header.k);
  }
}
