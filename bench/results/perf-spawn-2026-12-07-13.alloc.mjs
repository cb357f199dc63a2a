// node --expose-gc alloc.mjs <dist> <subject> [n]
import { Session } from 'node:inspector/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [root, subj, nArg = '3000'] = process.argv.slice(2); const n = Number(nArg);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${root}/scripts/lib/fixtures.js`);
const { wat } = await import(`${root}/scripts/lib/wat.js`);
const S = await import(`${root}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = await WebAssembly.compile(await wat(BENCH_WAT));
const s = subj === 'plain' ? S.plainSubject(core) : await S.keelSubject(component, S.KEEL_VARIANTS.find((v) => v.id === subj), join(mkdtempSync(join(tmpdir(), 'ps13-')), 'c'));
const op = async () => { const x = await s.spawn(); await x.close(); };
for (let i = 0; i < 1000; i++) await op();
gc();
const session = new Session(); session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
for (let i = 0; i < n; i++) { await op(); if (i % 300 === 299) gc(); }
const { profile } = await session.post('HeapProfiler.stopSampling');
const self = new Map(); let total = 0;
const walk = (node) => { const k = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`; total += node.selfSize; if (node.selfSize) self.set(k, (self.get(k) ?? 0) + node.selfSize); for (const c of node.children) walk(c); };
walk(profile.head);
console.log(`${subj}: allocated per spawn + fn x4 + terminate ${(total / n).toFixed(0)} B`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String((v / n).toFixed(0)).padStart(6), k);
const want = (process.env.WHO ?? '').split(',').filter(Boolean); const agg = new Map();
const walk2 = (node, stack) => { const name = node.callFrame.functionName; const k = `${name || '(anon)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`; if (want.includes(name) && node.selfSize > 0) { const key = `${name} <- ${stack.slice(-3).reverse().join(' <- ')}`; agg.set(key, (agg.get(key) ?? 0) + node.selfSize); } for (const c of node.children) walk2(c, [...stack, k]); };
if (want.length) { walk2(profile.head, []); for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(String((v / n).toFixed(0)).padStart(6), k); }
process.exit(0);
