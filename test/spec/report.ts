/**
 * Turns spec-suite results into the counts printed by the test and the tables of
 * `docs/conformance.md` (written by `scripts/spec-report.ts`).
 */
import { type Manifest, type ScriptResult, type Tally, type TallyByKind, tally, total } from './suite.js';

const KIND_ORDER = [
  'module',
  'register',
  'action',
  'assert_return',
  'assert_trap',
  'assert_exhaustion',
  'assert_exception',
  'assert_invalid',
  'assert_malformed',
  'assert_unlinkable',
  'assert_uninstantiable',
];

export interface Summary {
  manifest: Manifest;
  converted: number;
  partial: number;
  skipped: number;
  droppedCommands: number;
  plain: TallyByKind;
  /** Scripts run, by how they fare on plain V8: every command passes, some fail, none passes. */
  scriptsOnV8: { all: number; some: number; none: number };
  transforms: { name: string; tally: TallyByKind; divergences: number }[];
}

export function summarize(manifest: Manifest, results: ScriptResult[]): Summary {
  const count = (s: string) => manifest.scripts.filter((e) => e.status === s).length;
  const plain: TallyByKind = {};
  const scriptsOnV8 = { all: 0, some: 0, none: 0 };
  for (const r of results) {
    const t = total(tally(r.plain));
    if (t.fail === 0) scriptsOnV8.all++;
    else if (t.pass > 0) scriptsOnV8.some++;
    else scriptsOnV8.none++;
  }
  const transforms = new Map<string, { name: string; tally: TallyByKind; divergences: number }>();
  for (const r of results) {
    tally(r.plain, plain);
    for (const t of r.transformed) {
      let s = transforms.get(t.transform);
      if (!s) {
        s = { name: t.transform, tally: {}, divergences: 0 };
        transforms.set(t.transform, s);
      }
      tally(t.outcomes, s.tally);
      s.divergences += t.divergences.length;
    }
  }
  return {
    manifest,
    converted: count('converted'),
    partial: count('partial'),
    skipped: count('skipped'),
    droppedCommands: manifest.scripts
      .filter((e) => e.status === 'partial')
      .reduce((n, e) => n + e.dropped, 0),
    plain,
    scriptsOnV8,
    transforms: [...transforms.values()],
  };
}

const pct = (a: number, b: number) => (b === 0 ? '100' : ((100 * a) / b).toFixed(2));

