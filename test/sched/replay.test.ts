/**
 * Replay: the same plan in deterministic mode gives the same event log twice, timestamps aside
 * (`ts`, and `duration_ms`, which measures the host), even with a crash loop, restarts with
 * backoff, timeouts and timed signals in it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan, runPlan } from '../../host/cli/up.js';
import { parsePlan } from '../../host/policy/plan.js';
import { PLACEMENTS } from '../helpers/placements.js';
import { IPC_CACHE } from '../ipc/harness.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-replay-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const plans = fileURLToPath(new URL('../../guests/plans/', import.meta.url));
const probe = fileURLToPath(new URL('../../guests/as/probe/probe.wasm', import.meta.url));

function normalized(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { ts: _ts, duration_ms: _duration, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });
}

it('replays the sample pipeline plan exactly', async () => {
  const plan = await readPlan(join(plans, 'pipeline.yaml'));
  const logs = [join(scratch, 'a.jsonl'), join(scratch, 'b.jsonl')];
  for (const log of logs) await runPlan(plan, { baseDir: plans, log, cacheDir: IPC_CACHE });
  const [a, b] = logs.map(normalized);
  expect(a!.length).toBeGreaterThan(300);
  expect(b).toEqual(a);
});

describe.each(PLACEMENTS)('%s placement', (placement) => {
  it('replays a busier plan: a flood, a crash loop under backoff, requests timing out, timed signals', async () => {
    const grants = (peers: string[]) => [
      'keel:kernel/log',
      { interface: 'keel:kernel/ipc', scope: { peers } },
      { interface: 'keel:kernel/events', scope: { publish: ['t.*'], subscribe: ['t.*'] } },
    ];
    const plan = parsePlan({
      version: 1,
      name: 'busy',
      deterministic: { seed: 7 },
      sandboxes: [
        { name: 'flooder', module: probe, grants: grants(['/busy/victim']), weight: 2 },
        { name: 'victim', module: probe, grants: grants([]), limits: { mailboxLength: 64 } },
        {
          name: 'crasher',
          module: probe,
          grants: grants(['/busy/victim']),
          restart: { policy: 'on-failure', maxRestarts: 4, backoff: { initial: '10ms', factor: 3 } },
          links: ['victim'],
        },
        { name: 'asker', module: probe, grants: grants(['/busy/*']), subscribe: ['t.*'] },
      ].map((sandbox) => ({ ...sandbox, placement })),
      messages: [
        { to: 'flooder', text: 'flood /busy/victim 500 32' },
        { to: 'asker', text: 'request /busy/victim 5 echo' },
        { to: 'asker', text: 'publish t.x hi' },
        ...Array.from({ length: 6 }, (_, i) => ({
          to: 'crasher',
          text: i % 2 ? 'trap' : 'send /busy/victim x',
          at: `${i * 7}ms`,
        })),
        { to: 'flooder', text: 'flood /busy/victim 300 8', at: '50ms' },
      ],
      signals: [
        { to: 'victim', signal: 'stop', at: '1ms' },
        { to: 'victim', signal: 'cont', at: '40ms' },
        { to: 'asker', signal: 'int', at: '45ms' },
      ],
    });
    const logs = [join(scratch, `c-${placement}.jsonl`), join(scratch, `d-${placement}.jsonl`)];
    const summaries = [];
    for (const log of logs)
      summaries.push(await runPlan(plan, { baseDir: scratch, log, cacheDir: IPC_CACHE }));
    expect(summaries[0]!.events['sandbox:restart']).toBeGreaterThan(1);
    expect(summaries[0]!.events['ipc:drop']).toBeGreaterThan(0);
    const [c, d] = logs.map(normalized);
    expect(d).toEqual(c);
  });
});
