/**
 * Placement from plans: `keel up plan --cluster` runs a sandbox on the host a plan names, on a
 * host with the labels it names, or on the least loaded (`host: "*"`); the plan's messages and
 * links reach the placed sandboxes; a plan that names where a sandbox runs needs --cluster.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../host/index.js';
import { BIN, lastJson, ROOT, scratchDir } from '../cli/harness.js';
import { skipWithoutNats } from '../helpers/nats.js';
import { IPC_CACHE, type IpcWorld, received } from '../ipc/harness.js';
import { type CliLattice, cliLattice, until } from './harness.js';

const PROBE = join(ROOT, 'guests/as/probe/probe.wasm');
const GRANTS = [
  '      grants:',
  '        - keel:kernel/log',
  '        - { interface: keel:kernel/ipc, scope: { peers: ["/pp/**"] } }',
  '        - { interface: keel:kernel/events, scope: { publish: [], subscribe: [] } }',
];

describe('plans that name where a sandbox runs', () => {
  it('are checked: a host or labels, not both; host ids or *', () => {
    const base = { version: 1, name: 'p', sandboxes: [{ name: 'a', module: 'a.wasm' }] };
    const plan = parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', labels: { zone: 'b' } }] });
    expect(plan.sandboxes[0]!.where).toEqual({ labels: { zone: 'b' } });
    expect(
      parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', host: '*' }] }).sandboxes[0]!.where,
    ).toEqual({});
    expect(() =>
      parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', host: 'h', labels: { z: 'b' } }] }),
    ).toThrow(/give host or labels, not both/);
    expect(() => parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', host: 'a.b' }] })).toThrow(
      /a host id of the lattice/,
    );
    expect(parsePlan(base).sandboxes[0]!.where).toBeUndefined();
    expect(
      parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', host: 'h', outlive: true }] })
        .sandboxes[0]!.outlive,
    ).toBe(true);
    expect(() => parsePlan({ ...base, sandboxes: [{ name: 'a', module: 'a.wasm', outlive: true }] })).toThrow(
      /only a sandbox placed in a lattice/,
    );
  });
});

describe.skipIf(skipWithoutNats())('keel up --cluster with placement', () => {
  let w: CliLattice;
  let beta: IpcWorld;
  let dir: string;
  let creds: string;
  beforeAll(async () => {
    dir = scratchDir('plan-placement');
    w = await cliLattice(dir, 'beta', {
      cli: { labels: { zone: 'a' } },
      host: { labels: { zone: 'b' }, accept: true },
    });
    ({ host: beta, creds } = w);
  }, 30_000);
  afterAll(() => w?.close());

  function up(
    plan: string[],
    extra: string[] = [],
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const file = join(dir, `plan-${Math.random().toString(36).slice(2, 8)}.yaml`);
    writeFileSync(file, `${plan.join('\n')}\n`);
    const child = spawn(process.execPath, [BIN, 'up', file, '--cache-dir', IPC_CACHE, '--json', ...extra], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    return new Promise((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      }),
    );
  }

  it('runs each sandbox where the plan says, and the plan reaches them', async () => {
    const result = await up(
      [
        'version: 1',
        'name: pp',
        'deadline: 6s',
        'sandboxes:',
        '  - name: here',
        `    module: ${PROBE}`,
        '    mount: /pp/here',
        ...GRANTS.map((l) => l.slice(2)),
        '    links: [labelled]',
        '  - name: labelled',
        `    module: ${PROBE}`,
        '    mount: /pp/labelled',
        '    labels: { zone: b }',
        '    outlive: true',
        '    subscribe: [pp.news]',
        ...GRANTS.map((l) => l.slice(2)),
        '  - name: named',
        `    module: ${PROBE}`,
        '    mount: /pp/named',
        '    host: beta',
        '    outlive: true',
        ...GRANTS.map((l) => l.slice(2)),
        'messages:',
        '  - { to: labelled, text: "placed-and-reached" }',
        '  - { to: here, text: "send /pp/named from-here" }',
      ],
      ['--cluster', w.nats.url, '--cluster-credentials', creds],
    );
    expect(result.stderr).toBe('');
    expect(result.status, result.stdout.slice(-2000)).toBe(0);
    const summary = lastJson(result.stdout);
    expect(summary.placed).toEqual([
      {
        name: 'labelled',
        host: 'beta',
        sandbox: expect.stringMatching(/^sbx_\d+@beta$/),
        path: '/pp/labelled',
        stopped: false,
      },
      {
        name: 'named',
        host: 'beta',
        sandbox: expect.stringMatching(/^sbx_\d+@beta$/),
        path: '/pp/named',
        stopped: false,
      },
    ]);
    expect(summary.sandboxes.map((s: { name: string }) => s.name)).toEqual(['here']);
    // Both run on beta (they outlive the plan), with the plan's subscription; the plan's messages reached them.
    expect(beta.kernel.sched.service('/pp/labelled')?.state).toBe('running');
    expect(beta.kernel.sched.service('/pp/named')?.state).toBe('running');
    const bodies = (path: string) => received(beta.logs(beta.kernel.sched.service(path)!.sandbox!));
    await until(
      () => bodies('/pp/labelled').some((m) => m.body === 'placed-and-reached' && m.sender === 'host@cli'),
      5_000,
      'the plan message',
    );
    await until(
      () => bodies('/pp/named').some((m) => m.body === 'from-here' && /^sbx_\d+@cli$/.test(m.sender)),
      5_000,
      'the local sandbox message',
    );
    // The plan's subscription travelled with it: one subscriber on beta.
    expect(beta.kernel.sched.publish('pp.news', 'hi')).toBe(1);
  }, 60_000);

  it('places on the least loaded host with host: "*"', async () => {
    // beta runs two sandboxes by now; the plan's host runs none: it is the least loaded.
    const result = await up(
      [
        'version: 1',
        'name: any',
        'deadline: 2s',
        'sandboxes:',
        '  - name: anywhere',
        `    module: ${PROBE}`,
        '    mount: /pp/anywhere',
        '    host: "*"',
        ...GRANTS.map((l) => l.slice(2)),
      ],
      ['--cluster', w.nats.url, '--cluster-credentials', creds],
    );
    expect(result.status).toBe(0);
    expect(lastJson(result.stdout).placed).toEqual([
      {
        name: 'anywhere',
        host: 'cli',
        sandbox: expect.stringMatching(/^sbx_\d+@cli$/),
        path: '/pp/anywhere',
        stopped: true,
      },
    ]);
  }, 60_000);

  it('links two placed sandboxes, on different hosts', async () => {
    const result = await up(
      [
        'version: 1',
        'name: linked',
        'deadline: 2s',
        'sandboxes:',
        '  - name: left',
        `    module: ${PROBE}`,
        '    mount: /pp/left',
        '    host: beta',
        '    links: [right]',
        ...GRANTS.map((l) => l.slice(2)),
        '  - name: right',
        `    module: ${PROBE}`,
        '    mount: /pp/right',
        '    host: cli',
        ...GRANTS.map((l) => l.slice(2)),
      ],
      ['--cluster', w.nats.url, '--cluster-credentials', creds],
    );
    expect(result.status, result.stdout.slice(-2000)).toBe(0);
    expect(lastJson(result.stdout).placed.map((p: { host: string }) => p.host)).toEqual(['beta', 'cli']);
    expect(lastJson(result.stdout).failures).toEqual([]);
  }, 60_000);

  it('needs --cluster, and says so', async () => {
    const result = await up([
      'version: 1',
      'name: nocluster',
      'sandboxes:',
      '  - name: remote',
      `    module: ${PROBE}`,
      '    labels: { zone: b }',
    ]);
    expect(result.status).toBe(2);
    expect(lastJson(result.stdout).error.message).toContain('run keel up with --cluster');
  }, 30_000);
});
