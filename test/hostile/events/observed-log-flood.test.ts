/**
 * Attack: log in a loop to a kernel that writes its event log to a file (and redacts secrets),
 * or to a guest's stdout there: each message or write is made an event, redacted over the
 * stream and written as a JSON line, but a log cost a call and its bytes, as if nobody listened
 * (the calibration's log kinds have no observer). Empty messages cost the host 12x compute per
 * unit of fuel, 64 bytes 18x, 4 KiB of NULs (six characters of JSON each) 48x, 53x with three
 * secrets; stdout writes of 1 and 64 bytes 8.4-8.6x (load 21-24). An observed text event now
 * costs `TEXT_EVENT_BYTES` and `TEXT_EVENT_CHAR_BYTES` a character (0.9-2.2x); unobserved,
 * nothing more. Past the window's event budget (`limits.events`) an event is counted, not made,
 * and not charged, but it was made first and copied to stamp its invocation: empty messages
 * past a budget of 1 cost 11x; it is admitted before it is made now (1.1x). Past the budget its
 * text is still redacted, once per secret: with 10 secrets 64-byte messages cost 8.2-8.85x
 * (load 12-19), and each then cost `REDACTED_TEXT_BYTES` a secret (0.95x). Review15 M1: that
 * price told the guest whether it was observed; now every text event costs the same observed or
 * not (the window's first `limits.events` `textEventFuel`, the rest `textCharFuel`), and one
 * past the budget is skipped, not redacted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keelComponent, streamsComponent } from '../../../bench/fuel/guests.js';
import { Kernel } from '../../../host/index.js';
import { textCharFuel, textEventFuel } from '../../../host/kernel/sandbox/events.js';
import { FUEL_BOUND, fuelRatio, heapUsed } from '../../helpers/fuel-ratio.js';

const LIMITS = { fuel: Number.MAX_SAFE_INTEGER, fuelTotal: Number.MAX_SAFE_INTEGER, deadlineMs: 600_000 };
const GRANTS = [
  'wasi:cli/stdout',
  'keel:kernel/log',
  { interface: 'keel:kernel/ipc', scope: { peers: ['*'] } },
  { interface: 'keel:kernel/events', scope: { publish: ['bench.*'] } },
];

let dir: string;
let observed: Kernel;
let unobserved: Kernel;
/** Unobserved, with a budget of one event a window: what `spent` and `spentSecrets` are compared with. */
let unobservedSpent: Kernel;
/** Observed, with a budget of one event a window: the rest are counted (and redacted, with secrets). */
let spent: Kernel;
let spentSecrets: Kernel;
const SECRETS = Array.from({ length: 10 }, (_, i) => `secret-value-number-${i}-xyz`);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-observed-log-'));
  observed = new Kernel({
    cacheDir: false,
    limits: LIMITS,
    log: join(dir, 'events.jsonl'),
    redact: { values: ['hunter2-secret', 'tok_ABCDEFGH1234', 'xyzzy-passw0rd'] },
  });
  unobserved = new Kernel({ cacheDir: false, limits: LIMITS });
  unobservedSpent = new Kernel({ cacheDir: false, limits: { ...LIMITS, events: 1 } });
  spent = new Kernel({ cacheDir: false, limits: { ...LIMITS, events: 1 }, log: join(dir, 'spent.jsonl') });
  spentSecrets = new Kernel({
    cacheDir: false,
    limits: { ...LIMITS, events: 1 },
    log: join(dir, 'spent-secrets.jsonl'),
    redact: { values: SECRETS },
  });
});
afterAll(async () => {
  await observed.close();
  await unobserved.close();
  await unobservedSpent.close();
  await spent.close();
  await spentSecrets.close();
  rmSync(dir, { recursive: true, force: true });
});

// [what, the component, its run's arguments (op, n, size): a log (0) or a stdout write (1) of
// `size` zero bytes, n times; how many of the n are made events (the rest past the budget)]
const FLOODS: [string, () => Promise<Uint8Array>, [number, number, number], number?, boolean?][] = [
  ['empty log messages', keelComponent, [0, 5_000, 0]],
  ['log messages of 64 NULs', keelComponent, [0, 5_000, 64]],
  ['log messages of 4 KiB of NULs', keelComponent, [0, 2_000, 4096]],
  ['stdout writes of 1 byte', streamsComponent, [1, 500, 1]],
  ['stdout writes of 64 NULs', streamsComponent, [1, 500, 64]],
  ['empty log messages past the event budget', keelComponent, [0, 5_000, 0], 1],
  ['log messages of 64 NULs past the event budget, 10 secrets', keelComponent, [0, 5_000, 64], 1, true],
];

describe('observed log flood', () => {
  for (const [name, component, [op, n, size], made = n, secrets = false] of FLOODS) {
    it(`${name}: an observed text event is charged, a unit of fuel costs the host at most ${FUEL_BOUND}x compute`, async () => {
      const bytes = await component();
      const args = op === 0 ? [op, n, size, ''] : [op, n, size];
      const run = async (kernel: Kernel) => {
        const sandbox = await kernel.spawn(await kernel.load(bytes), { grants: GRANTS });
        return { sandbox, fuel: () => sandbox.invokeSync('run', args).fuel.used };
      };
      const quiet = await run(made < n ? unobservedSpent : unobserved);
      const loud = await run(secrets ? spentSecrets : made < n ? spent : observed);
      // The same price observed or not, with secrets or not (review15 M1): the window's first
      // `limits.events` text events pay `textEventFuel`, the rest `textCharFuel`.
      expect(loud.fuel()).toBe(quiet.fuel());
      const full = await run(unobserved);
      const text = '\0'.repeat(size);
      expect(full.fuel() - quiet.fuel()).toBe((n - made) * (textEventFuel(text) - textCharFuel(text)));
      full.sandbox.terminate('done');
      quiet.sandbox.terminate('done');
      const before = heapUsed();
      const ratio = await fuelRatio(loud.fuel);
      // Before: 12x, 18x, 48x (53x with the secrets), 8.4x, 8.6x, 11x and 8.2x (load 12-24).
      expect(ratio).toBeLessThanOrEqual(FUEL_BOUND);
      expect(heapUsed() - before).toBeLessThan(64 * 1024 * 1024);
      loud.sandbox.terminate('done');
    }, 120_000);
  }
});
