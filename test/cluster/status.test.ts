/**
 * `keel cluster keygen` and `keel cluster status` against a real nats-server and two kernels:
 * keygen writes a key pair (the private key 0600, never printed), status lists the hosts their
 * heartbeats describe (labels, sandboxes, services, last heartbeat) as a table and as JSON, says
 * which trusted hosts it did not hear, and its errors say what to fix (no server there, a server
 * that wants a password, a key file others may read, a wrong public key).
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey } from '../../host/index.js';
import { BIN, lastJson, ROOT, scratchDir } from '../cli/harness.js';
import { freePort, type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { converged, type LatticeWorld, latticeWorld } from './harness.js';

/** Run `keel …` without blocking this process (its kernels must keep beating meanwhile). */
function keelAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe.skipIf(skipWithoutNats())('keel cluster status and keygen', () => {
  let nats: NatsServer;
  let w: LatticeWorld;
  let dir: string;
  let lattice: string;
  let creds: string;
  beforeAll(async () => {
    nats = await startNats();
    lattice = `s${Math.random().toString(36).slice(2, 10)}`;
    w = await latticeWorld(nats.url, ['alpha', 'beta'], {
      lattice,
      perHost: { alpha: { labels: { zone: 'a' } }, beta: { labels: { zone: 'b', gpu: 'yes' } } },
    });
    await w.hosts[1]!.spawn('/s/svc', { peers: [] });
    await converged(w);
    dir = scratchDir('cluster-status');
    for (const id of ['alpha', 'beta']) writeFileSync(join(dir, `${id}.pub`), w.keys[id]!.publicKey);
  }, 30_000);
  afterAll(async () => {
    await w?.close();
    await nats?.stop();
  });

  it('keygen writes the private key for its owner only, and never prints it', async () => {
    const made = await keelAsync(['cluster', 'keygen', 'watcher', '--dir', dir, '--lattice', lattice]);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const key = readFileSync(join(dir, 'watcher.key'), 'utf8');
    expect(key).toContain('BEGIN PRIVATE KEY');
    expect(statSync(join(dir, 'watcher.key')).mode & 0o777).toBe(0o600);
    expect(made.stdout).not.toContain('PRIVATE KEY');
    expect(made.stdout).not.toContain(key.split('\n')[1]!);
    expect(made.stdout).toContain(readFileSync(join(dir, 'watcher.pub'), 'utf8').trim());
    creds = join(dir, 'watcher.json');
    const file = JSON.parse(readFileSync(creds, 'utf8'));
    expect(file).toEqual({ lattice, hostId: 'watcher', privateKeyFile: 'watcher.key', peers: {} });
    writeFileSync(creds, JSON.stringify({ ...file, peers: { alpha: 'alpha.pub', beta: 'beta.pub' } }));
    // Never overwrites.
    const again = await keelAsync(['cluster', 'keygen', 'watcher', '--dir', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(join(dir, 'watcher.key'), 'utf8')).toBe(key);
  }, 30_000);

  it('lists the hosts heard, their labels, sandboxes, services and last heartbeat', async () => {
    const json = await keelAsync([
      'cluster',
      'status',
      '--cluster',
      nats.url,
      '--cluster-credentials',
      creds,
      '--json',
    ]);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const result = lastJson(json.stdout);
    expect(result.ok).toBe(true);
    expect(result.lattice).toBe(lattice);
    const [alpha, beta] = result.hosts;
    expect(alpha).toMatchObject({ host: 'alpha', state: 'up', labels: { zone: 'a' }, sandboxes: 0 });
    expect(beta).toMatchObject({
      host: 'beta',
      state: 'up',
      labels: { zone: 'b', gpu: 'yes' },
      sandboxes: 1,
    });
    expect(beta.services).toEqual([{ id: expect.stringMatching(/^sbx_\d+$/), path: '/s/svc' }]);
    expect(beta.lastHeartbeatMs).toBeGreaterThanOrEqual(0);
    expect(beta.lastHeartbeatMs).toBeLessThan(5_000);
    expect(beta.rssBytes).toBeGreaterThan(0);
    expect(result.rejected).toEqual([]);

    const table = await keelAsync([
      'cluster',
      'status',
      '--cluster',
      nats.url,
      '--cluster-credentials',
      creds,
    ]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain(`lattice ${lattice}: 2 of 2 trusted hosts heard`);
    expect(table.stdout).toMatch(/beta\s+up\s+zone=b,gpu=yes\s+1\s/);
    expect(table.stdout).toContain('/s/svc (sbx_');
    expect(table.stdout).toMatch(/ms ago/);
  }, 30_000);

  it('says which trusted hosts it did not hear, and which keys are wrong (status 1)', async () => {
    const file = JSON.parse(readFileSync(creds, 'utf8'));
    const wrong = join(dir, 'wrong.json');
    // gamma runs nowhere; beta's key is not beta's.
    writeFileSync(
      wrong,
      JSON.stringify({
        ...file,
        peers: { alpha: 'alpha.pub', beta: generateHostKey().publicKey, gamma: generateHostKey().publicKey },
      }),
    );
    const result = await keelAsync([
      'cluster',
      'status',
      '--cluster',
      nats.url,
      '--cluster-credentials',
      wrong,
      '--wait',
      '1500ms',
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('1 of 3 trusted hosts heard');
    expect(result.stdout).toMatch(/gamma\s+not-heard/);
    expect(result.stdout).toMatch(/beta\s+not-heard/);
    expect(result.stdout).toContain('refused (bad-signature): the public key given for beta');
  }, 30_000);

  it('says how to fix an unreachable server, a refused login and a key others may read', async () => {
    const nobody = await keelAsync([
      'cluster',
      'status',
      '--cluster',
      `nats://127.0.0.1:${await freePort()}`,
      '--cluster-credentials',
      creds,
    ]);
    expect(nobody.status).toBe(2);
    expect(nobody.stderr).toContain('cannot connect to NATS');
    expect(nobody.stderr).toContain('hint: is a nats-server running there?');

    const locked = await startNats(['--user', 'keel', '--pass', 'secret-pass']);
    try {
      const refused = await keelAsync([
        'cluster',
        'status',
        '--cluster',
        locked.url,
        '--cluster-credentials',
        creds,
        '--json',
      ]);
      expect(refused.status).toBe(2);
      expect(lastJson(refused.stdout).error.message).toMatch(/Authorization Violation/i);
      const human = await keelAsync([
        'cluster',
        'status',
        '--cluster',
        locked.url,
        '--cluster-credentials',
        creds,
      ]);
      expect(human.stderr).toContain('"auth"');
      const withAuth = join(dir, 'auth.json');
      const file = JSON.parse(readFileSync(creds, 'utf8'));
      writeFileSync(withAuth, JSON.stringify({ ...file, auth: { user: 'keel', pass: 'secret-pass' } }));
      const admitted = await keelAsync([
        'cluster',
        'status',
        '--cluster',
        locked.url,
        '--cluster-credentials',
        withAuth,
        '--wait',
        '300ms',
        '--json',
      ]);
      // Connected (no host runs on that server: none heard), and the password is never printed.
      expect(admitted.status).toBe(1);
      expect(lastJson(admitted.stdout).hosts.map((h: { state: string }) => h.state)).toEqual([
        'not-heard',
        'not-heard',
      ]);
      expect(admitted.stdout + admitted.stderr).not.toContain('secret-pass');
    } finally {
      await locked.stop();
    }

    chmodSync(join(dir, 'watcher.key'), 0o644);
    try {
      const open = await keelAsync([
        'cluster',
        'status',
        '--cluster',
        nats.url,
        '--cluster-credentials',
        creds,
      ]);
      expect(open.status).toBe(2);
      expect(open.stderr).toContain(`chmod 600 ${join(dir, 'watcher.key')}`);
      expect(open.stderr).not.toContain('PRIVATE KEY');
    } finally {
      chmodSync(join(dir, 'watcher.key'), 0o600);
    }
  }, 60_000);

  it('explains its usage', async () => {
    const help = await keelAsync(['cluster', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('keel cluster status --cluster');
    const none = await keelAsync(['cluster']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('status or keygen');
    const noFlags = await keelAsync(['cluster', 'status']);
    expect(noFlags.status).toBe(2);
    expect(noFlags.stderr).toContain('needs --cluster');
  }, 30_000);
});
