/**
 * Real nats-server processes for the cluster tests: on 127.0.0.1 only, on free ports, each
 * killed when its test file ends (also when it fails), at most a few per file.
 *
 * When no `nats-server` is installed these tests skip, saying so, unless KEEL_REQUIRE_NATS=1
 * (as .ci/run sets), in which case its absence fails them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, it } from 'vitest';

/** The nats-server binary, if one is installed. */
export const NATS_SERVER = findNatsServer();

export const REQUIRE_NATS = process.env.KEEL_REQUIRE_NATS === '1';

function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Declare, in a cluster test file, that it needs nats-server: returns true when the file's
 * tests should be skipped (and adds one test that says why, or that fails under KEEL_REQUIRE_NATS).
 */
export function skipWithoutNats(): boolean {
  if (NATS_SERVER) return false;
  if (REQUIRE_NATS) {
    it('needs nats-server (KEEL_REQUIRE_NATS=1)', () => {
      throw new Error(
        'nats-server is not installed, and KEEL_REQUIRE_NATS=1 requires the cluster tests to run',
      );
    });
  } else {
    it.skip(
      'cluster tests skipped: nats-server is not installed (apt-get install nats-server; .ci/run does)',
    );
  }
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NatsServer {
  url: string;
  port: number;
  /** Kill it (SIGKILL after 2 s of SIGTERM); resolves when it has exited. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let cleanupRegistered = false;

/** Start a nats-server on a free 127.0.0.1 port; waits (at most 10 s) until it accepts clients. */
export async function startNats(extraArgs: string[] = []): Promise<NatsServer> {
  if (!NATS_SERVER) throw new Error('nats-server is not installed');
  if (running.size >= 4) throw new Error('at most 4 nats-servers per test file');
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    afterAll(async () => {
      await Promise.all([...running].map((child) => kill(child)));
    });
    // A hook registered from inside a beforeAll that failed may never run: the worker's exit
    // kills what is left, so that no server outlives its test file.
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child);
      reject(new Error(`nats-server did not start within 10 s:\n${log}`));
    }, 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (log.length < 10_000) log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`));
    });
  });
  child.stderr!.resume();
  return { url: `nats://127.0.0.1:${port}`, port, stop: () => kill(child) };
}

/**
 * A nats-server with JetStream (`-js`), its store in a temporary directory removed when it stops
 * (and when the test file ends).
 */
export async function startNatsJetStream(): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-jetstream-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  afterAll(remove);
  let server: NatsServer;
  try {
    server = await startNats(['-js', '-sd', dir]);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    ...server,
    async stop() {
      await server.stop();
      remove();
    },
  };
}

/**
 * A cluster of `size` nats-servers (3 by default) on 127.0.0.1, each routed to the others; waits
 * until every one has a route to every other, so that a client of one reaches the clients of all.
 */
export async function startNatsCluster(size = 3): Promise<NatsServer[]> {
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) routePorts.push(await freePort());
  const name = `keel${Math.random().toString(36).slice(2, 8)}`;
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const servers: NatsServer[] = [];
  try {
    for (const port of routePorts) {
      servers.push(
        await startNats([
          '--cluster_name',
          name,
          '--cluster',
          `nats://127.0.0.1:${port}`,
          '--routes',
          routes,
        ]),
      );
    }
    // Routes are up when a client of each server is answered by a client of every other.
    await routed(servers);
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return servers;
}

async function routed(servers: NatsServer[]): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const clients = await Promise.all(servers.map((s) => connect({ servers: s.url })));
  try {
    const deadline = Date.now() + 15_000;
    for (const [i, listener] of clients.entries()) {
      const subject = `keel.routes.${i}`;
      const sub = listener.subscribe(subject, { callback: (_error, msg) => void msg.respond() });
      await listener.flush();
      for (const [j, talker] of clients.entries()) {
        if (j === i) continue;
        for (;;) {
          if (Date.now() > deadline) throw new Error('the nats-server cluster did not form within 15 s');
          const answer = await talker
            .request(subject, new Uint8Array(0), { timeout: 300 })
            .then(() => true)
            .catch(() => false);
          if (answer) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      sub.unsubscribe();
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
