/**
 * Real nats-server processes for the cluster tests: on 127.0.0.1 only, on free ports, each
 * killed when its test file ends (also when it fails), at most a few per file.
 *
 * When no `nats-server` is installed these tests skip, saying so, unless KEEL_REQUIRE_NATS=1
 * (as .ci/run sets), in which case its absence fails them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
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
