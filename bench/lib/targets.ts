/**
 * The targets the suite tracks (issue 6; reported, never asserted in CI) and the findings it
 * states about them, all computed from one report: ratios from the same run only.
 */
import { formatNs } from './measure.js';
import { findRow, type Report, round, type Target } from './report.js';

function target(
  id: string,
  label: string,
  value: number | undefined,
  kind: Target['kind'],
  limit: number,
  note?: string,
): Target {
  const v = value === undefined || !Number.isFinite(value) ? null : round(value, 3);
  return {
    id,
    label,
    value: v,
    kind,
    target: limit,
    met: v === null ? null : kind === 'max' ? v <= limit : v >= limit,
    ...(note ? { note } : {}),
  };
}

const per = (report: Report, measure: string, a: string, b: string): number | undefined => {
  const x = findRow(report, measure, a)?.value;
  const y = findRow(report, measure, b)?.value;
  return x === undefined || y === undefined ? undefined : x / y;
};

export function computeTargets(report: Report): Target[] {
  const metered = findRow(report, 'compute.metered', 'geomean');
  return [
    target(
      'scalar-call',
      'Keel scalar call / plain V8 export call',
      findRow(report, 'wasm.call.add', 'keel')?.ratio,
      'max',
      2,
    ),
    target(
      'spawn',
      'Keel spawn / plain V8 instantiation',
      findRow(report, 'wasm.spawn', 'keel')?.ratio,
      'max',
      4,
    ),
    target(
      'metered-compute',
      'metered compute / plain V8 (geometric mean, CPU time)',
      metered?.value,
      'max',
      1.05,
      metered ? undefined : 'metering is not registered in test/spec/transforms.ts yet',
    ),
    target(
      'vs-jco-call',
      'current jco glue call / Keel call (add)',
      per(report, 'wasm.call.add', 'jco-current', 'keel'),
      'min',
      10,
    ),
    target(
      'vs-extism-call',
      'Extism call / Keel call (add)',
      per(report, 'wasm.call.add', 'extism', 'keel'),
      'min',
      10,
    ),
  ];
}

/**
 * Where Keel loses to plain V8, say what it pays for: when jco 1.12's glue (which Keel's
 * sandboxes run) costs about as much over plain as Keel does, the glue is the limit.
 */
export function findings(report: Report): string[] {
  const out: string[] = [];
  const measures = ['wasm.call.noop', 'wasm.call.add', 'wasm.call.string', 'wasm.call.host', 'wasm.spawn'];
  for (const id of measures) {
    const keel = findRow(report, id, 'keel');
    const plain = findRow(report, id, 'plain');
    const glue = findRow(report, id, 'jco-1.12');
    if (!keel || !plain || !glue || keel.ratio === undefined || glue.ratio === undefined) continue;
    const title = report.groups.flatMap((g) => g.measures).find((m) => m.id === id)!.title;
    const over = keel.value - plain.value;
    if (keel.ratio <= 1.25) {
      out.push(`${title}: Keel is at the floor (${keel.ratio.toFixed(2)}x plain V8).`);
    } else if (glue.ratio >= 0.8 * keel.ratio) {
      const share = Math.min(100, Math.max(0, ((glue.value - plain.value) / over) * 100));
      out.push(
        `${title}: Keel costs ${keel.ratio.toFixed(2)}x plain V8 (+${formatNs(over)}), and jco 1.12's glue alone costs ${glue.ratio.toFixed(2)}x: the generated glue is what limits Keel here (about ${share.toFixed(0)} % of the difference).`,
      );
    } else {
      out.push(
        `${title}: Keel costs ${keel.ratio.toFixed(2)}x plain V8 (+${formatNs(over)}), of which jco 1.12's glue explains ${glue.ratio.toFixed(2)}x: the rest is Keel's own (kernel bookkeeping around the call).`,
      );
    }
  }
  const jsKeel = findRow(report, 'js.call.add', 'keel-js');
  const jsIvm = findRow(report, 'js.call.add', 'isolated-vm');
  if (jsKeel && jsIvm) {
    out.push(
      `JavaScript guests: a call into the componentize-js guest costs ${formatNs(jsKeel.value)} against ${formatNs(jsIvm.value)} for isolated-vm; the StarlingMonkey engine (a JS interpreter compiled to wasm) and its bindings dominate, not the kernel.`,
    );
  }
  return out;
}
