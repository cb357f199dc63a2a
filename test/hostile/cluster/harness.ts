/**
 * The attacker's side of the cluster hostile tests: two honest hosts (alpha, beta) on a real
 * nats-server, and a plain NATS client that is not a kernel, which can publish anything on the
 * lattice's subjects. Frames are built with the envelope codec, signed with whatever key the
 * attack has (a stolen one, a fresh one, none).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { decode, encode, type Header, Rejected } from '../../../host/cluster/envelope.js';
import { hostSubject } from '../../../host/cluster/subjects.js';
import { converged, type LatticeWorld, latticeWorld } from '../../cluster/harness.js';
import { type NatsServer, startNats, startNatsJetStream } from '../../helpers/nats.js';

export interface Attack {
  nats: NatsServer;
  world: LatticeWorld;
  lattice: string;
  raw: NatsConnection;
  /** alpha's real private key (for attacks by a host that is trusted but misbehaves). */
  alphaKey: KeyObject;
  /** A key nobody trusts. */
  strangerKey: KeyObject;
  /** A frame for beta, as if from `h` (default alpha), signed with `key`. */
  frame(fields: Partial<Header>, body?: Uint8Array, key?: KeyObject): Uint8Array;
  /** The subject of a directed frame for beta. */
  toBeta(kind?: Header['k']): string;
  close(): Promise<void>;
}

let seq = 1_000_000;

export async function attack(
  options: Parameters<typeof latticeWorld>[2] = {},
  server: { jetstream?: boolean } = {},
): Promise<Attack> {
  const nats = server.jetstream ? await startNatsJetStream() : await startNats();
  const lattice = `h${Math.random().toString(36).slice(2, 10)}`;
  let world: LatticeWorld | undefined;
  let raw: NatsConnection;
  try {
    world = await latticeWorld(nats.url, ['alpha', 'beta'], { ...options, lattice });
    await converged(world);
    raw = await connect({ servers: nats.url, name: 'attacker' });
  } catch (error) {
    // Nothing of a world that did not come up outlives it: its hosts, its server.
    await world?.close().catch(() => {});
    await nats.stop();
    throw error;
  }
  const alphaKey = createPrivateKey(world.keys.alpha!.privateKey);
  const strangerKey = generateKeyPairSync('ed25519').privateKey;
  return {
    nats,
    world,
    lattice,
    raw,
    alphaKey,
    strangerKey,
    frame(fields, body = new Uint8Array(0), key = strangerKey) {
      const header = {
        h: 'alpha',
        e: '0123456789abcdef',
        s: ++seq,
        t: Date.now(),
        k: 'msg',
        d: 'beta',
        f: 'sbx_1',
        ...fields,
      } as Header;
      return encode(header, body, key);
    },
    toBeta: (kind = 'msg') => hostSubject(lattice, 'beta', kind),
    async close() {
      await raw.close().catch(() => {});
      await world.close();
      await nats.stop();
    },
  };
}

/** Let NATS deliver what was published, and the receiving kernel handle it. */
export async function settle(a: Attack, ms = 300): Promise<void> {
  await a.raw.flush();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A trusted host that misbehaves (`mallory`, one of the world's phantoms: every host trusts its
 * key, and the attacker holds it), played by the raw client: it heartbeats so that beta sees it
 * up, asks beta to place a module by hash, and sees the fetch beta sends back (envelopes are
 * signed, not encrypted), so that it can answer with whatever chunks the attack needs.
 */
export interface Impostor {
  /** Sign and send a directed frame to beta as mallory. */
  send(fields: Partial<Header>, body?: Uint8Array): void;
  /** What beta sent mallory (headers), e.g. the `err` that ends a placement. */
  received: Header[];
  /** Ask beta to place a module with this hash; resolves with the request id of beta's fetch. */
  placeAndAwaitFetch(hash: string, path: string): Promise<string>;
  stop(): void;
}

export async function impostor(a: Attack, host = 'mallory'): Promise<Impostor> {
  const key = createPrivateKey(a.world.keys[host]!.privateKey);
  const beat = () =>
    a.raw.publish(
      `keel.${a.lattice}.hb.${host}`,
      a.frame(
        { h: host, k: 'hb', d: undefined, l: { sandboxes: 0, fuelPerSec: 0, rssBytes: 1 }, sv: [] },
        undefined,
        key,
      ),
    );
  beat();
  const timer = setInterval(beat, 100);
  const fetches: string[] = [];
  const received: Header[] = [];
  const sub = a.raw.subscribe(`keel.${a.lattice}.host.${host}.*`, {
    callback: (_error, msg) => {
      const decoded = decode(msg.data);
      if (decoded instanceof Rejected) return;
      if (received.length < 1_000) received.push(decoded.header);
      if (decoded.header.k === 'get' && decoded.header.r) fetches.push(decoded.header.r);
    },
  });
  await a.raw.flush();
  const beta = a.world.hosts[1]!;
  const start = Date.now();
  while (!beta.lattice.hosts().some((h) => h.host === host && h.state === 'up')) {
    if (Date.now() - start > 5_000) throw new Error(`beta did not hear ${host}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  let calls = 0;
  const self: Impostor = {
    received,
    send(fields, body = new Uint8Array(0)) {
      a.raw.publish(
        hostSubject(a.lattice, 'beta', fields.k ?? 'msg'),
        a.frame({ h: host, ...fields }, body, key),
      );
    },
    async placeAndAwaitFetch(hash, path) {
      const seen = fetches.length;
      this.send(
        { k: 'plc', r: String(++calls), hx: hash, f: undefined },
        new TextEncoder().encode(JSON.stringify({ path })),
      );
      const begin = Date.now();
      while (fetches.length === seen) {
        if (Date.now() - begin > 5_000) throw new Error('beta did not fetch the module');
        await new Promise((r) => setTimeout(r, 10));
      }
      return fetches[fetches.length - 1]!;
    },
    stop() {
      clearInterval(timer);
      sub.unsubscribe();
    },
  };
  return self;
}

/**
 * For a describe block: an attack world with mallory as a trusted phantom host and its
 * impostor, started before the block's cases and ended after them. Read them with the getter
 * (they exist once `beforeAll` ran).
 */
export function withImpostor(options: Parameters<typeof attack>[0] = {}): () => { a: Attack; m: Impostor } {
  let a: Attack | undefined;
  let m: Impostor | undefined;
  beforeAll(async () => {
    a = await attack({ phantoms: ['mallory'], ...options });
    m = await impostor(a);
  }, 30_000);
  afterAll(async () => {
    m?.stop();
    await a?.close();
  });
  return () => ({ a: a!, m: m! });
}
