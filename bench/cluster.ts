/**
 * Cross-host messaging: two kernels in one process, each with its own NATS connection to a
 * local nats-server (so every message crosses a real socket twice and is signed and checked),
 * next to the same pair inside one kernel, in one run; and the cost of signing and checking one
 * envelope. Needs `nats-server` (Debian's package) on the PATH or in /usr/sbin.
 *
 *   npm run build && node dist/bench/cluster.js [--quick]
 *
 * Writes bench/results/cluster-<date>[-quick].json and .md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { decode, encode, type Header, verifies } from '../host/cluster/envelope.js';
import { generateHostKey, joinLattice, Kernel, type Lattice } from '../host/index.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 500 : 3_000;
const STREAM = quick ? 2_000 : 20_000;

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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const probe = new Uint8Array(readFileSync(repoPath('guests/as/probe/probe.wasm')));
const grants = [
  'keel:kernel/log',
  { interface: 'keel:kernel/ipc', scope: { peers: [] } },
  { interface: 'keel:kernel/events', scope: { publish: [], subscribe: [] } },
];

async function host(): Promise<Kernel> {
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
  return kernel;
}

interface Row {
  name: string;
  requests_per_s: number;
  p50_us: number;
  p99_us: number;
  stream_per_s: number;
}

async function measure(name: string, from: Kernel, counter: Kernel): Promise<Row> {
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) await from.sched.request('/b/echo', 'echo warm');
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await from.sched.request('/b/echo', 'echo ping');
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  // A stream: STREAM messages to the sink, until all were delivered there.
  let delivered = 0;
  const off = counter.on('ipc:deliver', (e) => {
    if (e.data?.to && String(e.data.kind) === 'message' && String(e.data.from).startsWith('host'))
      delivered++;
  });
  const streamStart = performance.now();
  for (let i = 0; i < STREAM; i++) {
    from.sched.send('/b/sink', 'x');
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  while (delivered < STREAM) await new Promise((resolve) => setTimeout(resolve, 1));
  const streamSeconds = (performance.now() - streamStart) / 1000;
  off();
  return {
    name,
    requests_per_s: Math.round(REQUESTS / elapsed),
    p50_us: Math.round(percentile(samples, 50)),
    p99_us: Math.round(percentile(samples, 99)),
    stream_per_s: Math.round(STREAM / streamSeconds),
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
  const n = quick ? 2_000 : 20_000;
  let frame = encode(header, body, key);
  let t = performance.now();
  for (let i = 0; i < n; i++) frame = encode({ ...header, s: i + 1 }, body, key);
  const sign = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) {
    const decoded = decode(frame);
    if (!('header' in decoded) || !verifies(decoded, pub)) throw new Error('does not verify');
  }
  const check = ((performance.now() - t) * 1000) / n;
  return { sign_us: Math.round(sign * 100) / 100, check_us: Math.round(check * 100) / 100 };
}

const nats = await startNats();
const lattices: Lattice[] = [];
try {
  const local = await host();
  const localRow = await measure('one kernel (embedder → sandbox)', local, local);
  await local.sched.stop();
  await local.close();

  const keys = { a: generateHostKey(), b: generateHostKey() };
  const peers = { a: keys.a.publicKey, b: keys.b.publicKey };
  const a = new Kernel({ cacheDir: false, sched: { requestTimeoutMs: 10_000 } });
  a.sched.start();
  const b = await host();
  lattices.push(
    await joinLattice(b, {
      servers: nats.url,
      lattice: 'bench',
      hostId: 'b',
      credentials: { privateKey: keys.b.privateKey, peers },
    }),
  );
  lattices.push(
    await joinLattice(a, {
      servers: nats.url,
      lattice: 'bench',
      hostId: 'a',
      credentials: { privateKey: keys.a.privateKey, peers },
    }),
  );
  while (lattices[1]!.locate('/b/sink')?.host !== 'b')
    await new Promise((resolve) => setTimeout(resolve, 20));
  const remoteRow = await measure('two kernels over NATS (embedder on a → sandbox on b)', a, b);
  const cost = signing();
  const date = new Date().toISOString().slice(0, 10);
  const command = `node dist/bench/cluster.js${quick ? ' --quick' : ''}`;
  const report = {
    date,
    command,
    node: process.version,
    requests: REQUESTS,
    stream: STREAM,
    rows: [localRow, remoteRow],
    envelope: cost,
  };
  const base = repoPath(`bench/results/cluster-${date}${quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    `# Cross-host messaging (${date})`,
    '',
    `\`${command}\` on ${process.version}; ${REQUESTS} sequential requests (echo) and a stream of ${STREAM} messages, per row. Two kernels in one process, each with its own NATS connection to a local nats-server: every message is signed, crosses two sockets, and is checked.`,
    '',
    '| Pair | requests/s | p50 µs | p99 µs | stream msgs/s |',
    '|---|---|---|---|---|',
    ...report.rows.map(
      (r) => `| ${r.name} | ${r.requests_per_s} | ${r.p50_us} | ${r.p99_us} | ${r.stream_per_s} |`,
    ),
    '',
    `Envelope cost (64-byte body): signing ${cost.sign_us} µs, decoding and checking ${cost.check_us} µs.`,
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
  for (const l of lattices) await l.close();
  await a.sched.stop();
  await b.sched.stop();
  await a.close();
  await b.close();
} finally {
  nats.child.kill('SIGKILL');
}
