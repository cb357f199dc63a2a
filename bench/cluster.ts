/**
 * Cross-host messaging, three ways in one run, interleaved: the same pair (the embedder asking a
 * probe sandbox, and streaming messages to another) inside one kernel; in two kernels of one
 * process, each with its own NATS connection to a local nats-server; and in two kernel
 * PROCESSES (the far host is bench/cluster-host.ts, forked) through that nats-server. Every
 * cross-host message is signed, crosses two sockets, and is checked. Per subject: requests/s
 * and round-trip p50/p99 (sequential ping-pong), stream messages/s and send-to-delivery p50/p99
 * (the far kernel notes each `ipc:deliver`; both processes read the same clock), and CPU time per
 * message (the Keel processes, and nats-server apart). Then the cost of signing and of checking
 * one envelope. Rounds rotate the subjects' order; figures are medians over rounds. Needs
 * `nats-server` (Debian's package) on the PATH or in /usr/sbin.
 *
 *   npm run build && node dist/bench/cluster.js [--quick]
 *
 * Writes bench/results/cluster-<date>[-quick].json and .md.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { decode, encode, type Header, verifies } from '../host/cluster/envelope.js';
import { generateHostKey, joinLattice, Kernel, type Lattice } from '../host/index.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const REQUESTS = quick ? 300 : 1_000;
const STREAM = quick ? 1_000 : 5_000;
const CLOCK_TICK_US = 10_000; // /proc/<pid>/stat counts in 1/100 s (USER_HZ)

function natsBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin']) {
    if (dir && existsSync(`${dir}/nats-server`)) return `${dir}/nats-server`;
  }
  throw new Error('nats-server is not installed (apt-get install nats-server)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startNats(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(natsBinary(), ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stderr!.resume();
  return { url: `nats://127.0.0.1:${port}`, child };
}

/** CPU time of another process so far, in µs (utime + stime from /proc). */
function procCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
  } catch {
    return 0;
  }
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const probe = new Uint8Array(readFileSync(repoPath('guests/as/probe/probe.wasm')));
const grants = [
  'keel:kernel/log',
  { interface: 'keel:kernel/ipc', scope: { peers: [] } },
  { interface: 'keel:kernel/events', scope: { publish: [], subscribe: [] } },
];

/** The far side of a subject: where /b/echo and /b/sink run, and what it noted. */
interface Far {
  reset(): Promise<number>;
  count(): Promise<{ count: number; cpu: number }>;
  report(): Promise<{ deliveries: number[]; cpu: number }>;
}

/** A kernel serving /b/echo and /b/sink in this process; its deliveries to the sink noted. */
async function host(): Promise<{ kernel: Kernel; far: Far }> {
  const kernel = new Kernel({ cacheDir: false, sched: { requestTimeoutMs: 10_000 } });
  const module = await kernel.load(probe, { name: 'probe' });
  kernel.mount('/b/echo', module);
  kernel.mount('/b/sink', module);
  await kernel.spawn('/b/echo', { grants });
  const sink = await kernel.spawn('/b/sink', {
    grants,
    limits: { mailboxLength: 100_000, mailboxSenderPercent: 100 },
  });
  kernel.sched.send(sink, 'quiet');
  kernel.sched.start();
  let deliveries: number[] = [];
  kernel.on('ipc:deliver', (e) => {
    if (
      e.sandbox === sink.id &&
      String(e.data?.kind) === 'message' &&
      String(e.data?.from).startsWith('host')
    )
      deliveries.push(now());
  });
  // In this process: its CPU is already counted with the sender's.
  const far: Far = {
    reset: async () => {
      deliveries = [];
      return 0;
    },
    count: async () => ({ count: deliveries.length, cpu: 0 }),
    report: async () => ({ deliveries, cpu: 0 }),
  };
  return { kernel, far };
}

