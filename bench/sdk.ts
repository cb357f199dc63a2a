/**
 * `node --expose-gc dist/bench/sdk.js [--quick] [--probes] [--no-write]` (after `npm run build`): the guest
 * SDKs side by side, in one run of one process.
 *
 * For each language (AssemblyScript, C, Rust, JavaScript, TypeScript) the `keel new` template
 * is written to a scratch folder and built with `keel build`'s code (a language whose
 * toolchain is not installed is reported as skipped, with the reason); then, for each built
 * component: its size, the build's wall time, a cold load (a new kernel with an empty cache:
 * validate, transpile, rewrite, compile), a warm load (a new kernel, from the disk cache), a
 * spawn (`kernel.spawn` + `terminate`), and calls to `keel:kernel/handler#handle` through
 * `sandbox.fn` with 4 bytes and with 1 KiB (the guest answers `hello, <input>`: bytes in,
 * bytes out). The committed SDK probes (C, Rust, JavaScript and TypeScript, guests/sdk-probe/)
 * add a scalar call (`echo-color`, an enum) and a 1 KiB string call (`echo-string`); each probe
 * export calls the host's echo import once, so these include one guest-to-host call each.
 * `--probes` measures the committed probes only (no template builds: componentize-js takes
 * minutes on a loaded machine).
 *
 * Writes bench/results/sdk-<date>[-quick|-probes].{json,md} and sdk-latest.{json,md} (a
 * `--probes` run: sdk-probes-latest.{json,md}).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kernel } from '../host/index.js';
import { buildProject } from '../scripts/sdk/build.js';
import { createProject } from '../scripts/sdk/new.js';
import { readProject } from '../scripts/sdk/project.js';
import { PROBE_LANGUAGES, probeGrants, probeTypes } from '../test/sdk/probe-host.js';
import { compare, formatBytes, formatNs, machine, type Stats, stats } from './lib/measure.js';
import { ROOT, repoPath } from './lib/paths.js';

const LANGS = ['as', 'c', 'rust', 'js', 'ts'] as const;
const HANDLE = 'keel:kernel/handler#handle';
const SMALL = new TextEncoder().encode('Keel');
const KIB = new TextEncoder().encode('k'.repeat(1024));
const KIB_STRING = 'k'.repeat(1024);

interface Row {
  subject: string;
  language: string;
  /** Why it was not measured (a missing toolchain). */
  skipped?: string;
  bytes?: number;
  build_ms?: number;
  toolchain?: string;
  cold_load_ms?: Stats;
  warm_load_ms?: Stats;
  spawn_ms?: Stats;
  /** The process's CPU time (all threads) for the same cold loads and spawns. */
  cold_load_cpu_ms?: Stats;
  spawn_cpu_ms?: Stats;
  /** ns per call, by the CPU timer. */
  calls?: Record<string, Stats>;
}

