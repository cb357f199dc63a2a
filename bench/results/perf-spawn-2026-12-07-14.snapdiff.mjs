// node --expose-gc snapdiff.mjs <dist> [n]: what ended sandboxes' core instances still reach, by constructor: heap snapshots with n instances held (metered, then unmetered), the difference per spawn
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
const [D, n = '200'] = process.argv.slice(2);
const N = Number(n);
const held = [];
const Real = WebAssembly.Instance;
WebAssembly.Instance = function (m, i) { const x = new Real(m, i); if (globalThis.HOLD) held.push(x); return x; };
WebAssembly.Instance.prototype = Real.prototype;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const S = await import(`${D}/bench/lib/subjects.js`);
const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const cache = mkdtempSync(join(tmpdir(), 'ps14s-'));
function agg(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const f = s.snapshot.meta.node_fields; const nf = f.length; const types = s.snapshot.meta.node_types[0];
  const it = f.indexOf('type'), in_ = f.indexOf('name'), is = f.indexOf('self_size');
  const m = new Map();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const k = `${types[s.nodes[i + it]]}:${s.strings[s.nodes[i + in_]]}`.slice(0, 80);
    const e = m.get(k) ?? [0, 0]; e[0]++; e[1] += s.nodes[i + is]; m.set(k, e);
  }
  return m;
}
const res = [];
const KEEP = process.env.KEEP;
for (const v of [0, 1]) {
  const s = await S.keelSubject(component, S.KEEL_VARIANTS[v], join(cache, String(v)));
  const op = async () => { const x = await s.spawn(); await x.close(); };
  for (let i = 0; i < 100; i++) await op();
  const a = join(cache, `a${v}.heapsnapshot`), b = join(cache, `b${v}.heapsnapshot`);
  held.length = 0; gc(); writeHeapSnapshot(a);
  globalThis.HOLD = true; for (let i = 0; i < N; i++) await op(); globalThis.HOLD = false;
  gc(); writeHeapSnapshot(b);
  if (KEEP) { console.log('snap', b); if (v === 0) { process.exit(0); } }
  const A = agg(a), B = agg(b);
  const d = new Map();
  for (const [k, e] of B) { const x = A.get(k) ?? [0, 0]; if (e[0] - x[0] >= N / 2) d.set(k, [(e[0] - x[0]) / N, (e[1] - x[1]) / N]); }
  res.push(d);
  held.length = 0; gc();
}
const keys = new Set([...res[0].keys(), ...res[1].keys()]);
const rows = [...keys].map((k) => [k, res[0].get(k) ?? [0, 0], res[1].get(k) ?? [0, 0]]).sort((x, y) => (y[1][1] - y[2][1]) - (x[1][1] - x[2][1]));
let t0 = 0, t1 = 0;
for (const [k, a, b] of rows) { t0 += a[1]; t1 += b[1]; console.log(`${k.padEnd(60)} metered ${a[0].toFixed(2)} x ${a[1].toFixed(0)} B | unmetered ${b[0].toFixed(2)} x ${b[1].toFixed(0)} B`); }
console.log(`total per spawn: metered ${t0.toFixed(0)} B, unmetered ${t1.toFixed(0)} B`);
process.exit(0);
