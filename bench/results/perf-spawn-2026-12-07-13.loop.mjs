// node --expose-gc loop.mjs <dist> <subject> <n> [gcEvery]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [root, subj, nArg, every = '300'] = process.argv.slice(2);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${root}/scripts/lib/fixtures.js`);
const { wat } = await import(`${root}/scripts/lib/wat.js`);
const S = await import(`${root}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const cache = mkdtempSync(join(tmpdir(), 'ps13-'));
let s;
if (subj === 'plain') s = S.plainSubject(core);
else if (subj === 'jco') s = await S.jcoSubject(component, 'jco-1.12.0');
else s = await S.keelSubject(component, S.KEEL_VARIANTS.find((v) => v.id === subj), join(cache, subj));
const n = Number(nArg), ev = Number(every);
for (let i = 0; i < 500; i++) { const x = await s.spawn(); await x.close(); }
gc();
if (process.env.MARK) process.stderr.write('START\n');
const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) { const x = await s.spawn(); await x.close(); if (ev && i % ev === ev - 1) gc(); }
gc();
const c = process.cpuUsage(c0);
console.log(`${subj} user ${(c.user / n).toFixed(1)} us sys ${(c.system / n).toFixed(1)} us per spawn`);
