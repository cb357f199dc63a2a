// node cmpout.mjs <beforeDist> <afterDist>: every committed core module metered by both builds (both forms): identical, or differing only by the grow checks the new one no longer imports
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const [A, B] = process.argv.slice(2);
const ROOT = '/work/wt/perf-spawn15';
const MA = await import(`${A}/host/meter/index.js`), MB = await import(`${B}/host/meter/index.js`);
const { mapCoreModules } = await import(`${B}/bench/lib/nonce.js`);
const files = execFileSync('git', ['ls-files', '*.wasm'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
const cores = [];
for (const f of files) { const b = new Uint8Array(readFileSync(join(ROOT, f))); if (b[4] === 1 && b[6] === 0) cores.push([f, b]); else for (const c of mapCoreModules(b, (c) => c).cores) cores.push([f, c]); }
const keel = (b) => WebAssembly.Module.imports(new WebAssembly.Module(b)).filter((i) => i.module === 'keel').map((i) => i.name).join(',');
const counts = { same: 0, fewer: 0, refusedBoth: 0, bad: 0 };
for (const [f, b] of cores) for (const counter of ['imported', 'defined']) {
  let a, n;
  try { a = MA.meterModule(b, { counter }); } catch { a = null; }
  try { n = MB.meterModule(b, { counter }); } catch { n = null; }
  if (!a || !n) { if (!a && !n) counts.refusedBoth++; else { counts.bad++; console.log('refusal differs', f); } continue; }
  if (Buffer.compare(Buffer.from(a), Buffer.from(n)) === 0) { counts.same++; continue; }
  const ka = keel(a), kn = keel(n);
  const ok = ka !== kn && kn.split(',').every((x) => ka.includes(x)) && WebAssembly.Module.exports(new WebAssembly.Module(n)).length === WebAssembly.Module.exports(new WebAssembly.Module(a)).length;
  if (ok) counts.fewer++; else { counts.bad++; console.log('differs otherwise', f, ka, '|', kn); }
}
console.log(counts);
if (process.env.TEXT) {
  const wabt = await (await import('wabt')).default();
  const feats = { exceptions: true, tail_call: true, bulk_memory: true, multi_value: true, reference_types: true, mutable_globals: true, sign_extension: true, sat_float_to_int: true, simd: true, threads: true };
  let diffs = 0, checked = 0;
  for (const [f, b] of cores) {
    const a = MA.meterModule(b, {}), n = MB.meterModule(b, {});
    if (Buffer.compare(Buffer.from(a), Buffer.from(n)) === 0) continue;
    const t = (x) => wabt.readWasm(x, { readDebugNames: false, ...feats }).toText({}).split('\n');
    const ta = t(a).filter((l) => !/\(import "keel" "(memory_grow|table_grow)"/.test(l)).map((l) => l.replace(/\(;\d+;\)/g, ''));
    const tn = t(n).filter((l) => !/\(import "keel" "(memory_grow|table_grow)"/.test(l)).map((l) => l.replace(/\(;\d+;\)/g, ''));
    // drop the stubs: "(func (type N)" followed by "unreachable)" lines
    const tn2 = []; for (let i = 0; i < tn.length; i++) { if (/^\s*\(func\s+\(type \d+\) \(param i32 i32\) \(result i32\)$/.test(tn[i]) && /^\s*unreachable\)$/.test(tn[i + 1] ?? '')) { i++; continue; } tn2.push(tn[i]); }
    checked++;
    if (ta.join('\n') !== tn2.join('\n')) { diffs++; if (diffs < 3) { for (let i = 0; i < Math.max(ta.length, tn2.length); i++) if (ta[i] !== tn2[i]) { console.log(f, i, JSON.stringify(ta[i]), JSON.stringify(tn2[i])); break; } } }
  }
  console.log('text compared', checked, 'differing beyond imports and stubs', diffs);
}
