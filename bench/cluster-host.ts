/**
 * The far host of the cluster bench's two-process case (bench/cluster.ts forks it): a kernel
 * with the probe at /b/echo and /b/sink, joined to the lattice named on its command line. It
 * notes when each message reaches the sink (`ipc:deliver`, on the clock both processes share:
 * performance.timeOrigin + performance.now()), and answers the parent over the IPC channel:
 *
 *   { op: 'reset' }   forget the deliveries noted           → { op, cpu }
 *   { op: 'count' }   how many were noted                   → { op, count, cpu }
 *   { op: 'report' }  the deliveries noted (ms timestamps)  → { op, deliveries, cpu }
 *   { op: 'stop' }    leave the lattice and exit
 *
 * `cpu` is this process's `process.cpuUsage()` (µs, user and system).
 */
import { readFileSync } from 'node:fs';
import { joinLattice, Kernel } from '../host/index.js';
import { repoPath } from './lib/paths.js';

interface Config {
  servers: string;
  lattice: string;
  hostId: string;
  privateKey: string;
  peers: Record<string, string>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const probe = new Uint8Array(readFileSync(repoPath('guests/as/probe/probe.wasm')));
const grants = [
  'keel:kernel/log',
  { interface: 'keel:kernel/ipc', scope: { peers: [] } },
  { interface: 'keel:kernel/events', scope: { publish: [], subscribe: [] } },
];

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
  if (e.sandbox === sink.id && String(e.data?.kind) === 'message' && String(e.data?.from).startsWith('host@'))
    deliveries.push(performance.timeOrigin + performance.now());
});
const lattice = await joinLattice(kernel, {
  servers: config.servers,
  lattice: config.lattice,
  hostId: config.hostId,
  credentials: { privateKey: config.privateKey, peers: config.peers },
});

process.on('message', async (message: { op: string }) => {
  if (message.op === 'reset') {
    deliveries = [];
    process.send!({ op: 'reset', cpu: process.cpuUsage() });
  } else if (message.op === 'count') {
    process.send!({ op: 'count', count: deliveries.length, cpu: process.cpuUsage() });
  } else if (message.op === 'report') {
    process.send!({ op: 'report', deliveries, cpu: process.cpuUsage() });
  } else if (message.op === 'stop') {
    await lattice.close();
    await kernel.sched.stop();
    await kernel.close();
    process.exit(0);
  }
});
process.send!({ op: 'ready' });
