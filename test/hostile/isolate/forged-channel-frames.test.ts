/**
 * Attack: the worker side of a worker sandbox writes forged frames into the syscall channel's
 * shared buffer (what a guest that got out of WebAssembly into its worker's JavaScript could
 * do): a length past the frame, counts and nesting past the bytes there are, a frame that says
 * it is on the port when nothing is there, a result for a call that was never made, an
 * unknown op. The kernel reads every frame as untrusted: the call fails with `internal`
 * (reason `channel`), the worker is ended, nothing of the forged frame is believed, and the
 * kernel goes on with bounded memory. Both call paths: `callSync` (the kernel's thread waits
 * on the channel) and `call` (its event loop does).
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { KeelError } from '../../../host/index.js';
import type { WorkerSandbox } from '../../../host/isolate/worker-sandbox.js';
import { encoded, endWorkers, hostileWorkerSandbox } from '../../helpers/hostile-worker.js';

/** Wait for the kernel's call, then answer it with the forgery. */
const BODY = `waitCall(); write(workerData.forged.bytes, workerData.forged.length); Atomics.wait(words, 1, Atomics.load(words, 1), 60000);`;

function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

/** Tags of codec.ts. */
const ARRAY = 12;
const OBJECT = 13;

const FORGERIES: Record<string, { bytes: Uint8Array; length?: number }> = {
  'a length past the frame': { bytes: encoded({ op: 'result', id: 1 }), length: 1 << 30 },
  'a negative length other than on-the-port': { bytes: encoded({ op: 'result', id: 1 }), length: -7 },
  'on the port, with nothing there': { bytes: new Uint8Array(0), length: -1 },
  'an array count past the bytes': { bytes: bytes([ARRAY], u32(0xffffffff)) },
  'an object count past the bytes': { bytes: bytes([OBJECT], u32(0x7fffffff)) },
  'nesting past the bound': { bytes: bytes(...Array.from({ length: 5000 }, () => [ARRAY, ...u32(1)]), [0]) },
  'an unknown tag': { bytes: bytes([200]) },
  'a result for a call never made': {
    bytes: encoded({ op: 'result', id: 99, outcome: { ok: 1 }, fuel: 0, exhausted: false }),
  },
  'an unknown op': { bytes: encoded({ op: 'grant-me-everything' }) },
  'a second ready': { bytes: encoded({ op: 'ready', exports: ['f'], fuel: 0 }) },
  'a prototype key': { bytes: encoded(JSON.parse('{"__proto__": {"op": "result", "id": 1}}')) },
};

let workers: Worker[] = [];
afterEach(async () => {
  await endWorkers(workers);
  workers = [];
});

async function hostileSandbox(forged: { bytes: Uint8Array; length?: number }): Promise<WorkerSandbox> {
  const hostile = await hostileWorkerSandbox(BODY, { forged });
  workers.push(...hostile.workers);
  return hostile.sandbox;
}

function isChannelFailure(error: unknown): void {
  expect(error).toBeInstanceOf(KeelError);
  expect(error).toMatchObject({ code: 'internal', details: { reason: 'channel' } });
}

describe('forged channel frames from a worker', () => {
  for (const [name, forged] of Object.entries(FORGERIES)) {
    it(`${name}: the synchronous call fails with internal (channel), at once`, async () => {
      const sandbox = await hostileSandbox(forged);
      const started = performance.now();
      let failure: unknown;
      try {
        sandbox.callSync('f', []);
      } catch (error) {
        failure = error;
      }
      isChannelFailure(failure);
      // Long before the call's deadline (20 s): the forgery is refused, not waited out.
      expect(performance.now() - started).toBeLessThan(10_000);
      // The sandbox is over: no later call reaches the worker.
      expect(() => sandbox.callSync('f', [])).toThrow(expect.objectContaining({ code: 'internal' }));
    });

    it(`${name}: the call on the event loop fails with internal (channel)`, async () => {
      const sandbox = await hostileSandbox(forged);
      isChannelFailure(await sandbox.call('f', []).catch((error: unknown) => error));
    });
  }

  it('many forgeries in a row leave the kernel with bounded memory', async () => {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3; i++) {
      for (const forged of Object.values(FORGERIES)) {
        const sandbox = await hostileSandbox(forged);
        await sandbox.call('f', []).catch(() => {});
      }
    }
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
    // Nothing forged reached a prototype.
    expect(({} as Record<string, unknown>).op).toBeUndefined();
  }, 300_000);
});
