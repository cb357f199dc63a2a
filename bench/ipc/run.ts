/**
 * The IPC benchmark: messages between two sandboxes in one process, through the kernel's
 * scheduler (grant check, stamp, mailbox, fair-share pick, delivery through the guest's
 * `keel:kernel/handler` export), with the AssemblyScript pingpong guest.
 *
 *   npm run build && node dist/bench/ipc/run.js            writes bench/results/ipc-<date>.{json,md}
 *   node dist/bench/ipc/run.js --quick --no-write          a smaller run, printed only
 *
 * Throughput: ping-pong with 1 and 64 messages in flight, and a one-way stream; messages/s counts
 * every message delivered. Latency: from the moment the kernel accepts a message to the start of
 * its delivery (`ipc:deliver`'s `waited_ms`, read by a hook, which adds its own cost), p50 and
 * p99. Baselines: the same guest's export called directly through its glue (no kernel), and the
 * embedder's `invoke` of it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kernel, type Sandbox } from '../../host/index.js';
import { formatNs, machine } from '../lib/measure.js';

interface Throughput {
  name: string;
  messages: number;
  /** Median over the rounds. */
  messages_per_s: number;
  min_per_s: number;
  max_per_s: number;
  rounds: number;
}

interface Latency {
  name: string;
  samples: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function setup() {
  const kernel = new Kernel({ cacheDir: join(tmpdir(), 'keel-bench-cache') });
  const module = await kernel.load(
    new Uint8Array(readFileSync(join(root, 'guests/as/pingpong/pingpong.wasm'))),
    {
      name: 'pingpong',
    },
  );
  kernel.mount('/bench/a', module);
  kernel.mount('/bench/b', module);
  const grants = ['keel:kernel/log', { interface: 'keel:kernel/ipc', scope: { peers: ['/bench/*'] } }];
  const a = await kernel.spawn('/bench/a', { grants, name: 'a' });
  // a streams batches of 1,000 to b: b lets one sender fill its whole mailbox (by default a
  // sender may hold half of it, limits.mailboxSenderPercent).
  const b = await kernel.spawn('/bench/b', { grants, name: 'b', limits: { mailboxSenderPercent: 100 } });
  return { kernel, a, b };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function pingPong(kernel: Kernel, a: Sandbox, window: number, n: number): Promise<number> {
  kernel.sched.send(a, `start /bench/b ${n} ${window}`);
  const started = process.hrtime.bigint();
  const result = await kernel.sched.run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // n pings and n pongs, plus the host's start message.
  const messages = 2 * n;
  if (result.deliveries !== messages + 1)
    throw new Error(`expected ${messages + 1} deliveries, got ${result.deliveries}`);
  return messages / seconds;
}

async function stream(kernel: Kernel, a: Sandbox, batches: number, batch: number): Promise<number> {
  const started = process.hrtime.bigint();
  let delivered = 0;
  for (let i = 0; i < batches; i++) {
    kernel.sched.send(a, `stream /bench/b ${batch}`);
    delivered += (await kernel.sched.run()).deliveries - 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (delivered !== batches * batch)
    throw new Error(`expected ${batches * batch} deliveries, got ${delivered}`);
  return delivered / seconds;
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'no-write': { type: 'boolean' } } });
  const quick = values.quick === true;
  const n = quick ? 5_000 : 50_000;
  const rounds = quick ? 3 : 7;
  const { kernel, a, b } = await setup();
  kernel.sched.send(b, 'serve');
  await kernel.sched.run();

