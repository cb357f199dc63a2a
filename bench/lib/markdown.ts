/**
 * The report as Markdown: header (date, command, machine, load), targets, then one table per
 * group: each cell is the median, its spread and the ratio to the group's reference subject.
 */
import { formatBytes, formatNs } from './measure.js';
import type { Group, MeasureResult, Report, Row, Unit } from './report.js';
import { findings } from './targets.js';

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ns':
      return formatNs(value);
    case 'bytes':
      return formatBytes(value);
    case 'per_s':
      return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
    case 'x':
      return value.toFixed(3);
    case 'count':
      return Math.round(value).toLocaleString('en');
  }
}

function cell(row: Row | undefined, m: MeasureResult): string {
  if (!row) return '';
  let text = formatValue(row.value, m.unit);
  if (row.p25 !== undefined && row.p75 !== undefined && row.value > 0 && m.unit !== 'x') {
    const spread = (50 * (row.p75 - row.p25)) / row.value;
    text += ` ±${spread < 10 ? spread.toFixed(1) : spread.toFixed(0)}%`;
  }
  if (m.unit === 'x' && row.p25 !== undefined && row.p75 !== undefined) {
    text += ` (${row.p25.toFixed(3)}–${row.p75.toFixed(3)})`;
  }
  if (row.ratio !== undefined && m.reference && row.subject !== m.reference) {
    const r = row.ratio;
    text += ` · **${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}x**`;
  }
  return text;
}

function groupTable(g: Group): string[] {
  if (g.skipped) return [`_Not run: ${g.skipped}_`, ''];
  const used = g.subjects.filter((s) => g.measures.some((m) => m.rows.some((r) => r.subject === s.id)));
  const lines: string[] = [];
  if (used.length <= 8) {
    lines.push(`| measure | ${used.map((s) => s.label).join(' | ')} |`);
    lines.push(`|---|${used.map(() => '---:').join('|')}|`);
    for (const m of g.measures) {
      lines.push(
        `| ${m.title} | ${used
          .map((s) =>
            cell(
              m.rows.find((r) => r.subject === s.id),
              m,
            ),
          )
          .join(' | ')} |`,
      );
    }
  } else {
    lines.push(`| subject | ${g.measures.map((m) => m.title).join(' | ')} |`);
    lines.push(`|---|${g.measures.map(() => '---:').join('|')}|`);
    for (const s of used) {
      lines.push(
        `| ${s.label} | ${g.measures
          .map((m) =>
            cell(
              m.rows.find((r) => r.subject === s.id),
              m,
            ),
          )
          .join(' | ')} |`,
      );
    }
  }
  lines.push('');
  const refs = [
    ...new Set(
      g.measures
        .filter((m) => m.unit === 'ns' || m.unit === 'per_s')
        .map((m) => m.reference)
        .filter(Boolean),
    ),
  ] as string[];
  if (refs.length > 0) {
    const names = refs.map((id) => g.subjects.find((s) => s.id === id)?.label ?? id);
    lines.push(
      `Median ± half the interquartile range; **Nx** = median of the per-round ratios to ${names.join(' / ')} (same run, interleaved rounds).`,
      '',
    );
  }
  for (const m of g.measures) if (m.note) lines.push(`- ${m.title}: ${m.note}`);
  for (const n of g.notes) lines.push(`- ${n}`);
  lines.push('', '<details><summary>How each subject is set up</summary>', '');
  for (const s of used) lines.push(`- **${s.label}** (\`${s.id}\`): ${s.setup}`);
  lines.push('', '</details>', '');
  return lines;
}

export function markdown(r: Report, chart = 'latest.svg'): string {
  const m = r.machine;
  const lines = [
    '# Keel benchmarks',
    '',
    `- Date: ${r.date} · command: \`${r.command}\` · ${r.duration_s} s`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.arch}, ${m.memory_gib} GiB, ${m.os}`,
    `- Node ${m.node} (V8 ${m.v8}) · load average before ${m.load_before.join(' / ')}, after ${m.load_after.join(' / ')}`,
    `- Code: ${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (with uncommitted changes)' : ''} · ${Object.entries(
      r.versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    `![chart](${chart})`,
    '',
    '## Targets (tracked, not asserted)',
    '',
    '| target | value | goal | met |',
    '|---|---:|---:|:-:|',
    ...r.targets.map(
      (t) =>
        `| ${t.label} | ${t.value === null ? '–' : `${t.value.toLocaleString('en')}${t.unit ?? 'x'}`} | ${t.kind === 'max' ? '≤' : '≥'} ${t.target.toLocaleString('en')}${t.unit ?? 'x'} | ${t.met === null ? `– ${t.note ?? ''}` : t.met ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  const found = findings(r);
  if (found.length > 0) lines.push('## Where Keel stands', '', ...found.map((f) => `- ${f}`), '');
  for (const g of r.groups) lines.push(`## ${g.title}`, '', ...groupTable(g));
  for (const n of r.notes) lines.push(`- ${n}`);
  return `${lines.join('\n')}\n`;
}
