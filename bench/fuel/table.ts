/**
 * The fuel bench's results (`bench/fuel/run.ts`) and the table of them that docs/fuel.md
 * publishes: one function writes it for both, so that `test/bench/fuel-calibration.test.ts` can
 * check that the page shows the committed results.
 */
import type { HostCosts } from '../../host/caps/provider.js';
import type { CostModel } from '../../host/meter/costs.js';
import type { MachineInfo } from '../lib/measure.js';

export interface KindResult {
  group: string;
  name: string;
  what: string;
  /** ns of CPU time per unit of fuel: median and minimum over the samples. */
  nsPerFuel: number;
  nsPerFuelMin: number;
  fuelPerOp: number;
  nsPerOp: number;
  /** nsPerFuel over the compute reference (the median compute kernel's ns per fuel). */
  ratio?: number;
}

export interface SliceResult {
  sliceFuel: number;
  /** What refills add to the tightest metered loop, as a fraction of its time. */
  overhead: number;
  /** One slice of typical compute (the compute kernels' median), in ms. */
  typicalSliceMs: number;
  /** One slice of the slowest compute (the pointer chase), in ms: how late a deadline can be. */
  worstSliceMs: number;
}

export interface SliceCost {
  /** ns a refill costs (the call out of the guest, the accounting, a look at the clock). */
  refillNs: number;
  /** ns per fuel of the loop it was measured on: a loop with a check at every turn. */
  loopNsPerFuel: number;
}

export interface Report {
  date: string;
  command: string;
  /** The machine, with its load average when the run ended; `loadBefore` when it began. */
  machine: MachineInfo;
  loadBefore: number[];
  /** The prices the run measured (the code's constants then). */
  prices: { costs: CostModel; host: HostCosts };
  /** ns per unit of fuel of the median compute kernel: what "× compute" divides by. */
  computeNsPerFuel: number;
  kinds: KindResult[];
  sliceCost?: SliceCost;
  slices: SliceResult[];
}

/** Groups that are compute: the reference, and the slowest compute there is (not repriceable). */
export const COMPUTE_GROUPS: readonly string[] = ['compute', 'compute-slowest'];

/** The table of every kind: ns per op, fuel per op, ns per fuel and its ratio to compute. */
export function kindsTable(r: Report): string {
  return [
    '| group | kind | ns per op | fuel per op | ns per fuel | min | × compute |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.kinds.map(
      (k) =>
        `| ${k.group} | ${k.name} | ${k.nsPerOp.toFixed(0)} | ${k.fuelPerOp.toFixed(1)} | ${k.nsPerFuel.toFixed(3)} | ${k.nsPerFuelMin.toFixed(3)} | ${(k.nsPerFuel / r.computeNsPerFuel).toFixed(2)} |`,
    ),
  ].join('\n');
}
