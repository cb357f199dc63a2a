/**
 * Converts the WebAssembly spec test suite (`.wast` scripts) into the data that the spec
 * harness (`test/spec/`) runs, with Debian's `wast2json` (wabt 1.0.32).
 *
 *     npm run build && node dist/scripts/update-spec-tests.js [--suite ../shared/spec-testsuite]
 *
 * Output, committed so that `npm test` needs neither wabt nor the suite:
 * - `test/spec/data/<script>.json.gz`: the commands of one script, every binary module
 *   inlined as base64 (`wasm`);
 * - `test/spec/data/manifest.json`: every script found, converted or not, and why.
 *
 * wabt 1.0.32 predates parts of the current text format (`module definition`, typed
 * references in tables, GC types, ...). When a script fails to convert, the command wast2json
 * points at is blanked out (newlines kept, so line numbers stay true), together with the
 * commands that depend on it (the actions on a dropped module), and the conversion is tried
 * again. Every dropped command is recorded with wast2json's message. When wast2json crashes
 * without a line number, the first failing command is found by bisection.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The wabt features that Node 20's V8 (11.3) ships enabled. wabt's defaults already cover
 * MVP, mutable globals, saturating conversions, sign extension, SIMD, multi-value, bulk memory
 * and reference types; V8 11.3 also ships tail calls, (legacy) exception handling and threads.
 * Modules that need anything else (GC, memory64, multi-memory, extended-const, relaxed SIMD,
 * ...) are rejected by wast2json's validation and recorded as dropped.
 */
export const WAST2JSON_FLAGS = ['--enable-tail-call', '--enable-exceptions', '--enable-threads'];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface TopCommand {
  start: number;
  end: number;
  line: number;
  endLine: number;
  kind: string;
  /** `$name` given to a module command, or the module an action names. */
  moduleName?: string;
  /** Whether an action/assertion/register acts on the current (unnamed) module. */
  usesCurrent: boolean;
  text: string;
}

export interface Dropped {
  line: number;
  kind: string;
  /** What the command needs that the toolchain or Node 20 lacks (see `classify`). */
  feature: string;
  reason: string;
}

/**
 * Names what a command needs that wabt 1.0.32 or Node 20's V8 lacks, from wast2json's message
 * and the command's text. The first rule that matches wins.
 */
const DEPENDENT = 'depends on a dropped module';

