/**
 * Attack: a trusted host (its key stolen, here `delta`) places a module on beta by the hash of
 * one module and, when beta fetches the bytes, serves another. Beta must check the bytes
 * against the hash before anything reads them: it refuses (`invalid-module`), loads nothing and
 * runs nothing.
 */
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode, type Header } from '../../../host/cluster/envelope.js';
import { sha256 } from '../../../host/cluster/placement.js';
import { heartbeatSubject, hostSubject } from '../../../host/cluster/subjects.js';
import { until } from '../../cluster/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { guestBytes } from '../../ipc/harness.js';
import { type Attack, attack } from './harness.js';

describe.skipIf(skipWithoutNats())('tampered module', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await attack({ phantoms: ['delta'], perHost: { beta: { accept: true } } });
  }, 30_000);
  afterAll(() => a?.close());

  it('refuses bytes that do not match the hash placed, and runs nothing', async () => {
    const beta = a.world.hosts[1]!;
    const key = createPrivateKey(a.world.keys.delta!.privateKey);
    let seq = 0;
    const frame = (fields: Partial<Header>, body: Uint8Array = new Uint8Array(0)) =>
      encode({ h: 'delta', e: 'dddddddddddddddd', s: ++seq, t: Date.now(), ...fields } as Header, body, key);
    const honest = guestBytes('probe');
    const evil = guestBytes('pingpong');
    const errors: string[] = [];
    // Serve the fetch with the wrong bytes; listen for beta's answer.
    a.raw.subscribe(hostSubject(a.lattice, 'delta', 'get'), {
      callback: (_e, msg) => {
        const got = decode(msg.data);
        if ('header' in got) {
          a.raw.publish(
            hostSubject(a.lattice, 'beta', 'mod'),
            // One chunk (docs/cluster.md, Modules in chunks), of the hash asked for, other bytes.
            frame(
              { k: 'mod', d: 'beta', r: got.header.r!, hx: got.header.hx!, n: 0, of: 1, sz: evil.byteLength },
              evil,
            ),
          );
        }
      },
    });
    a.raw.subscribe(hostSubject(a.lattice, 'delta', 'err'), {
      callback: (_e, msg) => {
        const got = decode(msg.data);
        if ('header' in got) errors.push(String(got.header.c));
      },
    });
    a.raw.publish(heartbeatSubject(a.lattice, 'delta'), frame({ k: 'hb', sv: [] }));
    await a.raw.flush();
    await until(
      () => beta.lattice.hosts().some((h) => h.host === 'delta' && h.state === 'up'),
      5_000,
      'delta up',
    );
    const spec = new TextEncoder().encode(JSON.stringify({ path: '/h/evil' }));
    a.raw.publish(
      hostSubject(a.lattice, 'beta', 'plc'),
      frame({ k: 'plc', d: 'beta', r: '1', hx: sha256(honest) }, spec),
    );
    await until(() => errors.length > 0, 5_000, "beta's answer");
    expect(errors).toEqual(['invalid-module']);
    expect(beta.named('module:load').filter((e) => e.data?.hash === sha256(evil))).toEqual([]);
    expect(beta.kernel.sched.service('/h/evil')).toBeUndefined();
    expect(beta.kernel.mounted('/h/evil')).toEqual([]);
  });
});
