/**
 * Attack (review15 M1): read from the fuel of a log message or a stdout write whether anyone
 * observes it. Since bab661f a text event cost `textEventFuel` when a hook or the JSONL log
 * observed it and nothing more otherwise, and since 6121549 one past the window's event budget
 * cost its redaction once per secret the kernel holds: a guest could tell whether it was logged
 * (and how many secrets other grants had registered), and a deterministic replay with another
 * log setting diverged in fuel and in the guest's clock (1 ns a unit of fuel). Now the price is
 * the text's alone: the window's first `limits.events` text events, observed or not, cost
 * `textEventFuel`, the rest `textCharFuel`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keelComponent, streamsComponent } from '../../../bench/fuel/guests.js';
import { Kernel, type KernelOptions } from '../../../host/index.js';

const LIMITS = {
  fuel: Number.MAX_SAFE_INTEGER,
  fuelTotal: Number.MAX_SAFE_INTEGER,
  deadlineMs: 600_000,
  events: 50,
};
const GRANTS = [
  'wasi:cli/stdout',
  'keel:kernel/log',
  { interface: 'keel:kernel/ipc', scope: { peers: ['*'] } },
  { interface: 'keel:kernel/events', scope: { publish: ['bench.*'] } },
];
const SECRETS = Array.from({ length: 10 }, (_, i) => `secret-value-number-${i}-xyz`);

let dir: string;
/** [what, kernel options beyond the limits] */
const SETTINGS: [string, (deterministic: boolean) => KernelOptions][] = [
  ['unobserved', () => ({})],
  ['a hook', () => ({})],
  ['the JSONL log', () => ({ log: join(dir, `log-${Math.random()}.jsonl`) })],
  [
    'the JSONL log and 10 secrets',
    () => ({ log: join(dir, `secrets-${Math.random()}.jsonl`), redact: { values: SECRETS } }),
  ],
  ['a hook and 10 secrets', () => ({ redact: { values: SECRETS } })],
];
const kernels: Kernel[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-log-price-'));
});
afterAll(async () => {
  for (const kernel of kernels) await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

// [what, the component, its run's arguments (op, n, size)]: 120 text events, past the budget of 50.
const GUESTS: [string, () => Promise<Uint8Array>, (number | string)[]][] = [
  ['log messages of 64 characters', keelComponent, [0, 120, 64, '']],
  ['empty log messages', keelComponent, [0, 120, 0, '']],
  ['stdout writes of 16 bytes', streamsComponent, [1, 120, 16]],
];

describe('a text event costs the same observed or not', () => {
  for (const deterministic of [false, true]) {
    for (const [name, component, args] of GUESTS) {
      it(`${name}${deterministic ? ', deterministic' : ''}: the same fuel under every observer and secret`, async () => {
        const bytes = await component();
        const fuels: Record<string, number[]> = {};
        for (const [setting, options] of SETTINGS) {
          const kernel = new Kernel({
            cacheDir: false,
            limits: LIMITS,
            deterministic,
            ...options(deterministic),
          });
          kernels.push(kernel);
          let seen = 0;
          if (setting.includes('hook')) kernel.on('*', () => void seen++);
          const sandbox = await kernel.spawn(await kernel.load(bytes), { grants: GRANTS });
          // Two invocations: two windows, each past its budget.
          fuels[setting] = [0, 1].map(() => sandbox.invokeSync('run', args).fuel.used);
          if (setting.includes('hook')) expect(seen).toBeGreaterThan(0);
          sandbox.terminate('done');
        }
        // Before: observed, each of the first 50 cost textEventFuel more; past them, with secrets,
        // REDACTED_TEXT_BYTES more a secret.
        for (const [setting] of SETTINGS) expect(fuels[setting], setting).toEqual(fuels.unobserved);
      });
    }
  }
});