const FEATURES: [string, RegExp][] = [
  [DEPENDENT, /^depends on the module/],
  ['annotations', /annotations not enabled|\(@/],
  ['relaxed SIMD', /relaxed/],
  ['wide arithmetic', /i64\.(add|sub)128|i64\.mul_wide/],
  ['custom page sizes', /pagesize/],
  ['exnref (new exception handling)', /exnref|try_table|throw_ref/],
  ['custom descriptors', /\bexact\b|descriptor|unexpected type form/],
  [
    'GC',
    /\b(struct|array|i31|anyref|eqref|i31ref|structref|arrayref|nullref|nullfuncref|nullexternref|rec|sub|ref\.test|ref\.cast|br_on_cast|br_on_cast_fail|any\.convert_extern|extern\.convert_any)\b/,
  ],
  [
    'typed function references',
    /\(ref\s+(null\s+)?(\$|\d|func|extern)|ref\.as_non_null|br_on_null|br_on_non_null|call_ref|return_call_ref/,
  ],
  ['typed function references', /\(table\s[^()]*\b(funcref|externref)\s*\(ref\./],
  [
    'memory64 / table64',
    /\((memory|table)\s+(\$[^\s()]+\s+)?(\(export\s+"[^"]*"\)\s+)?(\(import\s+"[^"]*"\s+"[^"]*"\)\s+)?i64\b|memory64|table64/,
  ],
  ['multi-memory', /memory variable|multiple memories|GetMemoryIndex/],
  ['module definition / instance (newer script syntax)', /\(\s*module\s+(definition|instance)/],
];

function classify(reason: string, text: string): string {
  for (const [feature, pattern] of FEATURES) if (pattern.test(reason) || pattern.test(text)) return feature;
  if (/crashed/.test(reason)) return 'wast2json 1.0.32 crashes';
  return 'text format newer than wabt 1.0.32';
}

/** Splits a .wast script into its top-level S-expressions (comments and strings aware). */
export function splitCommands(src: string): TopCommand[] {
  const out: TopCommand[] = [];
  let depth = 0;
  let start = -1;
  let line = 1;
  let startLine = 1;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ';' && src[i + 1] === ';') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '(' && src[i + 1] === ';') {
      let nest = 1;
      i += 2;
      while (i < src.length && nest > 0) {
        if (src[i] === '(' && src[i + 1] === ';') {
          nest++;
          i += 2;
        } else if (src[i] === ';' && src[i + 1] === ')') {
          nest--;
          i += 2;
        } else {
          if (src[i] === '\n') line++;
          i++;
        }
      }
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\') i++;
        else if (src[i] === '\n') line++;
        i++;
      }
      i++;
    } else if (c === '(') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
      if (depth === 0) out.push(describe(src.slice(start, i), start, i, startLine, line));
    } else {
      i++;
    }
  }
  return out;
}

function describe(text: string, start: number, end: number, line: number, endLine: number): TopCommand {
  const kind = /^\(\s*([^\s()]+)/.exec(text)?.[1] ?? '?';
  const cmd: TopCommand = { start, end, line, endLine, kind, usesCurrent: false, text };
  if (kind === 'module') {
    const name = /^\(\s*module\s+(?:definition\s+|instance\s+)?(\$[^\s()"]+)/.exec(text)?.[1];
    if (name) cmd.moduleName = name;
  } else if (kind === 'register') {
    const name = /^\(\s*register\s+"(?:[^"\\]|\\.)*"\s+(\$[^\s()"]+)/.exec(text)?.[1];
    if (name) cmd.moduleName = name;
    else cmd.usesCurrent = true;
  } else {
    const action = /\(\s*(?:invoke|get)\s+(\$[^\s()"]+|")/.exec(text);
    if (action) {
      if (action[1] === '"') cmd.usesCurrent = true;
      else cmd.moduleName = action[1]!;
    }
  }
  return cmd;
}

/**
 * The one desugaring applied before conversion: the current text format lets `table.get`,
 * `table.set`, `table.size`, `table.grow` and `table.fill` omit the table index (it is 0);
 * wabt 1.0.32 requires it. Inserts `0` where an operand or `)` follows directly, outside
 * strings and comments (quoted modules are left as they are). The binary is the same.
 */
export function desugar(src: string): string {
  let out = '';
  let i = 0;
  let code = 0;
  const flush = (end: number) => {
    out += src.slice(code, end).replace(/\b(table\.(?:get|set|size|grow|fill))(?=\s*[()])/g, '$1 0');
  };
  while (i < src.length) {
    const c = src[i]!;
    let skipTo = -1;
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      skipTo = j + 1;
    } else if (c === ';' && src[i + 1] === ';') {
      const j = src.indexOf('\n', i);
      skipTo = j < 0 ? src.length : j;
    } else if (c === '(' && src[i + 1] === ';') {
      let nest = 1;
      let j = i + 2;
      while (j < src.length && nest > 0) {
        if (src[j] === '(' && src[j + 1] === ';') {
          nest++;
          j += 2;
        } else if (src[j] === ';' && src[j + 1] === ')') {
          nest--;
          j += 2;
        } else j++;
      }
      skipTo = j;
    }
    if (skipTo < 0) {
      i++;
      continue;
    }
    flush(i);
    out += src.slice(i, skipTo);
    i = code = skipTo;
  }
  flush(src.length);
  return out;
}

/** Blanks the given commands out of the source, keeping every newline. */
function blank(src: string, commands: TopCommand[], drop: Set<number>): string {
  let out = '';
  let pos = 0;
  commands.forEach((cmd, index) => {
    if (!drop.has(index)) return;
    out += src.slice(pos, cmd.start) + src.slice(cmd.start, cmd.end).replace(/[^\n]/g, ' ');
    pos = cmd.end;
  });
  return out + src.slice(pos);
}

/** Marks the commands that depend on a dropped module: actions on it until it is replaced. */
function dropDependents(commands: TopCommand[], index: number, drop: Map<number, string>): void {
  const dropped = commands[index]!;
  if (dropped.kind !== 'module') return;
  const why = `depends on the module at line ${dropped.line}, which was dropped`;
  let current = true;
  for (let j = index + 1; j < commands.length; j++) {
    const cmd = commands[j]!;
    if (cmd.kind === 'module') {
      current = false;
      if (dropped.moduleName && cmd.moduleName === dropped.moduleName) break;
      if (!dropped.moduleName) break;
      continue;
    }
    const named = dropped.moduleName !== undefined && cmd.moduleName === dropped.moduleName;
    if ((current && cmd.usesCurrent) || named) {
      if (!drop.has(j)) drop.set(j, why);
    }
  }
}

interface Run {
  ok: boolean;
  message: string;
  line?: number;
}

function runWast2json(wastPath: string, outJson: string): Run {
  const r = spawnSync('wast2json', [...WAST2JSON_FLAGS, wastPath, '-o', outJson], { encoding: 'utf8' });
  const message = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
  if (r.status === 0) return { ok: true, message };
  const first = message.split('\n').find((l) => /:\d+:\d+: error:/.test(l)) ?? message.split('\n')[0] ?? '';
  const m = /:(\d+):\d+: error: (.*)$/.exec(first);
  if (m) return { ok: false, message: m[2]!, line: Number(m[1]) };
  const crash = /Assertion `[^']*' failed/.exec(message)?.[0] ?? (message || `exit status ${r.status}`);
  return { ok: false, message: `wast2json crashed: ${crash}` };
}

interface Converted {
  json: { commands: Record<string, unknown>[] };
  dir: string;
  dropped: Dropped[];
  total: number;
}

function convert(wastPath: string, work: string): Converted | { error: string; total: number } {
  const src = desugar(readFileSync(wastPath, 'utf8'));
  const commands = splitCommands(src);
  const drop = new Map<number, string>();
  /** Converts the script with the dropped commands, and every command from `upTo` on, blanked. */
  const attempt = (upTo: number, tag: string): Run => {
    const blanked = new Set<number>(drop.keys());
    for (let j = upTo; j < commands.length; j++) blanked.add(j);
    const dir = join(work, tag);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'script.wast');
    writeFileSync(file, blank(src, commands, blanked));
    return runWast2json(file, join(dir, 'script.json'));
  };
  const droppedList = (): Dropped[] =>
    [...drop.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([j, reason]) => {
        const cmd = commands[j]!;
        return { line: cmd.line, kind: cmd.kind, feature: classify(reason, cmd.text), reason };
      });
  for (let round = 0; round <= commands.length; round++) {
    if (drop.size === commands.length)
      return { json: { commands: [] }, dir: work, dropped: droppedList(), total: commands.length };
    const run = attempt(commands.length, 'full');
    if (run.ok) {
      const dir = join(work, 'full');
      const json = JSON.parse(readFileSync(join(dir, 'script.json'), 'utf8'));
      return { json, dir, dropped: droppedList(), total: commands.length };
    }
    let culprit = -1;
    if (run.line !== undefined) {
      const at = run.line;
      culprit = commands.findIndex((c, j) => !drop.has(j) && c.line <= at && c.endLine >= at);
      if (culprit < 0) culprit = commands.findIndex((c, j) => !drop.has(j) && c.line >= at);
    }
    if (culprit < 0) {
      // No usable line: bisect for the shortest failing prefix.
      let lo = 0;
      let hi = commands.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (attempt(mid + 1, 'probe').ok) lo = mid + 1;
        else hi = mid;
      }
      culprit = lo < commands.length ? lo : -1;
    }
    if (culprit < 0 || drop.has(culprit)) return { error: run.message, total: commands.length };
    drop.set(culprit, run.message);
    dropDependents(commands, culprit, drop);
  }
  return { error: 'conversion did not converge', total: commands.length };
}

function findScripts(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findScripts(full, base));
    else if (entry.name.endsWith('.wast')) out.push(relative(base, full));
  }
  return out.sort();
}

export interface ManifestEntry {
  script: string;
  /** `converted`: every command; `partial`: some commands dropped; `skipped`: nothing usable. */
  status: 'converted' | 'partial' | 'skipped';
  commands: number;
  dropped: number;
  data?: string;
  /** What stopped the script (skipped) or its dropped commands (partial); wast2json's message. */
  feature?: string;
  reason?: string;
}

function main(): void {
  const args = process.argv.slice(2);
  const suiteArg = args.indexOf('--suite');
  const suite = resolve(suiteArg >= 0 ? args[suiteArg + 1]! : join(repoRoot, '../shared/spec-testsuite'));
  if (!existsSync(suite)) throw new Error(`spec test suite not found at ${suite} (use --suite PATH)`);
  const version = spawnSync('wast2json', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!version) throw new Error('wast2json not found: apt-get install -y wabt');
  const out = join(repoRoot, 'test/spec/data');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'keel-spec-'));
  const source = readFileSync(join(suite, 'SOURCE.md'), 'utf8');
  const commit = /commit\s+([0-9a-f]{40})/.exec(source)?.[1] ?? 'unknown';
  const entries: ManifestEntry[] = [];
  try {
    for (const script of findScripts(suite)) {
      const r = convert(join(suite, script), work);
      if ('error' in r) {
        const feature = classify(r.error, '');
        entries.push({
          script,
          status: 'skipped',
          commands: r.total,
          dropped: r.total,
          feature,
          reason: r.error,
        });
        console.log(`skip  ${script}: ${r.error}`);
        continue;
      }
      const commands = r.json.commands.map((c) => inline(c, r.dir));
      const live = commands.filter((c) => c.type !== 'assert_malformed' || c.module_type !== 'text');
      const dataName = `${script.replace(/\.wast$/, '').replace(/\//g, '__')}.json.gz`;
      if (r.dropped.length === r.total || live.length === 0) {
        const first = r.dropped.find((d) => d.feature !== DEPENDENT) ?? r.dropped[0];
        const reason = first?.reason ?? 'only text-format assert_malformed commands';
        const feature = first?.feature ?? 'text format only (not applicable to a binary runtime)';
        const dropped = r.dropped.length;
        entries.push({ script, status: 'skipped', commands: r.total, dropped, feature, reason });
        console.log(`skip  ${script}: ${reason}`);
        continue;
      }
      const data = { script, wast2json: version, flags: WAST2JSON_FLAGS, commands, dropped: r.dropped };
      writeFileSync(join(out, dataName), gzipSync(JSON.stringify(data), { level: 9 }));
      const status = r.dropped.length ? 'partial' : 'converted';
      const entry: ManifestEntry = {
        script,
        status,
        commands: r.total,
        dropped: r.dropped.length,
        data: dataName,
      };
      const features = [...new Set(r.dropped.map((d) => d.feature))].filter((f) => f !== DEPENDENT);
      if (features.length) entry.feature = features.join(', ');
      entries.push(entry);
      console.log(
        `${status === 'partial' ? 'part ' : 'ok   '} ${script} (${r.dropped.length}/${r.total} dropped)`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const manifest = {
    suite: 'WebAssembly/testsuite',
    commit,
    wast2json: version,
    flags: WAST2JSON_FLAGS,
    scripts: entries,
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const count = (s: string) => entries.filter((e) => e.status === s).length;
  const byFeature = new Map<string, number>();
  for (const e of entries) if (e.feature) byFeature.set(e.feature, (byFeature.get(e.feature) ?? 0) + 1);
  for (const [feature, n] of [...byFeature].sort((a, b) => b[1] - a[1]))
    console.log(`  skipped for ${feature}: ${n}`);
  console.log(
    `${entries.length} scripts: ${count('converted')} converted, ${count('partial')} partial, ${count('skipped')} skipped`,
  );
}

/** Replaces a command's module file name by the module's bytes (base64); text modules are left out. */
function inline(cmd: Record<string, unknown>, dir: string): Record<string, unknown> {
  const { filename, ...rest } = cmd;
  if (typeof filename !== 'string') return rest;
  if (!filename.endsWith('.wasm')) return rest;
  return { ...rest, wasm: readFileSync(join(dir, filename)).toString('base64') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
