/**
 * Attack: a client that is not a kernel of the lattice publishes heartbeats while an operator
 * runs `keel cluster status`: as `gamma` (a trusted host that runs nowhere) and as `beta` (a real
 * host), signed with a key of its own, announcing services and labels that do not exist, many
 * times a second. Status checks heartbeats as a kernel does: it lists only what the real hosts
 * signed (gamma not heard, beta without the forged services), says that heartbeats were refused
 * and why, and its report stays bounded.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatSubject } from '../../../host/cluster/subjects.js';
import { BIN, lastJson, ROOT, scratchDir } from '../../cli/harness.js';
import { skipWithoutNats } from '../../helpers/nats.js';
import { type Attack, attack } from './harness.js';

describe.skipIf(skipWithoutNats())('forged heartbeats in keel cluster status', () => {
  let a: Attack;
  let creds: string;
  beforeAll(async () => {
    a = await attack({ phantoms: ['gamma'] });
    await a.world.hosts[1]!.spawn('/h/real');
    const dir = scratchDir('forged-status');
    creds = join(dir, 'creds.json');
    writeFileSync(
      creds,
      JSON.stringify({
        lattice: a.lattice,
        hostId: 'operator',
        peers: Object.fromEntries(['alpha', 'beta', 'gamma'].map((h) => [h, a.world.keys[h]!.publicKey])),
      }),
    );
  }, 30_000);
  afterAll(async () => {
    await a?.close();
  });

  it('lists only what the real hosts signed', async () => {
    let forged = 0;
    const flood = setInterval(() => {
      for (const host of ['gamma', 'beta']) {
        for (let i = 0; i < 20; i++) {
          a.raw.publish(
            heartbeatSubject(a.lattice, host),
            a.frame({
              h: host,
              k: 'hb',
              d: undefined,
              l: { sandboxes: 0, fuelPerSec: 0, rssBytes: 1 },
              sv: [['sbx_66', `/evil/${host}`]],
              lb: { zone: 'forged' },
            }),
          );
          forged++;
        }
      }
    }, 50);
    const result = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'cluster',
          'status',
          '--cluster',
          a.nats.url,
          '--cluster-credentials',
          creds,
          '--wait',
          '2s',
          '--json',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let stdout = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout });
      });
    }).finally(() => clearInterval(flood));
    expect(forged).toBeGreaterThan(100);
    const status = lastJson(result.stdout);
    expect(result.status).toBe(1);
    const hosts = Object.fromEntries(status.hosts.map((h: { host: string }) => [h.host, h]));
    expect(hosts.gamma).toMatchObject({ state: 'not-heard', services: [], labels: {} });
    expect(hosts.beta.state).toBe('up');
    expect(hosts.beta.labels).toEqual({});
    expect(hosts.beta.services.map((s: { path?: string }) => s.path)).toEqual(['/h/real']);
    expect(JSON.stringify(status)).not.toContain('/evil');
    const refused = status.rejected as { reason: string; host?: string; count: number }[];
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'bad-signature', host: 'gamma' }),
        expect.objectContaining({ reason: 'bad-signature', host: 'beta' }),
      ]),
    );
    // Bounded: a few kinds of refusal, each counted (at most rejectEvents a second are reported).
    expect(refused.length).toBeLessThanOrEqual(32);
    expect(result.stdout.length).toBeLessThan(20_000);
  }, 40_000);
});
