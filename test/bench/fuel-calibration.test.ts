/**
 * Fuel is calibrated: a unit costs about as much host time whatever the guest does with it.
 * `bench/fuel/run.ts` measures CPU time per unit of fuel for every kind of work Keel charges
 * (compute, bulk memory and table operations, grows, exceptions, host calls: cheap, failing,
 * empty and large ones) and commits the results to `bench/results/fuel-latest.json`, which
 * docs/fuel.md publishes. This test keeps them honest without timing anything itself (CPU time
 * on a shared machine is too noisy for a test to measure): the committed results were made with
 * the prices the code charges now, every price the code has is exercised by some kind, no kind
 * costs more than 10x compute per unit, and the page shows those results.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPUTE_GROUPS, kindsTable, type Report } from '../../bench/fuel/table.js';
import { DEFAULT_HOST_COSTS, type HostCosts } from '../../host/caps/provider.js';
import { type CostModel, DEFAULT_COSTS } from '../../host/meter/costs.js';

const report = JSON.parse(
  readFileSync(new URL('../../bench/results/fuel-latest.json', import.meta.url), 'utf8'),
) as Report;
const page = readFileSync(new URL('../../docs/fuel.md', import.meta.url), 'utf8');

/** The bound the issue sets: no kind of work may cost more than this many units of compute per unit. */
const BOUND = 10;

/** For each price of the cost model, the kinds of the bench that pay mostly it. */
const METER_KINDS: Record<
  Exclude<keyof CostModel, 'instructions' | 'default' | 'simd' | 'atomic'>,
  string[]
> = {
  memoryGrowPerPage: ['memory.grow 1 page', 'memory.grow 1 page, touched'],
  tableGrowPerElement: ['table.grow 1000'],
  bulkMemoryBytesPerFuel: ['memory.fill 16777216', 'memory.copy 16777216', 'memory.init 65536'],
  bulkTableFuelPerElement: ['table.fill 10000', 'table.copy 10000', 'table.init 64'],
};

/** For each instruction priced apart from `default`, the kinds that pay mostly it. */
const INSTRUCTION_KINDS: Record<string, string[]> = {
  'memory.grow': ['memory.grow 0'],
  'table.grow': ['table.grow 0', 'table.grow 1'],
  'memory.fill': ['memory.fill 0'],
  'memory.copy': ['memory.copy 0'],
  'memory.init': ['memory.init 0'],
  'table.fill': ['table.fill 0'],
  'table.copy': ['table.copy 0'],
  'table.init': ['table.init 64'],
  'table.set': ['table.set 1'],
  'table.get': ['table.get 1'],
  'data.drop': ['data.drop 0'],
  'elem.drop': ['elem.drop 0'],
  throw: ['throw and catch'],
  rethrow: ['throw, rethrow and catch'],
};

/** For each host price, the kinds that pay mostly it (the cheapest ways to buy it among them). */
const HOST_KINDS: Record<keyof HostCosts, string[]> = {
  call: [
    'sched_yield',
    'clock now',
    'stdout write, no iovecs',
    'fd_write, bad fd (EBADF)',
    'poll_oneoff, 0 subscriptions',
    'random 0 B',
    'random, denied',
    'resource call, no data',
    'function call, empty string',
  ],
  byte: ['function call, 64 KiB string', 'log 4 KiB'],
  fsOperation: ['file write 0 B', 'file write 16 B', 'file read 16 B', 'file read 64 KiB'],
  fsPath: ['file open and close', 'file open, missing (ENOENT)'],
  output: ['stdout write 16 B', 'resource call, empty list'],
  outputByte: ['stdout write 64 KiB', 'resource call, 64 KiB list'],
  randomByte: [
    'random 16 B',
    'random 4 KiB',
    'random 4 KiB + 1',
    'random 64 KiB',
    'random 64 MiB',
    'random 4 KiB, seeded',
    'random 64 KiB, seeded',
    'random 64 MiB, seeded',
    'get-random-bytes 4 KiB + 1',
    'get-random-bytes 64 KiB',
    'get-random-bytes 64 MiB',
    'get-random-bytes 64 KiB, seeded',
    'get-random-bytes 64 MiB, seeded',
    'get-insecure-random-bytes 64 KiB, seeded',
  ],
  message: ['ipc send 0 B', 'ipc send, mailbox full', 'ipc send, no such peer', 'events publish 0 B'],
  messageByte: ['ipc send 16 KiB', 'events publish 16 KiB to 100 subscribers'],
  recipient: [
    'events publish 0 B to 1 subscriber',
    'events publish 0 B to 100 subscribers',
    'events publish 0 B to 1000 subscribers',
  ],
  topicMatch: [
    'events publish, 1000 subscriptions unmatched',
    'events publish, 1000 long ** subscriptions unmatched',
  ],
  httpRequest: ['http GET, 2 B response'],
  httpByte: ['http GET, 64 KiB response', 'http GET, 1 MiB response'],
};

const measured = new Set(report.kinds.map((k) => k.name));

describe('fuel calibration (bench/results/fuel-latest.json)', () => {
  it('was measured with the prices the code charges now', () => {
    expect(report.prices.costs).toEqual(JSON.parse(JSON.stringify(DEFAULT_COSTS)));
    expect(report.prices.host).toEqual(JSON.parse(JSON.stringify(DEFAULT_HOST_COSTS)));
  });

  it('measures every price the code charges', () => {
    for (const key of Object.keys(DEFAULT_COSTS)) {
      if (['instructions', 'default', 'simd', 'atomic'].includes(key)) continue;
      const kinds = METER_KINDS[key as keyof typeof METER_KINDS];
      expect(kinds, `a kind for DEFAULT_COSTS.${key}`).toBeDefined();
      for (const name of kinds) expect(measured.has(name), name).toBe(true);
    }
    for (const [name, fuel] of Object.entries(DEFAULT_COSTS.instructions)) {
      if (fuel <= DEFAULT_COSTS.default) continue;
      const kinds = INSTRUCTION_KINDS[name];
      expect(kinds, `a kind for the instruction ${name}`).toBeDefined();
      for (const kind of kinds!) expect(measured.has(kind), kind).toBe(true);
    }
    for (const key of Object.keys(DEFAULT_HOST_COSTS) as (keyof HostCosts)[]) {
      const kinds = HOST_KINDS[key];
      expect(kinds, `a kind for DEFAULT_HOST_COSTS.${key}`).toBeDefined();
      expect(kinds.length, `a kind for DEFAULT_HOST_COSTS.${key}`).toBeGreaterThan(0);
      for (const name of kinds) expect(measured.has(name), name).toBe(true);
    }
  });

  it(`keeps every kind of work within ${BOUND}x of compute per unit of fuel`, () => {
    expect(report.computeNsPerFuel).toBeGreaterThan(0);
    const over = report.kinds
      .filter((k) => !COMPUTE_GROUPS.includes(k.group))
      .map((k) => ({ name: k.name, ratio: k.nsPerFuel / report.computeNsPerFuel }))
      .filter((k) => k.ratio > BOUND);
    expect(over).toEqual([]);
  });

  it('is the table docs/fuel.md publishes, with its command and load', () => {
    expect(page).toContain(kindsTable(report));
    expect(page).toContain(report.command);
    expect(page).toContain(`${report.computeNsPerFuel.toFixed(3)} ns`);
    expect(page).toContain(report.machine.load.join(', '));
  });
});
