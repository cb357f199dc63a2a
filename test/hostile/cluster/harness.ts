/**
 * The attacker's side of the cluster hostile tests: two honest hosts (alpha, beta) on a real
 * nats-server, and a plain NATS client that is not a kernel, which can publish anything on the
 * lattice's subjects. Frames are built with the envelope codec, signed with whatever key the
 * attack has (a stolen one, a fresh one, none).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encode, type Header } from '../../../host/cluster/envelope.js';
import { hostSubject } from '../../../host/cluster/subjects.js';
import { converged, type LatticeWorld, latticeWorld } from '../../cluster/harness.js';
import { type NatsServer, startNats } from '../../helpers/nats.js';

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

export async function attack(options: Parameters<typeof latticeWorld>[2] = {}): Promise<Attack> {
  const nats = await startNats();
  const lattice = `h${Math.random().toString(36).slice(2, 10)}`;
  const world = await latticeWorld(nats.url, ['alpha', 'beta'], { ...options, lattice });
  await converged(world);
  const raw = await connect({ servers: nats.url, name: 'attacker' });
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
