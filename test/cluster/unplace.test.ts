/**
 * `keel up --cluster` ends, and what it placed on other hosts ends with it: two kernel processes
 * (the `keel up` CLI, and this test's kernel, beta, which accepts placements). The plan places
 * two sandboxes on beta; when `keel up` is interrupted (SIGINT) or reaches its deadline, beta
 * stops and unmounts the one placed by default, and keeps the one marked `outlive`; when it is
 * killed (SIGKILL: no unplace, no goodbye), the placement's lease ends when beta declares it
 * down, and the `outlive` one stays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan, runPlan } from '../../host/cli/up.js';
import { BIN, lastJson, ROOT, scratchDir } from '../cli/harness.js';
import { skipWithoutNats } from '../helpers/nats.js';
import { IPC_CACHE, type IpcWorld } from '../ipc/harness.js';
import { type CliLattice, cliLattice, until } from './harness.js';

const PROBE = join(ROOT, 'guests/as/probe/probe.wasm');
const GRANTS = [
  '    grants:',
  '      - keel:kernel/log',
  '      - { interface: keel:kernel/ipc, scope: { peers: [] } }',
  '      - { interface: keel:kernel/events, scope: { publish: [], subscribe: [] } }',
];

describe.skipIf(skipWithoutNats())('keel up --cluster stops what it placed when it ends', () => {
  let w: CliLattice;
  let beta: IpcWorld;
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('unplace');
    w = await cliLattice(dir, 'beta', { host: { accept: true } });
    beta = w.host;
  }, 30_000);
  afterAll(() => w?.close());

  /** The plan: `temp` and `keeper` (outlive) placed on beta, under /<prefix>/. */
  function planFile(prefix: string): string {
    const file = join(dir, `${prefix}.yaml`);
    writeFileSync(
      file,
      [
        'version: 1',
        `name: ${prefix}`,
        'sandboxes:',
        '  - name: temp',
        `    module: ${PROBE}`,
        `    mount: /${prefix}/temp`,
        '    host: beta',
        ...GRANTS,
        '  - name: keeper',
        `    module: ${PROBE}`,
        `    mount: /${prefix}/keeper`,
        '    host: beta',
        '    outlive: true',
        ...GRANTS,
        '',
      ].join('\n'),
    );
    return file;
  }

  function up(
    prefix: string,
    extra: string[],
  ): { child: ChildProcess; done: Promise<{ status: number | null; stdout: string }> } {
    const file = planFile(prefix);
    const child = spawn(
      process.execPath,
      [
        BIN,
        'up',
        file,
        '--cache-dir',
        IPC_CACHE,
        '--json',
        '--cluster',
        w.nats.url,
        '--cluster-credentials',
        w.creds,
        ...extra,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const done = new Promise<{ status: number | null; stdout: string }>((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout });
      }),
    );
    return { child, done };
  }

  const running = (path: string) => beta.kernel.sched.service(path)?.state === 'running';

  function expectEnded(prefix: string, result: { status: number | null; stdout: string }): void {
    expect(result.status, result.stdout.slice(-2000)).toBe(0);
    const summary = lastJson(result.stdout);
    expect(summary.placed.map((p: { name: string; stopped: boolean }) => [p.name, p.stopped])).toEqual([
      ['temp', true],
      ['keeper', false],
    ]);
    // temp is stopped and unmounted on beta; keeper outlives the plan.
    expect(running(`/${prefix}/temp`)).toBe(false);
    expect(beta.kernel.mounted(`/${prefix}/temp`).length).toBe(0);
    expect(running(`/${prefix}/keeper`)).toBe(true);
  }

  it('on SIGINT', async () => {
    const { child, done } = up('sigint', []);
    try {
      await until(() => running('/sigint/temp') && running('/sigint/keeper'), 20_000, 'the placements');
      child.kill('SIGINT');
      expectEnded('sigint', await done);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 45_000);

  it('on SIGKILL: its lease ends once beta declares it down', async () => {
    const { child, done } = up('sigkill', []);
    try {
      await until(() => running('/sigkill/temp') && running('/sigkill/keeper'), 20_000, 'the placements');
      child.kill('SIGKILL');
      expect((await done).status).toBe(null);
      // No goodbye, no unplace: beta declares it down after downAfterMs (5 s) of silence, and
      // ends the lease as long again later (it was not heard again meanwhile).
      await until(() => !running('/sigkill/temp'), 20_000, 'the lease to end');
      expect(beta.kernel.mounted('/sigkill/temp').length).toBe(0);
      expect(running('/sigkill/keeper')).toBe(true);
      expect(beta.named('cluster:expire').map((e) => [e.data?.path, e.data?.placer, e.data?.reason])).toEqual(
        [['/sigkill/temp', 'cli', 'silent']],
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 45_000);

  it('at its deadline', async () => {
    const { child, done } = up('deadline', ['--deadline', '4s']);
    try {
      await until(() => running('/deadline/temp'), 20_000, 'the placement');
      expectEnded('deadline', await done);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 45_000);

  // Last: it joins as `cli` from this process, which beta sees as that host restarted.
  it('on a stop that comes before the run starts (a Ctrl-C while the plan is being placed)', async () => {
    const plan = await readPlan(planFile('early'));
    const summary = await runPlan(plan, {
      baseDir: dir,
      cacheDir: IPC_CACHE,
      deadlineMs: 4_000,
      cluster: {
        servers: w.nats.url,
        lattice: w.name,
        hostId: 'cli',
        credentials: { privateKey: w.keys.cli.privateKey, peers: { beta: w.keys.host.publicKey } },
      },
      // The CLI hands this to its SIGINT handler; the signal comes at once.
      onStop: (stop) => stop(),
    });
    // Not forgotten: the run is stopped, not ended by its deadline.
    expect(summary.reason).toBe('stopped');
    expect(summary.placed.map((p) => [p.name, p.stopped])).toEqual([
      ['temp', true],
      ['keeper', false],
    ]);
    expect(running('/early/temp')).toBe(false);
    expect(running('/early/keeper')).toBe(true);
  }, 45_000);
});
