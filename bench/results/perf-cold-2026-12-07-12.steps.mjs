// node --expose-gc steps.mjs TREE GUEST N [gc]: per-step CPU and wall time of a cold load's steps (the loader's #plan replayed), fresh bytes
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tree, guest, nStr, gc] = process.argv.slice(2);
const N = Number(nStr ?? 20);
const imp = (p) => import(pathToFileURL(join(tree, p)).href);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await imp('dist/scripts/lib/fixtures.js');
const { mapCoreModules, withNonce } = await imp('dist/bench/lib/nonce.js');
const { meteringHook } = await imp('dist/host/kernel/metering.js');
const { validateCore, sha256 } = await imp('dist/host/loader/loader.js');
const { DiskCache } = await imp('dist/host/loader/disk-cache.js');
const { planComponent } = await imp('dist/host/abi/plan.js');
const { encodePlan } = await imp('dist/host/abi/plan-codec.js');
const { planWorld } = await imp('dist/host/loader/world.js');
const bytes = guest === 'bench' ? await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench') : new Uint8Array(readFileSync(join(tree, guest)));
const hook = meteringHook(undefined);
const scratch = mkdtempSync(join(tmpdir(), 'steps-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const acc = {};
const rec = (name, c, w) => { (acc[name] ??= { c: [], w: [] }); acc[name].c.push(c); acc[name].w.push(w); };
const time2 = async (name, f) => { const c = cpu(); const w = performance.now(); const r = await f(); rec(name, cpu() - c, (performance.now() - w) * 1000); return r; };
const { Kernel } = await imp('dist/host/index.js');
const time = (name, f) => { const c = cpu(); const w = performance.now(); const r = f(); rec(name, cpu() - c, (performance.now() - w) * 1000); return r; };
let nonce = 0;
const before = loadavg().map((x) => x.toFixed(2)).join(' ');
for (let i = 0; i < N; i++) {
  const f = mapCoreModules(bytes, (c) => withNonce(c, nonce++));
  const comp = f.component;
  if (gc) global.gc();
  const c0 = cpu(), w0 = performance.now();
  const kk = time('new Kernel', () => new Kernel({ metering: false, cacheDir: false }));
  await time2('close', () => kk.close());
  const h = time('sha256', () => sha256(comp));
  const d = new DiskCache(join(scratch, `d${i}`));
  time('disk check', () => d.check());
  const key = time('key', () => sha256(`${h}|${hook.id}|fp`).slice(0, 40));
  time('disk read', () => d.read(key, () => undefined));
  const plan = time('plan', () => planComponent(comp));
  const compiling = []; const out = [];
  for (const m of plan.modules) {
    time('validate', () => validateCore(m.bytes, m.file));
    let o = time("meter", () => hook.transform(m.bytes, { file: m.file, kind: "component" })); if (plan.modules.length === 1) { const o2 = time("defineCounter", () => hook.defineCounter(o)); hook.release(o); o = o2; }
    out.push(o);
    compiling.push(time('compile start', () => WebAssembly.compile(o)));
  }
  await time2("setImmediate", () => new Promise((r) => setImmediate(r)));
  const enc = time('encodePlan', () => encodePlan(plan, comp));
  time('disk write', () => d.write(key, out, enc));
  for (const o of out) hook.release(o);
  const cw = cpu(), ww = performance.now();
  await Promise.all(compiling);
  rec('await compile', cpu() - cw, (performance.now() - ww) * 1000);
  time('describe', () => plan.modules.map((m) => hook.describe(m.bytes)));
  time('planWorld', () => planWorld(plan));
  rec('TOTAL', cpu() - c0, (performance.now() - w0) * 1000);
  const p = mapCoreModules(bytes, (c) => withNonce(c, nonce++));
  if (gc) global.gc();
  const pc = cpu(), pw = performance.now();
  await Promise.all(p.cores.map((c) => WebAssembly.compile(c)));
  rec('plain compile', cpu() - pc, (performance.now() - pw) * 1000);
  if (i === 0 || i === 10) { console.log(`--- after load ${i + 1}`); report(); }
}
function report() {
  const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  for (const [k, v] of Object.entries(acc)) console.log(k.padEnd(16), `cpu ${med(v.c).toFixed(0).padStart(7)} us (mean ${mean(v.c).toFixed(0).padStart(7)})  wall ${med(v.w).toFixed(0).padStart(7)} us  (n=${v.c.length})`);
  for (const k in acc) delete acc[k];
}
console.log(`--- loads 12-${N}`); report();
console.log('load', before, '->', loadavg().map((x) => x.toFixed(2)).join(' '));
rmSync(scratch, { recursive: true, force: true });
