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
import type { Lattice } from '../../host/index.js';
import { BIN, ROOT } from '../cli/harness.js';
import { skipWithoutNats } from '../helpers/nats.js';
import { IPC_CACHE, type IpcWorld, text } from '../ipc/harness.js';
import { type CliLattice, cliLattice, until } from './harness.js';

describe.skipIf(skipWithoutNats())('keel up --cluster', () => {
  let w: CliLattice;
  let alpha: IpcWorld;
  let lattice: Lattice;
  let dir: string;
  let creds: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-cluster-cli-'));
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
    // The CLI host beats at the default pace (1 s): alpha waits as long for it.
    w = await cliLattice(dir, 'alpha');
    ({ host: alpha, lattice, creds } = w);
  }, 20_000);
  afterAll(() => w?.close());

  it('serves the plan to the other hosts until the deadline', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'up',
        join(dir, 'plan.yaml'),
        '--cluster',
        w.nats.url,
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
