/**
 * The asynchronous-request attacker (`guests/wat/hostile/http/async-requests.wat`, world in the
 * `.wit` beside it), kernels that record their events, and what every attack on asynchronous
 * host functions measures: sockets and timers the kernel's thread holds, connections the test
 * server still has open.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { type KeelEvent, Kernel, type KernelOptions, type ModuleHandle } from '../../../host/index.js';
import type { TestServer } from '../../../scripts/lib/http-server.js';
import { componentFromWat } from '../../helpers/components.js';

const DIR = new URL('../../../guests/wat/hostile/http/', import.meta.url);

let built: Promise<Uint8Array> | undefined;

export function asyncRequestsGuest(): Promise<Uint8Array> {
  const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');
  built ??= componentFromWat(read('async-requests.wat'), read('async-requests.wit'), 'async-requests');
  return built;
}

export async function attacker(
  options: KernelOptions = {},
): Promise<{ kernel: Kernel; events: KeelEvent[]; module: ModuleHandle }> {
  const kernel = new Kernel({ cacheDir: false, placement: 'worker', ...options });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => void events.push(event));
  const module = await kernel.load(await asyncRequestsGuest(), { name: 'async-requests' });
  return { kernel, events, module };
}

/** The grants of a sandbox that may send requests to `server` (and use clocks). */
export function httpGrants(server: TestServer, scope: Record<string, unknown> = {}) {
  return [
    'wasi:clocks/*',
    { interface: 'wasi:http/outgoing-handler', scope: { allow: [server.url('')], ...scope } },
  ];
}

/** Resources of a kind (`TCPSocketWrap`, `Timeout`) this thread's event loop holds now. */
export function active(kind: string): number {
  return process.getActiveResourcesInfo().filter((name) => name === kind).length;
}

/** A route of the test server's, asked on a connection of its own that is closed after. */
function ask(server: TestServer, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const asked = request(server.url(path), { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve(Number(text)));
    });
    asked.on('error', reject);
    asked.end();
  });
}

/** Connections the test server has open now, other than the one that asks. */
export function serverOpen(server: TestServer): Promise<number> {
  return ask(server, '/open');
}

/** How many requests the test server has seen. */
export function serverCount(server: TestServer): Promise<number> {
  return ask(server, '/count');
}

/** Wait until `probe` holds or `ms` pass; whether it held. */
export async function eventually(probe: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
