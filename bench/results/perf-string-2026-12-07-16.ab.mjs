// node --expose-gc ab.mjs [-u] [-n CALLS] TREE... : shout(1 KiB) per call, CPU time, subjects interleaved per round.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
let args = process.argv.slice(2);
let unmetered = false, N = 20000, ROUNDS = 21;
while (args[0]?.startsWith('-')) {
  const a = args.shift();
  if (a === '-u') unmetered = true;
  if (a === '-n') N = Number(args.shift());
  if (a === '-r') ROUNDS = Number(args.shift());
}
const trees = args;
const STRING = 'k'.repeat(Number(process.env.LEN ?? 1024));
const subjects = [];
{
  const { BENCH_WAT } = await import(`${trees[0]}/dist/scripts/lib/fixtures.js`);
  const { wat } = await import(`${trees[0]}/dist/scripts/lib/wat.js`);
  const S = await import(`${trees[0]}/dist/bench/lib/subjects.js`);
  const core = new WebAssembly.Module(await wat(BENCH_WAT));
  subjects.push(['plain', S.plainSubject(core).spawn().shout]);
}
for (const [ti, tree] of trees.entries()) {
  const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
  const S = await import(`${tree}/dist/bench/lib/subjects.js`);
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  for (const id of unmetered ? ['keel', 'keel-unmetered'] : ['keel']) {
    const v = S.KEEL_VARIANTS.find((x) => x.id === id);
    const subj = await S.keelSubject(component, v, mkdtempSync(join(tmpdir(), 'pstr-')));
    const inst = await subj.spawn();
    subjects.push([`${id}@${ti}`, inst.shout]);
  }
}
const res = Object.fromEntries(subjects.map(([k]) => [k, []]));
let r;
for (const [, f] of subjects) for (let i = 0; i < 100000; i++) r = f(STRING);
for (const [k, f] of subjects) if (f(STRING) !== (STRING ? 'K' + STRING.slice(1) : '')) throw new Error(`bad ${k}`);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, f] of subjects) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) r = f(STRING);
    const c = process.cpuUsage(c0);
    res[name].push(((c.user + c.system) * 1000) / N);
  }
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const pm = med(res.plain);
const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
for (const [name, v] of Object.entries(res)) {
  const s = [...v].sort((a, b) => a - b);
  const ratios = v.map((x, i) => x / res.plain[i]);
  console.log(name.padEnd(20), 'min', s[0].toFixed(1), 'med', med(v).toFixed(1), 'ratio(med of per-round)', med(ratios).toFixed(3));
}
console.log('load', load);
process.exit(0);
