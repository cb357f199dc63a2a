/**
 * `keel up plan --cluster nats://… --cluster-credentials creds.json`: a host started from the
 * command line joins the lattice, serves its plan's sandboxes to the other hosts until the
 * deadline, and ends with status 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey, joinLattice, type Lattice } from '../../host/index.js';
import { BIN, ROOT } from '../cli/harness.js';
import { type NatsServer, skipWithoutNats, startNats } from '../helpers/nats.js';
import { IPC_CACHE, type IpcWorld, ipcWorld, text } from '../ipc/harness.js';
import { until } from './harness.js';

describe.skipIf(skipWithoutNats())('keel up --cluster', () => {
  let nats: NatsServer;
  let alpha: IpcWorld;
  let lattice: Lattice;
  let dir: string;
  let creds: string;
  beforeAll(async () => {
    nats = await startNats();
    const keys = { alpha: generateHostKey(), cli: generateHostKey() };
    const name = `c${Math.random().toString(36).slice(2, 10)}`;
    dir = mkdtempSync(join(tmpdir(), 'keel-cluster-cli-'));
    creds = join(dir, 'creds.json');
    writeFileSync(
      creds,
      JSON.stringify({
        lattice: name,
        hostId: 'cli',
        privateKey: keys.cli.privateKey,
        peers: { alpha: keys.alpha.publicKey },
      }),
    );
    writeFileSync(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        'name: c',
        'deadline: 8s',
        'sandboxes:',
        '  - name: svc',
        `    module: ${join(ROOT, 'guests/as/probe/probe.wasm')}`,
        '    mount: /c/svc',
        '    grants:',
        '      - keel:kernel/log',
        '      - { interface: keel:kernel/ipc, scope: { peers: [] } }',
        '      - { interface: keel:kernel/events, scope: { publish: [], subscribe: [] } }',
        '',
      ].join('\n'),
    );
    alpha = await ipcWorld();
    lattice = await joinLattice(alpha.kernel, {
      servers: nats.url,
      lattice: name,
      hostId: 'alpha',
      credentials: { privateKey: keys.alpha.privateKey, peers: { cli: keys.cli.publicKey } },
      // The CLI host beats at the default pace (1 s): alpha waits as long for it.
    });
    alpha.kernel.sched.start();
  }, 20_000);
  afterAll(async () => {
    await lattice?.close();
    await alpha?.kernel.sched.stop();
    await alpha?.close();
    await nats?.stop();
  });

  it('serves the plan to the other hosts until the deadline', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'up',
        join(dir, 'plan.yaml'),
        '--cluster',
        nats.url,
        '--cluster-credentials',
        creds,
        '--cache-dir',
        IPC_CACHE,
        '--quiet',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(
        () => lattice.locate('/c/svc')?.host === 'cli',
        15_000,
        'the CLI host to announce /c/svc',
      ).catch((error) => {
        throw new Error(`${(error as Error).message}; the CLI said:\n${output}`);
      });
      const reply = await alpha.kernel.sched.request('/c/svc', 'echo from alpha', { timeoutMs: 5_000 });
      expect(text(reply)).toBe('v1 echo from alpha');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(output).toContain('svc');
  }, 40_000);
});