  const throughput: Throughput[] = [];
  const measureRounds = async (name: string, messages: number, once: () => Promise<number>) => {
    await once(); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) rates.push(await once());
    throughput.push({
      name,
      messages,
      messages_per_s: median(rates),
      min_per_s: Math.min(...rates),
      max_per_s: Math.max(...rates),
      rounds,
    });
    process.stderr.write(`${name}: ${Math.round(median(rates)).toLocaleString('en-US')} messages/s\n`);
  };
  await measureRounds('ping-pong a ⇄ b, 1 in flight', 2 * n, () => pingPong(kernel, a, 1, n));
  await measureRounds('ping-pong a ⇄ b, 64 in flight', 2 * n, () => pingPong(kernel, a, 64, n));
  kernel.sched.send(b, 'sink');
  await kernel.sched.run();
  await measureRounds('stream a → b, batches of 1,000', n, () => stream(kernel, a, n / 1000, 1000));
  kernel.sched.send(b, 'serve');
  await kernel.sched.run();

  const latency: Latency[] = [];
  for (const window of [1, 64]) {
    const waits: number[] = [];
    const off = kernel.on('ipc:deliver', (e) => {
      if (e.data?.from !== 'host' && typeof e.data?.waited_ms === 'number')
        waits.push(e.data.waited_ms * 1000);
    });
    await pingPong(kernel, a, window, n);
    off();
    waits.sort((x, y) => x - y);
    latency.push({
      name: `send → delivery, ping-pong with ${window} in flight`,
      samples: waits.length,
      p50_us: percentile(waits, 50),
      p99_us: percentile(waits, 99),
      max_us: waits[waits.length - 1]!,
    });
  }

  // Baselines: the handler export called without the kernel's scheduling.
  const body = new TextEncoder().encode('0123456789abcdef');
  kernel.sched.send(b, 'sink');
  await kernel.sched.run();
  const onMessage = b.fn<(sender: string, body: Uint8Array, request: bigint) => void>(
    'keel:kernel/handler#on-message',
  );
  const direct = (count: number) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) onMessage('sbx_1', body, 0n);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  direct(n);
  const directRate = median(Array.from({ length: rounds }, () => direct(n)));
  const invoked = (count: number) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) b.invokeSync('keel:kernel/handler#on-message', ['sbx_1', body, 0n]);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  invoked(n);
  const invokeRate = median(Array.from({ length: rounds }, () => invoked(n)));
  await kernel.close();

  const baselines = [
    {
      name: 'on-message through sandbox.fn, the canonical ABI fast path (no mailbox), calls/s',
      per_s: directRate,
    },
    { name: 'on-message through sandbox.invokeSync (no mailbox), calls/s', per_s: invokeRate },
  ];
  const date = new Date().toISOString();
  const command = `npm run build && node dist/bench/ipc/run.js${quick ? ' --quick' : ''}`;
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  const report = {
    suite: 'ipc',
    date,
    command,
    quick,
    machine: machine(),
    load,
    throughput,
    latency,
    baselines,
  };
  const md = markdown(report);
  process.stdout.write(md);
  if (values['no-write']) return;
  const dir = join(root, 'bench/results/');
  mkdirSync(dir, { recursive: true });
  const stamp = `${date.slice(0, 10)}${quick ? '-quick' : ''}`;
  writeFileSync(`${dir}ipc-${stamp}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${dir}ipc-${stamp}.md`, md);
}

function rate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function markdown(report: {
  date: string;
  command: string;
  machine: ReturnType<typeof machine>;
  load: number[];
  throughput: Throughput[];
  latency: Latency[];
  baselines: { name: string; per_s: number }[];
}): string {
  const m = report.machine;
  const pingpong = report.throughput[0]!.messages_per_s;
  return [
    '# Keel IPC benchmark',
    '',
    `${report.date} · \`${report.command}\` · ${m.cpu} (${m.cores} cores, ${m.arch}, ${m.memory_gib} GiB) · Node ${m.node} (V8 ${m.v8}) · load average ${report.load.join(', ')} at the end`,
    '',
    'Two AssemblyScript sandboxes (`guests/as/pingpong`) in one process, 16-byte messages, every',
    'message through the kernel: grant check, sender stamp, bounded mailbox, fair-share pick, delivery',
    'to `keel:kernel/handler#on-message` within a fuel slice. No event observer attached (except for',
    'latency, which reads `ipc:deliver` events).',
    '',
    '## Throughput',
    '',
    '| Scenario | Messages per round | Median msg/s | Min | Max | Rounds |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.throughput.map(
      (t) =>
        `| ${t.name} | ${rate(t.messages)} | **${rate(t.messages_per_s)}** | ${rate(t.min_per_s)} | ${rate(t.max_per_s)} | ${t.rounds} |`,
    ),
    '',
    `Per message (ping-pong, 1 in flight): ${formatNs(1e9 / pingpong)} all included (the sender's \`send\`, the`,
    "receiver's delivery and its handler).",
    '',
    '## Latency (accepted → delivery starts)',
    '',
    '| Scenario | Samples | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    ...report.latency.map(
      (l) =>
        `| ${l.name} | ${rate(l.samples)} | ${l.p50_us.toFixed(2)} µs | ${l.p99_us.toFixed(2)} µs | ${l.max_us.toFixed(1)} µs |`,
    ),
    '',
    '## Baselines (same guest, same handler, without the mailbox)',
    '',
    '| Call | Per second | Per call | Delivery / this |',
    '|---|---:|---:|---:|',
    ...report.baselines.map(
      (b) =>
        `| ${b.name} | ${rate(b.per_s)} | ${formatNs(1e9 / b.per_s)} | ${(b.per_s / pingpong).toFixed(2)} |`,
    ),
    '',
  ].join('\n');
}

await main();
