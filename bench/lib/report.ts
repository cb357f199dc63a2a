/**
 * The shape of a bench report (bench/results/bench-<date>.json, one line of history.jsonl per
 * full run): groups of measures, each measure a row per subject, all from one run.
 */
import type { MachineInfo, SubjectTiming } from './measure.js';

export const REPORT_SCHEMA = 1;

export type Unit = 'ns' | 'bytes' | 'per_s' | 'x' | 'count';

export interface Row {
  subject: string;
  /** The primary figure: a median time per unit, bytes, a rate or a ratio. */
  value: number;
  p25?: number;
  p75?: number;
  min?: number;
  max?: number;
  /** Median of per-round ratios to the measure's reference subject (same run), with its IQR. */
  ratio?: number;
  ratio_p25?: number;
  ratio_p75?: number;
  detail?: Record<string, number | string | boolean>;
}

export interface MeasureResult {
  id: string;
  title: string;
  unit: Unit;
  lower_is_better: boolean;
  reference?: string;
  rows: Row[];
  note?: string;
}

export interface SubjectInfo {
  id: string;
  label: string;
  /** How the subject is set up, in one sentence (bench/README.md has the long form). */
  setup: string;
}

export interface Group {
  id: string;
  title: string;
  subjects: SubjectInfo[];
  measures: MeasureResult[];
  notes: string[];
  /** Set when the group could not run (missing optional slot, failure): why. */
  skipped?: string;
}

export interface Target {
  id: string;
  label: string;
  value: number | null;
  /** `max`: value must be at most `target`; `min`: at least. */
  kind: 'max' | 'min';
  target: number;
  /** What value and target count, when not a ratio ("x"): "ns", "/s". */
  unit?: string;
  met: boolean | null;
  note?: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  suite: 'keel-bench';
  date: string;
  command: string;
  quick: boolean;
  git: { commit: string; dirty: boolean };
  machine: MachineInfo & { load_before: number[]; load_after: number[] };
  versions: Record<string, string>;
  duration_s: number;
  groups: Group[];
  targets: Target[];
  notes: string[];
}

export function timingRow(t: SubjectTiming, detail: Row['detail'] = {}): Row {
  return {
    subject: t.subject,
    value: t.ns.median,
    p25: t.ns.p25,
    p75: t.ns.p75,
    min: t.ns.min,
    max: t.ns.max,
    ratio: t.ratio,
    ratio_p25: t.ratio_p25,
    ratio_p75: t.ratio_p75,
    detail: {
      timer: t.timer,
      batch: t.batch,
      samples: t.samples,
      cpu_median_ns: round(t.cpu_ns.median),
      wall_median_ns: round(t.wall_ns.median),
      ...detail,
    },
  };
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const magnitude = Math.max(0, digits - Math.ceil(Math.log10(Math.abs(x) || 1)));
  return Number(x.toFixed(Math.min(magnitude, 12)));
}

export function findRow(report: Pick<Report, 'groups'>, measure: string, subject: string): Row | undefined {
  for (const g of report.groups) {
    const m = g.measures.find((x) => x.id === measure);
    if (m) return m.rows.find((r) => r.subject === subject);
  }
  return undefined;
}

/** What a full report must hold: every group, and in each the subjects that must have numbers. */
export const EXPECTED: Record<string, { measures: string[]; subjects: string[] }> = {
  wasm: {
    measures: [
      'wasm.call.noop',
      'wasm.call.add',
      'wasm.call.string',
      'wasm.call.host',
      'wasm.spawn',
      'wasm.load.cold',
    ],
    subjects: ['plain', 'keel', 'jco-1.12', 'jco-current', 'extism'],
  },
  js: {
    measures: ['js.call.noop', 'js.call.add', 'js.call.string', 'js.call.host', 'js.compute', 'js.spawn'],
    subjects: ['v8-js', 'keel-js', 'isolated-vm', 'quickjs'],
  },
  memory: {
    measures: ['memory.wasm', 'memory.js'],
    subjects: [],
  },
  compute: { measures: ['compute.identity', 'compute.metered'], subjects: ['geomean'] },
  events: { measures: ['events.jsonl', 'events.invoke'], subjects: [] },
  ipc: { measures: ['ipc.throughput', 'ipc.latency'], subjects: [] },
};
