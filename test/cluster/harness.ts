/**
 * Several kernels in one lattice, each with its own NATS connection to a real nats-server (see
 * test/helpers/nats.ts), each running its scheduler in the background, with the probe guest
 * mounted and its events recorded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHostKey, joinLattice, type Lattice, type LatticeOptions } from '../../host/index.js';
import { type NatsServer, startNats } from '../helpers/nats.js';
import { type IpcWorld, ipcWorld } from '../ipc/harness.js';

export interface Host extends IpcWorld {
  id: string;
  lattice: Lattice;
}

export interface LatticeWorld {
  hosts: Host[];
  keys: Record<string, { privateKey: string; publicKey: string }>;
  close(): Promise<void>;
}

/** Fast heartbeats so that tests see hosts come and go quickly. */
export const FAST = { heartbeatMs: 100, downAfterMs: 600 };

export type WorldOptions = Partial<Omit<LatticeOptions, 'servers' | 'hostId' | 'credentials'>> & {
  /** Options of one host only. */
  perHost?: Record<string, Partial<LatticeOptions>>;
  /** Host ids every host trusts but that run no kernel (their keys are in `keys`: for attacks). */
  phantoms?: string[];
};

export async function latticeWorld(
  url: string,
  ids: string[],
  options: WorldOptions = {},
): Promise<LatticeWorld> {
  const { perHost = {}, phantoms = [], ...shared } = options;
  const keys = Object.fromEntries([...ids, ...phantoms].map((id) => [id, generateHostKey()]));
  const peers = Object.fromEntries([...ids, ...phantoms].map((id) => [id, keys[id]!.publicKey]));
  const lattice = shared.lattice ?? `t${Math.random().toString(36).slice(2, 10)}`;
  const hosts: Host[] = [];
  for (const id of ids) {
    const world = await ipcWorld({ sched: { requestTimeoutMs: 5_000 } });
    const joined = await joinLattice(world.kernel, {
      servers: url,
      lattice,
      hostId: id,
      credentials: { privateKey: keys[id]!.privateKey, peers },
      ...shared,
      ...perHost[id],
      limits: { ...FAST, ...shared.limits, ...perHost[id]?.limits },
    });
    world.kernel.sched.start();
    hosts.push({ ...world, id, lattice: joined });
  }
  return {
    hosts,
    keys,
    async close() {
      for (const host of hosts) {
        await host.lattice.close();
        await host.kernel.sched.stop();
        await host.close();
      }
    },
  };
}

type HostKey = ReturnType<typeof generateHostKey>;

/**
 * A kernel of this process (`hostId`) in a lattice of its own with a host `cli` that the test
 * starts as a process (`keel up --cluster`), on a NATS server of their own. Each trusts the
 * other; `creds` is the `cli` host's `--cluster-credentials` file, written in `dir`.
 */
export interface CliLattice {
  nats: NatsServer;
  host: IpcWorld;
  lattice: Lattice;
  name: string;
  keys: { host: HostKey; cli: HostKey };
  creds: string;
  close(): Promise<void>;
}

export async function cliLattice(
  dir: string,
  hostId: string,
  options: { cli?: Record<string, unknown>; host?: Partial<LatticeOptions> } = {},
): Promise<CliLattice> {
  const keys = { host: generateHostKey(), cli: generateHostKey() };
  const name = `c${Math.random().toString(36).slice(2, 10)}`;
  const creds = join(dir, 'creds.json');
  writeFileSync(
    creds,
    JSON.stringify({
      lattice: name,
      hostId: 'cli',
      privateKey: keys.cli.privateKey,
      peers: { [hostId]: keys.host.publicKey },
      ...options.cli,
    }),
  );
  const nats = await startNats();
  let host: IpcWorld | undefined;
  let lattice: Lattice;
  try {
    host = await ipcWorld();
    lattice = await joinLattice(host.kernel, {
      servers: nats.url,
      lattice: name,
      hostId,
      credentials: { privateKey: keys.host.privateKey, peers: { cli: keys.cli.publicKey } },
      ...options.host,
    });
  } catch (error) {
    // Nothing left behind when the set-up fails half way.
    await host?.close();
    await nats.stop();
    throw error;
  }
  host.kernel.sched.start();
  return {
    nats,
    host,
    lattice,
    name,
    keys,
    creds,
    async close() {
      await lattice.close();
      await host.kernel.sched.stop();
      await host.close();
      await nats.stop();
    },
  };
}

/** Wait until `check` holds (polling), at most `ms`. */
export async function until(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Wait until every host sees every other up, and announces the services it runs. */
export async function converged(world: LatticeWorld, ms = 5_000): Promise<void> {
  const n = world.hosts.length;
  await until(
    () => world.hosts.every((h) => h.lattice.hosts().filter((p) => p.state === 'up').length === n - 1),
    ms,
    'the hosts to see each other',
  );
}

/** Wait until every other host routes `target` (a path or qualified id) to `host`. */
export async function announced(
  world: LatticeWorld,
  target: string,
  host: string,
  ms = 5_000,
): Promise<void> {
  await until(
    () => world.hosts.filter((h) => h.id !== host).every((h) => h.lattice.locate(target)?.host === host),
    ms,
    `${target} to be announced by ${host}`,
  );
}

/**
 * A Keel host in a process of its own (test/cluster/fixtures/host.mjs, which loads dist/: run
 * `npm run build` first), for tests that kill a host. Resolves when it is ready.
 */
export async function hostProcess(config: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [new URL('./fixtures/host.mjs', import.meta.url).pathname, JSON.stringify({ paths: [], ...config })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${String(config.hostId)} host did not start in 20 s`));
    }, 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${String(config.hostId)} host exited (${code})`));
    });
  });
  return child;
}
