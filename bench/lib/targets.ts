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
  unit?: string,
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
    ...(unit ? { unit } : {}),
  };
}

const per = (report: Report, measure: string, a: string, b: string): number | undefined => {
  const x = findRow(report, measure, a)?.value;
  const y = findRow(report, measure, b)?.value;
  return x === undefined || y === undefined ? undefined : x / y;
};

const value = (report: Report, measure: string, subject: string): number | undefined =>
  findRow(report, measure, subject)?.value;

/**
 * The targets of issue 12 (Keel's own canonical ABI), each a ratio within one run (or an absolute
 * figure where the issue states one), and the rivals' cost per call against Keel's.
 */
export function computeTargets(report: Report): Target[] {
  const metered = findRow(report, 'compute.metered', 'geomean');
  const ipc = report.groups
    .find((g) => g.id === 'ipc')
    ?.measures.find((m) => m.id === 'ipc.throughput')
    ?.rows.find((r) => r.subject.includes('sandbox-fn'));
  return [
    target(
      'scalar-call',
      'Keel scalar call / plain V8 export call (sandbox.fn, add)',
      findRow(report, 'wasm.call.add', 'keel')?.ratio,
      'max',
      1.5,
    ),
    target(
      'string-call',
      'Keel 1 KiB string in and out / hand-written lean glue (plain)',
      findRow(report, 'wasm.call.string', 'keel')?.ratio,
      'max',
      1.5,
    ),
    target(
      'invoke-scalar',
      // A call is untimed by default since the run that measures `{ timing: true }` beside it
      // (keel-invoke-timed); a report without that row measured the timed default of its day.
      findRow(report, 'wasm.call.add', 'keel-invoke-timed')
        ? 'invokeSync with JSON values, scalar call, default options (untimed) (ns)'
        : 'invokeSync with JSON values, scalar call (ns)',
      value(report, 'wasm.call.add', 'keel-invoke'),
      'max',
      100,
      undefined,
      ' ns',
    ),
    target(
      'spawn',
      'Keel spawn / plain V8 instantiation',
      findRow(report, 'wasm.spawn', 'keel')?.ratio,
      'max',
      2,
    ),
    target(
      'load-cold',
      'Keel cold load / plain WebAssembly.compile',
      findRow(report, 'wasm.load.cold', 'keel')?.ratio,
      'max',
      3,
    ),
    target(
      'load-warm',
      'Keel warm load from the disk cache / plain WebAssembly.compile',
      findRow(report, 'wasm.load.warm', 'keel-disk')?.ratio,
      'max',
      2,
    ),
    target(
      'memory-idle',
      "memory per idle sandbox, Keel / jco 1.12's glue",
      per(report, 'memory.wasm', 'keel', 'jco-1.12'),
      'max',
      1.5,
    ),
    target(
      'ipc-handler',
      'IPC handler path, on-message (16 bytes) calls/s through sandbox.fn',
      ipc?.value,
      'min',
      1_000_000,
      undefined,
      '/s',
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
 * Where Keel loses to plain V8, say what it pays for, beside what jco 1.12's lean glue (the
 * fastest generated glue, which Keel ran before its own canonical ABI) pays for the same call.
 */
export function findings(report: Report): string[] {
  const out: string[] = [];
  const title = (id: string) =>
    report.groups.flatMap((g) => g.measures).find((m) => m.id === id)?.title ?? id;
  const measures = ['wasm.call.noop', 'wasm.call.add', 'wasm.call.string', 'wasm.call.host', 'wasm.spawn'];
  for (const id of measures) {
    const keel = findRow(report, id, 'keel');
    const plain = findRow(report, id, 'plain');
    const glue = findRow(report, id, 'jco-1.12');
    if (!keel || !plain || keel.ratio === undefined) continue;
    const over = keel.value - plain.value;
    const what =
      id === 'wasm.spawn'
        ? 'work (planning grants, linking providers, instantiating the plan, the meter, the sandbox record and its events)'
        : id === 'wasm.call.host'
          ? 'capability gate and lowering (it charges fuel on every host call)'
          : 'canonical ABI (checking, lifting and lowering)';
    const beside = glue?.ratio !== undefined ? ` (jco 1.12's glue: ${glue.ratio.toFixed(2)}x)` : '';
    if (keel.ratio <= 1.3 || over < 2) {
      out.push(
        `${title(id)}: Keel is at the floor (${keel.ratio.toFixed(2)}x plain V8, +${formatNs(Math.max(0, over))})${beside}.`,
      );
    } else {
      out.push(
        `${title(id)}: Keel costs ${keel.ratio.toFixed(2)}x plain V8 (+${formatNs(over)}) for its own ${what}${beside}.`,
      );
    }
  }
  const versus = (id: string, other: string) => {
    const x = findRow(report, id, other)?.value;
    const k = findRow(report, id, 'keel')?.value;
    return x !== undefined && k !== undefined ? x / k : undefined;
  };
  const fmt = (x: number | undefined) =>
    x === undefined ? '–' : x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(1)}x`;
  const unmetered = (id: string) => {
    const m = findRow(report, id, 'keel')?.value;
    const u = findRow(report, id, 'keel-unmetered')?.value;
    return m !== undefined && u !== undefined ? m / u : undefined;
  };
  if (findRow(report, 'wasm.spawn', 'keel-unmetered')) {
    const x = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(2)}x`);
    const compute = findRow(report, 'compute.metered', 'geomean');
    out.push(
      `What metering costs (Keel / Keel with metering: false, same run): ${x(unmetered('wasm.call.host'))} per guest-to-host call, ${x(unmetered('wasm.spawn'))} per spawn, ${x(unmetered('wasm.load.cold'))} per cold load (the rewrite)${compute ? `, ${compute.value.toFixed(3)}x on compute (geometric mean of the kernels, CPU time)` : ''}. Calls into the guest carry a fuel check at function entry: compare Keel with plain V8 above.`,
    );
  }
  const rivals: [string, string][] = [
    ['jco-current', 'Current jco glue (jco-transpile 0.3.9)'],
    ['extism', 'Extism JS SDK'],
  ];
  for (const [id, name] of rivals) {
    if (!findRow(report, 'wasm.call.add', id)) continue;
    out.push(
      `${name} / Keel, same run: ${fmt(versus('wasm.call.add', id))} per scalar call, ${fmt(versus('wasm.call.string', id))} per 1 KiB string call, ${fmt(versus('wasm.call.host', id))} per guest-to-host call, ${fmt(versus('wasm.spawn', id))} per spawn.`,
    );
  }
  const jsKeel = findRow(report, 'js.call.add', 'keel-js');
  const jsIvm = findRow(report, 'js.call.add', 'isolated-vm');
  const jsHost = findRow(report, 'js.call.host', 'keel-js');
  const ivmHost = findRow(report, 'js.call.host', 'isolated-vm');
  if (jsKeel && jsIvm && jsHost && ivmHost) {
    out.push(
      `JavaScript guests: a call into the componentize-js guest costs ${formatNs(jsKeel.value)} against ${formatNs(jsIvm.value)} for isolated-vm, while its calls out to the host cost ${formatNs(jsHost.value)} against ${formatNs(ivmHost.value)}. The kernel's part is the same few nanoseconds as for any component; the rest is StarlingMonkey (SpiderMonkey without a JIT, compiled to wasm) entering and leaving its engine, which also makes compute far slower than V8's JIT.`,
    );
  }
  const logged = findRow(report, 'events.invoke', 'invoke-jsonl');
  const unlogged = findRow(report, 'events.invoke', 'invoke-no-log');
  const bus = findRow(report, 'events.jsonl', 'jsonl-async');
  const pinoRow = findRow(report, 'events.jsonl', 'jsonl-pino');
  if (logged && unlogged && bus) {
    out.push(
      `Event log: ${formatNs(1e9 / bus.value)} per event from the bus to the JSONL file (${Math.round(bus.value).toLocaleString('en')}/s of wall time${typeof bus.detail?.per_cpu_s === 'number' ? `, ${bus.detail.per_cpu_s.toLocaleString('en')}/s of CPU time` : ''}; goal 500,000/s)${typeof bus.detail?.cap_bytes === 'number' ? ` with its buffer capped at ${(bus.detail.cap_bytes / 1048576).toFixed(0)} MiB (at most ${((bus.detail.peak_buffer_bytes as number) / 1048576).toFixed(1)} MiB held)` : ''}${pinoRow ? ` (pino, as the sink was before: ${formatNs(1e9 / pinoRow.value)}, unbounded)` : ''}, so a logged invokeSync costs ${formatNs(1e9 / logged.value)} against ${formatNs(1e9 / unlogged.value)} unlogged.`,
    );
  }
  return out;
}
