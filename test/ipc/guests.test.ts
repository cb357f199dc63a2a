/**
 * The kernel-driven AssemblyScript guests and the sample plans: each is claimed by a test (none
 * is left unused), and the benchmark's pingpong guest does what the benchmark counts on.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../host/cli/up.js';
import { Kernel } from '../../host/index.js';
import { guestBytes, IPC_CACHE } from './harness.js';

/** Every AssemblyScript guest, and where it is used. */
const CLAIMED: Record<string, string> = {
  hello: 'test/sdk/hello.test.ts',
  types: 'test/sdk/types.test.ts',
  probe: 'test/ipc, test/hostile/ipc, test/sched',
  'probe-v2': 'test/ipc/supervision.test.ts, test/hostile/ipc/upgrade-under-load.test.ts',
  pingpong: 'bench/ipc, and below',
  'pipeline-source': 'guests/plans/pipeline.yaml (test/cli/up.test.ts, test/sched/replay.test.ts)',
  'pipeline-upper': 'guests/plans/pipeline.yaml',
  'pipeline-flaky': 'guests/plans/pipeline.yaml',
  'pipeline-sink': 'guests/plans/pipeline.yaml',
};

describe('guests and plans', () => {
  it('are all claimed (no guest is left unused)', () => {
    const present = readdirSync(new URL('../../guests/as/', import.meta.url), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(present).toEqual(Object.keys(CLAIMED).sort());
  });

  it('every sample plan is valid and names guests of the repository', async () => {
    const dir = new URL('../../guests/plans/', import.meta.url);
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files).toEqual(['pipeline.yaml']);
    for (const file of files) {
      const plan = await readPlan(new URL(file, dir).pathname);
      for (const s of plan.sandboxes) {
        expect(Object.keys(CLAIMED)).toContain(/\/as\/([^/]+)\//.exec(s.module)?.[1]);
      }
    }
  });
});

describe('pingpong (the benchmark guest)', () => {
  let kernel: Kernel;
  beforeAll(() => {
    kernel = new Kernel({ cacheDir: IPC_CACHE, deterministic: true });
  });
  afterAll(() => kernel.close());

  it('plays n round trips with a window, streams, and counts', async () => {
    const module = await kernel.load(guestBytes('pingpong'), { name: 'pingpong' });
    kernel.mount('/pp/a', module);
    kernel.mount('/pp/b', module);
    const grants = ['keel:kernel/log', { interface: 'keel:kernel/ipc', scope: { peers: ['/pp/*'] } }];
    const a = await kernel.spawn('/pp/a', { grants });
    const b = await kernel.spawn('/pp/b', { grants });
    const logs: string[] = [];
    kernel.on('guest:log', (e) => void logs.push(String(e.data?.message)));
    kernel.sched.send(b, 'serve');
    await kernel.sched.run();
    kernel.sched.send(a, 'start /pp/b 1000 8');
    expect((await kernel.sched.run()).deliveries).toBe(2001);
    expect(logs).toEqual(['done 1000']);
    kernel.sched.send(b, 'sink');
    kernel.sched.send(a, 'stream /pp/b 500');
    expect((await kernel.sched.run()).deliveries).toBe(502);
    const count = await b.invoke('keel:kernel/handler#handle', [new Uint8Array()]);
    expect(new TextDecoder().decode(Uint8Array.from(count.value as number[]))).toBe('1500');
  });
});
