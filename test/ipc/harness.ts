/**
 * Shared pieces of the IPC, scheduler and hostile IPC tests: the probe guests (see
 * guests/as/probe/probe.ts for their command language), a kernel whose events are recorded,
 * grants, and readers for what the probes logged.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GrantInput,
  type KeelEvent,
  Kernel,
  type KernelOptions,
  type ModuleHandle,
  type Sandbox,
  type SpawnOptions,
} from '../../host/index.js';

/** One transpile cache for every IPC test file (entries are content-addressed, written atomically). */
export const IPC_CACHE = join(tmpdir(), 'keel-test-cache-ipc');

export function guestBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../guests/as/${name}/${name}.wasm`, import.meta.url)));
}

export interface Peers {
  peers?: string[];
  publish?: string[];
  subscribe?: string[];
}

/** Grants for a probe: the log, plus IPC and events scoped as given. */
export function grants({ peers = [], publish = [], subscribe = [] }: Peers = {}): GrantInput[] {
  return [
    'keel:kernel/log',
    { interface: 'keel:kernel/ipc', scope: { peers } },
    { interface: 'keel:kernel/events', scope: { publish, subscribe } },
  ];
}

export interface IpcWorld {
  kernel: Kernel;
  events: KeelEvent[];
  probe: ModuleHandle;
  probeV2: ModuleHandle;
  /** Mount the probe at `path` (once) and spawn a sandbox from it. */
  spawn(path: string, options?: SpawnOptions & Peers): Promise<Sandbox>;
  /** What a sandbox logged through keel:kernel/log, in order. */
  logs(sandbox: Sandbox | string): string[];
  /** Events of one name (optionally of one sandbox). */
  named(name: string, sandbox?: Sandbox | string): KeelEvent[];
  close(): Promise<void>;
}

export async function ipcWorld(options: KernelOptions = {}, record = true): Promise<IpcWorld> {
  const kernel = new Kernel({ cacheDir: IPC_CACHE, ...options });
  const events: KeelEvent[] = [];
  if (record) kernel.on('*', (event) => void events.push(event));
  const probe = await kernel.load(guestBytes('probe'), { name: 'probe' });
  const probeV2 = await kernel.load(guestBytes('probe-v2'), { name: 'probe-v2' });
  const mounted = new Set<string>();
  const id = (s: Sandbox | string) => (typeof s === 'string' ? s : s.id);
  return {
    kernel,
    events,
    probe,
    probeV2,
    async spawn(path, spawnOptions = {}) {
      if (!mounted.has(path)) {
        kernel.mount(path, probe);
        mounted.add(path);
      }
      const { peers, publish, subscribe, ...rest } = spawnOptions;
      const sandbox = await kernel.spawn(path, {
        grants: grants({
          ...(peers ? { peers } : {}),
          ...(publish ? { publish } : {}),
          ...(subscribe ? { subscribe } : {}),
        }),
        name: path.slice(path.lastIndexOf('/') + 1),
        ...rest,
      });
      // A suite run on both placements runs each where it says.
      const placement = rest.placement ?? options.placement;
      if (placement !== undefined && sandbox.placement !== placement) {
        throw new Error(`${path} was spawned ${sandbox.placement}, not ${placement}`);
      }
      return sandbox;
    },
    logs(sandbox) {
      return events
        .filter((e) => e.event === 'guest:log' && e.sandbox === id(sandbox))
        .map((e) => String(e.data?.message));
    },
    named(name, sandbox) {
      return events.filter((e) => e.event === name && (sandbox === undefined || e.sandbox === id(sandbox)));
    },
    close: () => kernel.close(),
  };
}

/** The bodies of the messages a probe logged receiving (`v1 msg <sender> <request> <body>`). */
export function received(
  logs: string[],
): { version: string; sender: string; request: string; body: string }[] {
  return logs
    .map((line) => /^(v\d) msg (\S+) (\d+) (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: m[1]!, sender: m[2]!, request: m[3]!, body: m[4]! }));
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
