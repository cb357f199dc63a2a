/**
 * Outgoing HTTP from a guest: sequential GETs of a 2-byte body from a local server (127.0.0.1,
 * in a worker thread), one request in flight at a time, in one run:
 *
 * - `node-fetch`: plain Node `fetch` from the main thread (the floor of a request here);
 * - `node-http`: plain `http.request` without keep-alive (what Keel does per request);
 * - `keel-provider`: Keel's `wasi:http` provider driven as a guest's imports drive it (the host's
 *   cost: checks, the blocking hand-off to the network thread, one connection per request);
 * - `keel-fetch-guest`: a componentize-js guest's `fetch` in a metered sandbox (adds
 *   StarlingMonkey's own fetch and event loop). StarlingMonkey's instance traps (memory access out
 *   of bounds, in the guest's own code, metered or not, whatever its memory limit) at its 38th
 *   `fetch` (upstream: bytecodealliance/ComponentizeJS#224, #80), so the row spawns a fresh
 *   sandbox every `GUEST_REQUESTS` requests; the spawns are not timed.
 *
 *     npm run build && node dist/bench/http.js [--quick]
 *
 * Writes bench/results/http-<date>.{json,md}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { loadavg } from 'node:os';
import type { SandboxContext } from '../host/caps/provider.js';
import { wasiHttp } from '../host/caps/wasi-http.js';
import { Kernel } from '../host/index.js';
import { DEFAULT_LIMITS } from '../host/kernel/limits.js';
import { startServer } from '../scripts/lib/http-server.js';
import { machine, stats } from './lib/measure.js';
import { repoPath } from './lib/paths.js';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 100 : 500;
const ROUNDS = quick ? 3 : 7;
/** Requests one componentize-js sandbox serves before it is replaced (it traps at its 38th). */
const GUEST_REQUESTS = 25;
/** Milliseconds of the current round spent on work that is not the subject's (guest spawns). */
let untimed = 0;

function providerGet(port: number): () => void {
  const state = new Map<string, unknown>();
  const context: SandboxContext = {
    sandbox: 'bench',
    module: 'bench',
    limits: DEFAULT_LIMITS,
    io: {},
    deterministic: false,
    seed: 0n,
    protectedPaths: [],
    emit: () => {},
    emitText: () => {},
    state: <T>(key: string, init: () => T): T => {
      if (!state.has(key)) state.set(key, init());
      return state.get(key) as T;
    },
    exit: () => {
      throw new Error('exit');
    },
    charge: () => {},
    invocationInput: () => undefined,
    invocationId: () => undefined,
    mayAwait: () => false,
    virtualNanos: () => 0n,
    timeLeftMs: () => Number.POSITIVE_INFINITY,
    timedOut: () => {
      throw new Error('no deadline here');
    },
    onEnd: () => {},
  };
  const scope = wasiHttp.parseScope!('wasi:http/outgoing-handler', {
    allow: [`http://127.0.0.1:${port}`],
    maxRequests: 10_000,
  });
  const types: any = wasiHttp.link({ interface: 'wasi:http/types', scope: undefined, context });
  const handler: any = wasiHttp.link({ interface: 'wasi:http/outgoing-handler', scope, context });
  return () => {
    const request = new types.OutgoingRequest(new types.Fields());
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(`127.0.0.1:${port}`);
    request.setPathWithQuery('/hello');
    const future = handler.handle(request, undefined);
    future.subscribe().block();
    const response = future.get().val.val;
    const body = response.consume().stream().blockingRead(64n) as Uint8Array;
    if (response.status() !== 200 || body.length !== 2) throw new Error('bad answer');
  };
}

function nodeHttpGet(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/hello', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

async function rate(run: () => Promise<void> | void): Promise<number[]> {
  for (let i = 0; i < 20; i++) await run();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    untimed = 0;
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) await run();
    rates.push(REQUESTS / ((performance.now() - started - untimed) / 1000));
  }
  return rates;
}

const loadStart = loadavg().map((l) => Number(l.toFixed(2)));
const server = await startServer();
const kernel = new Kernel({ cacheDir: false });
try {
  const url = server.url('/hello');
  const guest = await kernel.load(new Uint8Array(readFileSync(repoPath('guests/js/http/build/http.wasm'))));
  const spawnGuest = async () => {
    const sandbox = await kernel.spawn(guest, {
      grants: [
        'wasi:clocks/*',
        'wasi:random/*',
        'wasi:cli/stderr',
        { interface: 'wasi:http/outgoing-handler', scope: { allow: [server.url('')], maxRequests: 10_000 } },
      ],
    });
    return { sandbox, get: sandbox.fn<(url: string) => string>('get'), served: 0 };
  };
  let current = await spawnGuest();
  const provider = providerGet(server.port);
  const subjects: Record<string, () => Promise<void> | void> = {
    'node-fetch': async () => {
      await (await fetch(url)).text();
    },
    'node-http': () => nodeHttpGet(server.port),
    'keel-provider': provider,
    'keel-fetch-guest': async () => {
      if (current.served === GUEST_REQUESTS) {
        const started = performance.now();
        current.sandbox.terminate('replaced: StarlingMonkey traps at its 38th fetch');
        current = await spawnGuest();
        untimed += performance.now() - started;
      }
      current.served++;
      if (current.get(url) !== '200 hi') throw new Error('bad answer');
    },
  };
  const rows: { subject: string; median: number; p25: number; p75: number; ratio: number }[] = [];
  let reference = 0;
  for (const [subject, run] of Object.entries(subjects)) {
    const s = stats(await rate(run));
    if (subject === 'node-fetch') reference = s.median;
    rows.push({
      subject,
      median: Math.round(s.median),
      p25: Math.round(s.p25),
      p75: Math.round(s.p75),
      ratio: Number((s.median / reference).toFixed(3)),
    });
    console.log(`${subject}: ${Math.round(s.median)} requests/s`);
  }
  const day = new Date().toISOString().slice(0, 10);
  const report = {
    suite: 'keel-bench-http',
    date: new Date().toISOString(),
    command: `node dist/bench/http.js${quick ? ' --quick' : ''}`,
    machine: machine(),
    requests: REQUESTS,
    rounds: ROUNDS,
    guestRequestsPerSandbox: GUEST_REQUESTS,
    load: { start: loadStart, end: loadavg().map((l) => Number(l.toFixed(2))) },
    rows,
  };
  writeFileSync(repoPath(`bench/results/http-${day}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    `# Outgoing HTTP, ${day}`,
    '',
    `\`${report.command}\`: ${REQUESTS} sequential GETs of 2 bytes per round, ${ROUNDS} rounds, server on 127.0.0.1 in a worker thread.`,
    `Load average at the start: ${report.load.start.join(', ')}; at the end: ${report.load.end.join(', ')} (2 cores).`,
    `keel-fetch-guest: a fresh sandbox every ${GUEST_REQUESTS} requests (StarlingMonkey traps at its 38th fetch in one instance, upstream ComponentizeJS#224); spawns not timed.`,
    '',
    '| Subject | requests/s (median) | p25 | p75 | vs node-fetch |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.subject} | ${r.median} | ${r.p25} | ${r.p75} | ${r.ratio} |`),
    '',
  ].join('\n');
  writeFileSync(repoPath(`bench/results/http-${day}.md`), md);
} finally {
  await kernel.close();
  await server.close();
}