const nowMs = () => performance.now();
/** CPU time of the process so far (user + system, every thread), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function timeLoads(component: Uint8Array, scratch: string, samples: number) {
  const cold: number[] = [];
  const coldCpu: number[] = [];
  const warm: number[] = [];
  for (let s = 0; s < samples; s++) {
    const cacheDir = join(scratch, `cache-${s}`);
    for (const list of [cold, warm]) {
      const kernel = new Kernel({ cacheDir, providers: [probeTypes] });
      const [t0, c0] = [nowMs(), cpuMs()];
      await kernel.load(component);
      list.push(nowMs() - t0);
      if (list === cold) coldCpu.push(cpuMs() - c0);
      await kernel.close();
    }
  }
  return { cold: stats(cold), coldCpu: stats(coldCpu), warm: stats(warm) };
}

async function measure(
  subject: string,
  component: Uint8Array,
  scratch: string,
  quick: boolean,
  calls: Record<string, { fn: string; arg: unknown }>,
): Promise<Omit<Row, 'subject' | 'language'>> {
  // A JavaScript guest is megabytes: fewer samples of its loads and spawns.
  const big = component.length > 1_000_000;
  const dir = join(scratch, `loads-${subject}`);
  const loads = await timeLoads(component, dir, quick || big ? 2 : 5);
  const kernel = new Kernel({ cacheDir: join(dir, 'cache-0'), providers: [probeTypes] });
  // The probe's granted directory lies beside the caches, never around them (Keel refuses that).
  const granted = join(scratch, 'granted');
  mkdirSync(granted, { recursive: true });
  try {
    const module = await kernel.load(component, { name: subject });
    const spawns: number[] = [];
    const spawnsCpu: number[] = [];
    const spawnSamples = big ? 5 : quick ? 7 : 21;
    for (let s = 0; s < spawnSamples; s++) {
      const [t0, c0] = [nowMs(), cpuMs()];
      const sandbox = await kernel.spawn(module, { grants: probeGrants(granted) });
      sandbox.terminate();
      spawns.push(nowMs() - t0);
      spawnsCpu.push(cpuMs() - c0);
    }
    const sandbox = await kernel.spawn(module, { grants: probeGrants(granted) });
    const timed: Record<string, Stats> = {};
    for (const [name, { fn, arg }] of Object.entries(calls)) {
      const call = sandbox.fn<(a: unknown) => unknown>(fn);
      const [timing] = await compare([{ subject, op: () => call(arg) }], {
        samples: quick ? 7 : 15,
        sampleMs: quick ? 5 : 15,
        warmupMs: quick ? 100 : 300,
        timer: 'cpu',
      });
      timed[name] = timing!.ns;
    }
    sandbox.terminate();
    return {
      bytes: component.length,
      cold_load_ms: loads.cold,
      cold_load_cpu_ms: loads.coldCpu,
      warm_load_ms: loads.warm,
      spawn_ms: stats(spawns),
      spawn_cpu_ms: stats(spawnsCpu),
      calls: timed,
    };
  } finally {
    await kernel.close();
  }
}

const ms = (s: Stats | undefined) => (s ? formatNs(s.median * 1e6) : '–');
const ns = (s: Stats | undefined) => (s ? formatNs(s.median) : '–');

/** The `keel new` templates' table. */
function templateTable(templates: readonly Row[]): string[] {
  const lines = [
    '## The `keel new` template of each language',
    '',
    '`keel:kernel/handler#handle` with 4 bytes and with 1 KiB (bytes in, `hello, <input>` out).',
    '',
    '| language | toolchain | size | build | cold load | warm load | spawn | handle(4 B) | handle(1 KiB) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of templates) {
    if (r.skipped) {
      lines.push(
        `| ${r.language} | skipped: ${r.skipped.replaceAll('|', '/').split('\n')[0]} | | | | | | | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.language} | ${r.toolchain} | ${formatBytes(r.bytes!)} | ${formatNs(r.build_ms! * 1e6)} | ${ms(r.cold_load_ms)} | ${ms(r.warm_load_ms)} | ${ms(r.spawn_ms)} | ${ns(r.calls?.small)} | ${ns(r.calls?.kib)} |`,
    );
  }
  return [...lines, ''];
}

function markdown(report: Report): string {
  const lines = [
    `# Guest SDKs side by side (${report.date})`,
    '',
    `\`${report.command}\` at ${report.commit}, ${report.machine.cpu} (${report.machine.cores} cores), Node ${report.machine.node}, load ${report.machine.load.join(' ')} before, ${report.load_after.join(' ')} after.`,
    'Medians. Calls: CPU time per call through `sandbox.fn`. Loads and spawns: wall time; in the probes table, wall / CPU time of the process.',
    '',
    ...(report.templates.length > 0 ? templateTable(report.templates) : []),
    '## The SDK probes (guests/sdk-probe/, committed)',
    '',
    "Each export passes its argument to the host's echo import and returns what came back: one guest-to-host call per call.",
    '',
    '| language | size | cold load (wall / CPU) | warm load | spawn (wall / CPU) | echo-color (enum) | echo-string (1 KiB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.probes) {
    lines.push(
      `| ${r.language} | ${formatBytes(r.bytes!)} | ${ms(r.cold_load_ms)} / ${ms(r.cold_load_cpu_ms)} | ${ms(r.warm_load_ms)} | ${ms(r.spawn_ms)} / ${ms(r.spawn_cpu_ms)} | ${ns(r.calls?.scalar)} | ${ns(r.calls?.kib)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Report {
  schema: 'keel-bench-sdk/1';
  date: string;
  command: string;
  commit: string;
  machine: ReturnType<typeof machine>;
  load_after: number[];
  templates: Row[];
  probes: Row[];
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, probes: { type: 'boolean' }, 'no-write': { type: 'boolean' } },
  });
  const quick = values.quick === true;
  const probesOnly = values.probes === true;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const info = machine();
  const scratch = mkdtempSync(join(tmpdir(), 'keel-bench-sdk-'));
  const templates: Row[] = [];
  const probes: Row[] = [];
  try {
    for (const language of probesOnly ? [] : LANGS) {
      const subject = `hello-${language}`;
      const dir = join(scratch, subject);
      createProject(language, dir);
      log(`${subject}: building`);
      const t0 = nowMs();
      let built: Awaited<ReturnType<typeof buildProject>>;
      try {
        built = await buildProject(readProject(dir), { onProgress: (l) => log(`  ${l}`) });
      } catch (error) {
        log(`${subject}: skipped: ${(error as Error).message}`);
        templates.push({ subject, language, skipped: (error as Error).message });
        continue;
      }
      const buildMs = nowMs() - t0;
      log(`${subject}: measuring`);
      templates.push({
        subject,
        language,
        toolchain: built.record.toolchain,
        build_ms: buildMs,
        ...(await measure(subject, built.component, scratch, quick, {
          small: { fn: HANDLE, arg: SMALL },
          kib: { fn: HANDLE, arg: KIB },
        })),
      });
    }
    for (const language of PROBE_LANGUAGES) {
      const subject = `probe-${language}`;
      log(`${subject}: measuring`);
      const component = new Uint8Array(readFileSync(repoPath(`guests/sdk-probe/${language}/probe.wasm`)));
      probes.push({
        subject,
        language,
        ...(await measure(subject, component, scratch, quick, {
          scalar: { fn: 'keel:sdk-probe/types#echo-color', arg: 'green' },
          kib: { fn: 'keel:sdk-probe/types#echo-string', arg: KIB_STRING },
        })),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {}
  const report: Report = {
    schema: 'keel-bench-sdk/1',
    date: new Date().toISOString(),
    command: `node --expose-gc dist/bench/sdk.js${quick ? ' --quick' : ''}${probesOnly ? ' --probes' : ''}`,
    commit,
    machine: info,
    load_after: machine().load,
    templates,
    probes,
  };
  const md = markdown(report);
  process.stdout.write(md);
  if (values['no-write']) return;
  const results = repoPath('bench/results');
  mkdirSync(results, { recursive: true });
  const stem = `sdk-${report.date.slice(0, 10)}${quick ? '-quick' : ''}${probesOnly ? '-probes' : ''}`;
  const latest = probesOnly ? 'sdk-probes-latest' : 'sdk-latest';
  for (const name of [stem, latest]) {
    writeFileSync(join(results, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(results, `${name}.md`), md);
  }
  log(`wrote bench/results/${stem}.{json,md} and ${latest}.{json,md}`);
}

await main(process.argv.slice(2));