/** The few lines the test prints. */
export function summaryText(s: Summary): string {
  const p = total(s.plain);
  const lines = [
    `spec conformance: ${s.manifest.suite}@${s.manifest.commit.slice(0, 12)}, wast2json ${s.manifest.wast2json}`,
    `  scripts: ${s.manifest.scripts.length} found, ${s.converted} converted, ${s.partial} partially converted (${s.droppedCommands} commands dropped), ${s.skipped} skipped`,
    `  plain V8: ${p.pass} passed, ${p.fail} failed (features Node 20 lacks), ${p.na} not applicable (text format); scripts passing entirely ${s.scriptsOnV8.all}, in part ${s.scriptsOnV8.some}, not at all ${s.scriptsOnV8.none}`,
  ];
  for (const t of s.transforms) {
    const tt = total(t.tally);
    lines.push(
      `  ${t.name}: ${tt.pass} passed, ${tt.fail} failed; ${p.pass - t.divergences}/${p.pass} of plain V8's passes kept (${pct(p.pass - t.divergences, p.pass)} %), ${t.divergences} divergences`,
    );
  }
  return lines.join('\n');
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

const cell = (t: Tally | undefined) => (t ? t.pass : 0);

/** The generated part of docs/conformance.md. */
export function markdown(s: Summary, results: ScriptResult[]): string {
  const out: string[] = [];
  const p = total(s.plain);
  out.push(
    `Suite: \`${s.manifest.suite}\` at \`${s.manifest.commit}\`; converted with wast2json ${s.manifest.wast2json} (\`${s.manifest.flags.join(' ')}\`); run on Node ${process.version} (V8 ${process.versions.v8}).`,
    '',
    `- Scripts found: **${s.manifest.scripts.length}**; converted whole: **${s.converted}**; converted in part: **${s.partial}** (${s.droppedCommands} commands dropped); skipped: **${s.skipped}**.`,
    `- Plain V8: **${p.pass}** commands passed, ${p.fail} failed (features Node 20 lacks, listed below), ${p.na} not applicable (text-format modules). Of the ${results.length} scripts run, ${s.scriptsOnV8.all} pass entirely, ${s.scriptsOnV8.some} in part, and ${s.scriptsOnV8.none} not at all (proposals wabt converts but V8 11.3 lacks, e.g. memory64).`,
  );
  for (const t of s.transforms) {
    const tt = total(t.tally);
    out.push(
      `- \`${t.name}\`: **${tt.pass}** passed, ${tt.fail} failed; of plain V8's ${p.pass} passes, **${p.pass - t.divergences}** kept (${pct(p.pass - t.divergences, p.pass)} %), ${t.divergences} divergences.`,
    );
  }
  out.push('', '### Commands passed, by kind', '');
  out.push(
    row([
      'kind',
      'plain V8 passed',
      'plain V8 failed',
      'n/a',
      ...s.transforms.map((t) => `${t.name} passed`),
    ]),
  );
  out.push(row(['---', ...Array(3 + s.transforms.length).fill('---:')]));
  const kinds = KIND_ORDER.filter((k) => s.plain[k]);
  for (const k of kinds) {
    const pk = s.plain[k]!;
    out.push(row([k, pk.pass, pk.fail, pk.na, ...s.transforms.map((t) => cell(t.tally[k]))]));
  }
  out.push(row(['**total**', p.pass, p.fail, p.na, ...s.transforms.map((t) => total(t.tally).pass)]));

  out.push(
    '',
    '### Scripts skipped',
    '',
    row(['script', 'needs', "wast2json's message"]),
    row(['---', '---', '---']),
  );
  for (const e of s.manifest.scripts.filter((x) => x.status === 'skipped')) {
    out.push(
      row([`\`${e.script}\``, e.feature ?? '', (e.reason ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|')]),
    );
  }

  out.push(
    '',
    '### Scripts converted in part',
    '',
    'Commands dropped because wabt 1.0.32 cannot convert them (and the actions on a dropped module).',
    '',
    row(['script', 'commands', 'dropped', 'needs']),
    row(['---', '---:', '---:', '---']),
  );
  for (const r of results.filter((x) => x.entry.status === 'partial')) {
    out.push(row([`\`${r.entry.script}\``, r.entry.commands, r.entry.dropped, r.entry.feature ?? '']));
  }

  out.push(
    '',
    '### Plain V8 failures',
    '',
    'Commands that convert but that Node 20 (V8 11.3) does not pass, grouped by what V8 said.',
    'They are not counted against a transform.',
    '',
    row(['V8 says', 'commands', 'scripts']),
    row(['---', '---:', '---']),
  );
  const groups = new Map<string, { n: number; scripts: Set<string> }>();
  for (const r of results) {
    for (const o of r.plain) {
      if (o.status !== 'fail') continue;
      const key = o.observed.replace(/ @\+\d+$/, '').replace(/"[^"]*"/g, '"…"');
      const g = groups.get(key) ?? { n: 0, scripts: new Set() };
      g.n++;
      g.scripts.add(r.entry.script);
      groups.set(key, g);
    }
  }
  for (const [key, g] of [...groups].sort((a, b) => b[1].n - a[1].n)) {
    out.push(row([key.replace(/\|/g, '\\|'), g.n, [...g.scripts].map((x) => `\`${x}\``).join(', ')]));
  }
  return out.join('\n');
}
