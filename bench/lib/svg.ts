/**
 * The report as one SVG chart, drawn by hand (no chart library): a panel per headline measure,
 * one horizontal bar per subject on a logarithmic scale (times span nanoseconds to
 * milliseconds), labelled with the median and the ratio to the reference subject.
 */
import { formatValue } from './markdown.js';
import type { MeasureResult, Report } from './report.js';

/** The measures drawn, in order (those absent from a report are skipped). */
export const CHART_MEASURES = [
  'wasm.call.noop',
  'wasm.call.add',
  'wasm.call.string',
  'wasm.call.host',
  'wasm.spawn',
  'wasm.load.cold',
  'js.call.add',
  'js.call.string',
  'js.call.host',
  'js.compute',
  'js.spawn',
  'memory.wasm',
  'memory.js',
];

const COLORS: [RegExp, string][] = [
  [/^plain|^v8-js/, '#8c8c8c'],
  [/^keel/, '#1f6feb'],
  [/^jco-1\.12/, '#f0a030'],
  [/^jco/, '#d4631a'],
  [/^extism/, '#8957e5'],
  [/^isolated-vm/, '#2da44e'],
  [/^quickjs/, '#1b9aaa'],
];

const color = (subject: string) => COLORS.find(([re]) => re.test(subject))?.[1] ?? '#555';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const WIDTH = 960;
const LABEL = 210;
const BAR_AREA = 560;
const BAR = 15;
const GAP = 4;

function panel(m: MeasureResult, labels: Map<string, string>, y: number): { svg: string[]; height: number } {
  const rows = m.rows.filter((r) => r.value > 0 && Number.isFinite(r.value));
  const lo = Math.min(...rows.map((r) => r.value)) / 2;
  const hi = Math.max(...rows.map((r) => r.value));
  const span = Math.max(Math.log10(hi) - Math.log10(lo), 1);
  const x = (v: number) => (BAR_AREA * (Math.log10(v) - Math.log10(lo))) / span;
  const out = [
    `<text x="10" y="${y + 14}" class="t">${xml(m.title)}${m.lower_is_better ? ' (lower is better)' : ''}</text>`,
  ];
  let cy = y + 24;
  for (const r of rows) {
    const w = Math.max(2, x(r.value));
    const ratio =
      r.ratio !== undefined && m.reference && r.subject !== m.reference
        ? ` · ${r.ratio >= 100 ? r.ratio.toFixed(0) : r.ratio >= 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(2)}x`
        : '';
    out.push(
      `<text x="${LABEL - 6}" y="${cy + BAR - 3}" class="l">${xml(labels.get(r.subject) ?? r.subject)}</text>`,
      `<rect x="${LABEL}" y="${cy}" width="${w.toFixed(1)}" height="${BAR}" fill="${color(r.subject)}"/>`,
      `<text x="${(LABEL + w + 5).toFixed(1)}" y="${cy + BAR - 3}" class="v">${xml(formatValue(r.value, m.unit))}${ratio}</text>`,
    );
    cy += BAR + GAP;
  }
  return { svg: out, height: cy - y + 12 };
}

export function svgChart(r: Report): string {
  const body: string[] = [];
  let y = 52;
  for (const id of CHART_MEASURES) {
    const group = r.groups.find((g) => g.measures.some((m) => m.id === id));
    const m = group?.measures.find((x) => x.id === id);
    if (!group || !m || m.rows.length === 0) continue;
    // Labels from the measure's own group: one subject id may be labelled per group.
    const labels = new Map(group.subjects.map((s) => [s.id, s.label]));
    const p = panel(m, labels, y);
    body.push(...p.svg);
    y += p.height;
  }
  const mc = r.machine;
  const header = [
    `<text x="10" y="20" class="h">Keel benchmarks — ${xml(r.date.slice(0, 10))} · ${xml(r.command)}</text>`,
    `<text x="10" y="38" class="s">${xml(`${mc.cpu}, ${mc.cores} cores · Node ${mc.node} · load ${mc.load_before.join('/')} → ${mc.load_after.join('/')} · medians, log scale, ratios to the first bar (same run)`)}</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    '<style>.h{font-size:15px;font-weight:600}.s{font-size:11px;fill:#555}.t{font-size:13px;font-weight:600}.l{font-size:11px;text-anchor:end}.v{font-size:11px;fill:#333}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...header,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