/** The far host in a process of its own, driven over its IPC channel. */
async function farProcess(config: Record<string, unknown>): Promise<{ child: ChildProcess; far: Far }> {
  const child = fork(new URL('./cluster-host.js', import.meta.url).pathname, [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  child.on('message', (message: Record<string, unknown>) => {
    const resolve = waiting.get(String(message.op));
    waiting.delete(String(message.op));
    resolve?.(message);
  });
  const ask = (op: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(op, resolve);
      if (op !== 'ready') child.send({ op });
    });
  const cpuOf = (m: Record<string, unknown>) => {
    const c = m.cpu as { user: number; system: number };
    return c.user + c.system;
  };
  await ask('ready');
  return {
    child,
    far: {
      reset: async () => cpuOf(await ask('reset')),
      count: async () => {
        const m = await ask('count');
        return { count: m.count as number, cpu: cpuOf(m) };
      },
      report: async () => {
        const m = await ask('report');
        return { deliveries: m.deliveries as number[], cpu: cpuOf(m) };
      },
    },
  };
}

interface Subject {
  name: string;
  from: Kernel;
  far: Far;
}

interface Sample {
  requests_per_s: number;
  rtt_p50_us: number;
  rtt_p99_us: number;
  request_cpu_us: number;
  request_nats_cpu_us: number;
  stream_per_s: number;
  stream_p50_us: number;
  stream_p99_us: number;
  stream_cpu_us: number;
  stream_nats_cpu_us: number;
}

async function measure(subject: Subject, natsPid: number | undefined): Promise<Sample> {
  const { from, far } = subject;
  for (let i = 0; i < 20; i++) await from.sched.request('/b/echo', 'echo warm');
  // Ping-pong: sequential requests, each answered by the echo probe.
  const samples: number[] = [];
  let farCpu = await far.reset();
  let cpu = cpuNow();
  let natsCpu = procCpu(natsPid);
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await from.sched.request('/b/echo', 'echo ping');
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = (performance.now() - started) / 1000;
  cpu = cpuNow() - cpu;
  natsCpu = procCpu(natsPid) - natsCpu;
  const afterRequests = await far.count();
  const requestCpu = cpu + (afterRequests.cpu ? afterRequests.cpu - farCpu : 0);
  samples.sort((a, b) => a - b);
  // A stream: STREAM messages to the sink, until the far kernel delivered them all there.
  farCpu = await far.reset();
  const sent: number[] = [];
  cpu = cpuNow();
  let streamNats = procCpu(natsPid);
  for (let i = 0; i < STREAM; i++) {
    sent.push(now());
    from.sched.send('/b/sink', 'x');
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  for (;;) {
    const { count } = await far.count();
    if (count >= STREAM) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  cpu = cpuNow() - cpu;
  streamNats = procCpu(natsPid) - streamNats;
  const report = await far.report();
  const streamCpu = cpu + (report.cpu ? report.cpu - farCpu : 0);
  // Per-pair order holds: the i-th delivery is the i-th message sent.
  const latency = report.deliveries.slice(0, STREAM).map((d, i) => (d - sent[i]!) * 1000);
  latency.sort((a, b) => a - b);
  const streamSeconds = (report.deliveries[STREAM - 1]! - sent[0]!) / 1000;
  return {
    requests_per_s: REQUESTS / elapsed,
    rtt_p50_us: percentile(samples, 50),
    rtt_p99_us: percentile(samples, 99),
    request_cpu_us: requestCpu / REQUESTS,
    request_nats_cpu_us: natsCpu / REQUESTS,
    stream_per_s: STREAM / streamSeconds,
    stream_p50_us: percentile(latency, 50),
    stream_p99_us: percentile(latency, 99),
    stream_cpu_us: streamCpu / STREAM,
    stream_nats_cpu_us: streamNats / STREAM,
  };
}

function signing(): { sign_us: number; check_us: number } {
  const { privateKey, publicKey } = generateHostKey();
  const key = createPrivateKey(privateKey);
  const pub = createPublicKey(publicKey);
  const body = new Uint8Array(64);
  const header = {
    h: 'a',
    e: '0123456789abcdef',
    s: 1,
    t: Date.now(),
    k: 'msg',
    d: 'b',
    f: 'sbx_1',
    to: '/b/echo',
  } as Header;
  const n = quick ? 2_000 : 10_000;
  let frame = encode(header, body, key);
  let t = cpuNow();
  for (let i = 0; i < n; i++) frame = encode({ ...header, s: i + 1 }, body, key);
  const sign = (cpuNow() - t) / n;
  t = cpuNow();
  for (let i = 0; i < n; i++) {
    const decoded = decode(frame);
    if (!('header' in decoded) || !verifies(decoded, pub)) throw new Error('does not verify');
  }
  const check = (cpuNow() - t) / n;
  return { sign_us: sign, check_us: check };
}

const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
const nats = await startNats();
const lattices: Lattice[] = [];
const kernels: Kernel[] = [];
let child: ChildProcess | undefined;
try {
  const keys = { a: generateHostKey(), b: generateHostKey(), c: generateHostKey(), d: generateHostKey() };
  const join = (kernel: Kernel, lattice: string, hostId: 'a' | 'b' | 'c') =>
    joinLattice(kernel, {
      servers: nats.url,
      lattice,
      hostId,
      credentials: {
        privateKey: keys[hostId].privateKey,
        peers:
          lattice === 'one'
            ? { a: keys.a.publicKey, b: keys.b.publicKey }
            : { c: keys.c.publicKey, d: keys.d.publicKey },
      },
    });
  // One kernel.
  const local = await host();
  kernels.push(local.kernel);
  // Two kernels in this process, lattice "one".
  const a = new Kernel({ cacheDir: false, sched: { requestTimeoutMs: 10_000 } });
  a.sched.start();
  const b = await host();
  kernels.push(a, b.kernel);
  lattices.push(await join(b.kernel, 'one', 'b'), await join(a, 'one', 'a'));
  // Two kernel processes, lattice "two": c here, d forked.
  const c = new Kernel({ cacheDir: false, sched: { requestTimeoutMs: 10_000 } });
  c.sched.start();
  kernels.push(c);
  const forked = await farProcess({
    servers: nats.url,
    lattice: 'two',
    hostId: 'd',
    privateKey: keys.d.privateKey,
    peers: { c: keys.c.publicKey, d: keys.d.publicKey },
  });
  child = forked.child;
  lattices.push(await join(c, 'two', 'c'));
  for (const [lattice, target, where] of [
    [lattices[1]!, '/b/sink', 'b'],
    [lattices[2]!, '/b/sink', 'd'],
  ] as const) {
    while (lattice.locate(target)?.host !== where) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const subjects: Subject[] = [
    { name: 'one kernel (embedder → sandbox)', from: local.kernel, far: local.far },
    { name: 'two kernels, one process, over NATS', from: a, far: b.far },
    { name: 'two kernel processes over NATS', from: c, far: forked.far },
  ];
  const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
  const costs: { sign_us: number; check_us: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, so that a burst of load from elsewhere does not always hit one subject.
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(round + k) % subjects.length]!;
      samples.get(subject.name)!.push(await measure(subject, nats.child.pid));
    }
    costs.push(signing());
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const loadAfter = loadavg().map((l) => Number(l.toFixed(2)));
  const keysOf = Object.keys(samples.get(subjects[0]!.name)![0]!) as (keyof Sample)[];
  const rows = subjects.map((s) => {
    const list = samples.get(s.name)!;
    const row: Record<string, number | string> = { name: s.name };
    for (const k of keysOf) row[k] = Math.round(median(list.map((x) => x[k])) * 10) / 10;
    return row as unknown as Sample & { name: string };
  });
  const cost = {
    sign_us: Math.round(median(costs.map((c) => c.sign_us)) * 10) / 10,
    check_us: Math.round(median(costs.map((c) => c.check_us)) * 10) / 10,
  };
  const date = new Date().toISOString().slice(0, 10);
  const command = `node dist/bench/cluster.js${quick ? ' --quick' : ''}`;
  const report = {
    date,
    command,
    node: process.version,
    rounds: ROUNDS,
    requests: REQUESTS,
    stream: STREAM,
    load_before: loadBefore,
    load_after: loadAfter,
    rows,
    samples: Object.fromEntries(samples),
    envelope: cost,
  };
  const base = repoPath(`bench/results/cluster-${date}${quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const md = [
    `# Cross-host messaging (${date})`,
    '',
    `\`${command}\` on ${process.version}; load average (1/5/15 min) ${loadBefore.join(' / ')} before, ${loadAfter.join(' / ')} after (2 cores, shared). Medians of ${ROUNDS} rounds, the subjects' order rotated each round; per round and subject ${REQUESTS} sequential requests (echo) and a stream of ${STREAM} messages (embedder → probe). Cross-host: every message is signed, crosses two sockets through a local nats-server, and is checked. CPU per message: the Keel processes (sender and, in its own process, the far host), and nats-server apart (1/100 s resolution).`,
    '',
    '| Pair | requests/s | RTT p50 µs | RTT p99 µs | CPU µs/request | nats-server µs/request | stream msgs/s | stream p50 µs | stream p99 µs | CPU µs/msg | nats-server µs/msg |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f(r.requests_per_s)} | ${f(r.rtt_p50_us)} | ${f(r.rtt_p99_us)} | ${f(r.request_cpu_us)} | ${f(r.request_nats_cpu_us)} | ${f(r.stream_per_s)} | ${f(r.stream_p50_us)} | ${f(r.stream_p99_us)} | ${f(r.stream_cpu_us)} | ${f(r.stream_nats_cpu_us)} |`,
    ),
    '',
    `Envelope cost (64-byte body, CPU time, median of ${ROUNDS}): signing ${cost.sign_us} µs, decoding and checking ${cost.check_us} µs. A cross-host message is signed once and checked once; a request and its reply, twice each.`,
    '',
    'Stream latency is from `send` on the sender to `ipc:deliver` of the same message on the far host (both read one machine clock); it includes the queueing of a stream sent as fast as the sender can, so it grows with the stream.',
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
} finally {
  if (child) {
    child.send({ op: 'stop' });
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child!.kill('SIGKILL');
        resolve(undefined);
      }, 5_000);
      child!.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
  for (const l of lattices) await l.close();
  for (const k of kernels) {
    await k.sched.stop();
    await k.close();
  }
  nats.child.kill('SIGKILL');
}
