/**
 * `keel up` and plans: the schema and its readable errors, the sample pipeline plan end to end
 * through the CLI (summary, JSON, JSONL log, exit status), JSON plans, deadlines.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRecordSchema } from '../../host/index.js';
import { parseDuration, parsePlan, planJsonSchema } from '../../host/policy/plan.js';
import { IPC_CACHE } from '../ipc/harness.js';

const bin = fileURLToPath(new URL('../../bin/keel.js', import.meta.url));
const plans = fileURLToPath(new URL('../../guests/plans/', import.meta.url));
const guests = fileURLToPath(new URL('../../guests/as/', import.meta.url));
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-up-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function keel(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
}

describe('plan schema', () => {
  const minimal = { version: 1, name: 'p', sandboxes: [{ name: 'a', module: 'a.wasm' }] };

  it('resolves defaults: mount paths, durations, sizes, restart policies, message bodies', () => {
    const plan = parsePlan({
      ...minimal,
      deadline: '2s',
      sandboxes: [
        {
          name: 'a',
          module: 'a.wasm',
          limits: { messageSize: '1KiB', mailboxLength: 8 },
          restart: { policy: 'on-failure', window: '1m', backoff: { initial: '250ms', max: 5 } },
          weight: 3,
          links: ['b'],
        },
        { name: 'b', module: 'b.wasm', mount: '/x/b', subscribe: ['jobs.*'], placement: 'worker' },
      ],
      messages: [
        { to: 'a', text: 'hi' },
        { to: '/x/b', json: { n: 1 }, at: '1.5s' },
        { to: 'b', base64: 'AAE=' },
      ],
      signals: [{ to: 'b', signal: 'term', at: 100 }],
    });
    expect(plan.deadlineMs).toBe(2000);
    expect(plan.sandboxes[0]).toMatchObject({
      mount: '/p/a',
      limits: { messageBytes: 1024, mailboxLength: 8 },
      sched: {
        weight: 3,
        restart: { policy: 'on-failure', windowMs: 60_000, backoff: { initialMs: 250, maxMs: 5 } },
      },
    });
    expect(plan.sandboxes[1]).toMatchObject({
      mount: '/x/b',
      placement: 'worker',
      sched: { subscribe: ['jobs.*'] },
    });
    expect(plan.sandboxes[0]).not.toHaveProperty('placement');
    expect(plan.messages.map((m) => [m.to, [...m.body], m.atMs])).toEqual([
      ['/p/a', [104, 105], 0],
      ['/x/b', [...new TextEncoder().encode('{"n":1}')], 1500],
      ['/x/b', [0, 1], 0],
    ]);
    expect(plan.signals).toEqual([{ to: '/x/b', signal: 'term', atMs: 100 }]);
    expect(parseDuration('1m')).toBe(60_000);
  });

  it('reports every mistake with its path, one per line', () => {
    const attempt = () =>
      parsePlan(
        {
          version: 2,
          name: 'Bad',
          sandboxes: [
            {
              name: 'a',
              module: 'a.wasm',
              restart: { policy: 'always' },
              subscribe: ['a..b'],
              colour: 'red',
            },
          ],
          deadline: 'soon',
        },
        'plan.yaml',
      );
    expect(attempt).toThrow(/^plan\.yaml is invalid:/);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^ {2}version: /m);
      expect(message).toMatch(/^ {2}name: lowercase letters/m);
      expect(message).toMatch(/^ {2}sandboxes\.0\.restart\.policy: /m);
      expect(message).toMatch(/^ {2}sandboxes\.0\.subscribe\.0: a topic pattern/m);
      expect(message).toMatch(/^ {2}sandboxes\.0: Unrecognized key.*colour/m);
      expect(message).toMatch(/^ {2}deadline: /m);
      expect((error as { code?: string }).code).toBe('invalid-argument');
    }
  });

  it('checks what refers to what: names, mounts, links, targets, bodies', () => {
    expect(() =>
      parsePlan({
        version: 1,
        name: 'p',
        sandboxes: [
          { name: 'a', module: 'a.wasm', mount: '/m', links: ['zz', 'a'] },
          { name: 'a', module: 'b.wasm', mount: '/m' },
        ],
        messages: [{ to: 'nobody', text: 'x' }, { to: 'a' }],
        signals: [{ to: '/elsewhere', signal: 'kill' }],
      }),
    ).toThrow(
      new RegExp(
        [
          'sandboxes\\.1\\.name: "a" is used twice',
          'sandboxes\\.1\\.mount: /m is already the mount of "a"',
          'sandboxes\\.0\\.links\\.0: no sandbox is named "zz"',
          'sandboxes\\.0\\.links\\.1: a sandbox cannot be linked to itself',
          'messages\\.0\\.to: "nobody" is not a sandbox name or mount path of this plan',
          'messages\\.1: give exactly one of text, json or base64',
          'signals\\.0\\.to: "/elsewhere" is not',
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('publishes a JSON Schema for editors in docs/plan.schema.json, kept current', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../docs/plan.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(planJsonSchema());
  });
});

describe('keel up', () => {
  it('runs the sample pipeline: flaky is killed and restarted, the run ends idle, the log is valid', () => {
    const log = join(scratch, 'pipeline.jsonl');
    const r = keel('up', join(plans, 'pipeline.yaml'), '--log', log, '--cache-dir', IPC_CACHE);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[source (sbx_1)] sent 20 items');
    expect(r.stdout).toMatch(/! flaky \(sbx_3\): policy violation \(max-denials\), killed/);
    expect(r.stdout).toMatch(/~ flaky \(sbx_3\): restart 1 in 50 ms/);
    expect(r.stdout).toMatch(
      /linked stage went down: \{"sandbox":"sbx_3","name":"flaky","reason":"policy-violation","restart":true\}/,
    );
    expect(r.stdout).toMatch(/plan pipeline .*: idle after \d+ deliveries/);
    expect(r.stdout).toMatch(
      /^ {2}flaky +\/pipeline\/flaky +running +\d+ +\d+ +2 +2 +2 +sbx_3 sbx_5 sbx_6$/m,
    );
    expect(r.stdout).toMatch(/^ {2}sink +\/pipeline\/sink +ended \(term\)/m);
    expect(r.stdout).toContain(`log written to ${log}`);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines) expect(eventRecordSchema().safeParse(line).success).toBe(true);
    expect(lines.filter((l) => l.event === 'policy:violation')).toHaveLength(2);
    expect(lines[0].event).toBe('kernel:start');
    expect(lines.at(-1).event).toBe('kernel:stop');
  });

  it('prints one JSON summary with --json', () => {
    const r = keel('up', join(plans, 'pipeline.yaml'), '--json', '--cache-dir', IPC_CACHE);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({
      ok: true,
      plan: 'pipeline',
      reason: 'idle',
      deterministic: true,
      failures: [],
    });
    expect(summary.sandboxes.map((s: { name: string }) => s.name)).toEqual([
      'source',
      'upper',
      'flaky',
      'sink',
    ]);
    expect(summary.events['sandbox:restart']).toBe(2);
  });

  it('runs a JSON plan, and stops at the deadline with exit status 1', () => {
    const file = join(scratch, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'spin',
        sandboxes: [
          {
            name: 'probe',
            module: join(guests, 'probe/probe.wasm'),
            grants: ['keel:kernel/log', 'keel:kernel/ipc', 'keel:kernel/events'],
          },
        ],
        messages: [
          { to: 'probe', text: 'hello' },
          { to: 'probe', text: 'late', at: '10m' },
        ],
      }),
    );
    const r = keel('up', file, '--deterministic', '--deadline', '1s', '--json', '--cache-dir', IPC_CACHE);
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ ok: false, reason: 'deadline', deliveries: 1, duration_ms: 1000 });
  });

  it('refuses a bad plan with exit status 2 and a readable message', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'version: 1\nname: x\nsandboxes:\n  - name: A\n    module: a.wasm\n');
    const r = keel('up', file);
    expect(r.status).toBe(2);
    // YAML problems are located by line.
    expect(r.stderr).toContain(
      `error[invalid-argument]: ${file} is not a valid plan:\n  line 4: sandboxes.0.name: lowercase letters`,
    );
    writeFileSync(file, 'version: [1\n');
    expect(keel('up', file).stderr).toMatch(/bad\.yaml:\d+:\d+: not valid YAML: /);
    expect(keel('up').status).toBe(2);
  });

  it('reads a plan without a .yaml or .json extension by its content, and says which format failed', () => {
    const file = join(scratch, 'plan.txt');
    writeFileSync(file, 'version: 1\nname: x\nsandboxes: []\n');
    const r = keel('up', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${file} is not a valid plan:\n  line 3: sandboxes: a plan needs at least one sandbox`,
    );
    writeFileSync(file, '{"version": 1,');
    expect(keel('up', file).stderr).toContain(`${file} is not valid JSON: `);
  });

  it('summarizes a plan that sends nothing, and refuses a --log it cannot write', () => {
    const file = join(scratch, 'quiet.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'quiet',
        sandboxes: [{ name: 'probe', module: join(guests, 'probe/probe.wasm'), grants: ['keel:kernel/*'] }],
      }),
    );
    const r = keel('up', file, '--cache-dir', IPC_CACHE);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n\d+ events \(nothing was sent, published or signalled\)\n$/);
    const toDir = keel('up', file, '--log', scratch, '--cache-dir', IPC_CACHE);
    expect(toDir.status).toBe(2);
    expect(toDir.stderr).toContain(`--log ${scratch} is a directory`);
  });

  it('names the sandbox that did not start', () => {
    const file = join(scratch, 'denied.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'd',
        sandboxes: [{ name: 'probe', module: join(guests, 'probe/probe.wasm') }],
      }),
    );
    const r = keel('up', file, '--cache-dir', IPC_CACHE);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error\[capability-denied\]: sandbox "probe" did not start: probe imports keel:kernel\/events@[\d.]+, which was not granted\n/,
    );
    // The advice fits a plan: no CLI flag.
    expect(r.stderr).toMatch(/hint: add keel:kernel\/events, .* to the sandbox's grants in the plan\n$/);
  });

  it('has help', () => {
    const r = keel('up', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: keel up <plan.json|plan.yaml>');
    expect(keel('help', 'up').stdout).toContain('Usage: keel up');
    expect(keel('--help').stdout).toContain('up <plan>');
  });
});
