// node --expose-gc steps.mjs N MODE TREE... : per-step CPU (process) and wall of a cold load's steps in the
// bench's regime, trees interleaved (order rotating per round), fresh bytes and a new directory each.
// MODE whole: new Kernel (metered, bench provider) | kernel.load | close, and the unmetered kernel's three.
// MODE steps: new Kernel | DiskCache.check | planComponent | describe | planWorld | close.
// MODE parse: parseComponent alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [nStr, mode, ...trees] = process.argv.slice(2);
const N = Number(nStr);
const T = [];
for (const tree of trees) {
  const imp = (p) => import(pathToFileURL(join(tree, p)).href);
  T.push({
    tree,
    ...(await imp('dist/host/index.js')),
    ...(await imp('dist/bench/lib/subjects.js')),
    ...(await imp('dist/host/loader/disk-cache.js')),
    ...(await imp('dist/host/abi/plan.js')),
    ...(await imp('dist/host/abi/parse.js')),
    ...(await imp('dist/host/loader/world.js')),
    ...(await imp('dist/host/kernel/metering.js')),
  });
}
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(pathToFileURL(join(trees[0], 'dist/scripts/lib/fixtures.js')).href);
const { mapCoreModules, withNonce } = await import(pathToFileURL(join(trees[0], 'dist/bench/lib/nonce.js')).href);
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'cp13s-'));
let nonce = 0;
const fresh = () => mapCoreModules(bytes, (c) => withNonce(c, nonce++)).component;
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const acc = T.map(() => new Map());
const rec = (t, name, c, w) => { const m = acc[t]; if (!m.has(name)) m.set(name, { c: [], w: [] }); m.get(name).c.push(c); m.get(name).w.push(w); };
const timeS = (t, name, f) => { const c = cpu(); const w = performance.now(); const r = f(); rec(t, name, cpu() - c, (performance.now() - w) * 1000); return r; };
const timeA = async (t, name, f) => { const c = cpu(); const w = performance.now(); const r = await f(); rec(t, name, cpu() - c, (performance.now() - w) * 1000); return r; };
let dirs = 0;
async function round(t) {
  const K = T[t];
  if (mode === 'whole') {
    for (const [label, opts] of [['', {}], ['unmetered ', { metering: false }]]) {
      const comp = fresh();
      global.gc?.();
      const c0 = cpu(), w0 = performance.now();
      const k = timeS(t, `${label}new Kernel`, () => new K.Kernel({ ...opts, cacheDir: join(scratch, `d${dirs++}`), providers: [K.benchHostProvider] }));
      await timeA(t, `${label}load`, () => k.load(comp));
      await timeA(t, `${label}close`, () => k.close());
      rec(t, `${label}TOTAL`, cpu() - c0, (performance.now() - w0) * 1000);
    }
  } else if (mode === 'steps') {
    const comp = fresh();
    global.gc?.();
    const c0 = cpu(), w0 = performance.now();
    const k = timeS(t, 'new Kernel', () => new K.Kernel({ cacheDir: join(scratch, `d${dirs++}`), providers: [K.benchHostProvider] }));
    timeS(t, 'disk check', () => new K.DiskCache(join(scratch, `d${dirs++}`)).check());
    const plan = timeS(t, 'planComponent', () => K.planComponent(comp));
    const hook = (K.hook ??= K.meteringHook(undefined));
    timeS(t, 'describe', () => plan.modules.map((m) => hook.describe(m.bytes)));
    timeS(t, 'planWorld', () => K.planWorld(plan));
    await timeA(t, 'close', () => k.close());
    rec(t, 'TOTAL', cpu() - c0, (performance.now() - w0) * 1000);
  } else if (mode === 'parse') {
    const comp = fresh();
    timeS(t, 'parseComponent', () => K.parseComponent(comp));
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
function report(label) {
  console.log(`--- ${label}`);
  const names = [...acc[0].keys()];
  for (const name of names) {
    const cells = acc.map((m, t) => { const v = m.get(name); return `${med(v.c).toFixed(0).padStart(6)} cpu ${med(v.w).toFixed(0).padStart(6)} wall`; });
    const ratio = acc.length > 1 ? `  after/before cpu ${(med(acc[1].get(name).c) / med(acc[0].get(name).c)).toFixed(2)}` : '';
    console.log(name.padEnd(22), cells.join(' | '), ratio);
  }
  for (const m of acc) m.clear();
}
const la0 = loadavg().map((x) => x.toFixed(2)).join(' ');
for (let i = 0; i < N; i++) {
  const order = T.map((_, t) => t);
  if (i % 2) order.reverse();
  for (const t of order) await round(t);
  if (i === 0) { for (const m of acc) m.clear(); }
  if (i === 10) report(`calls 2-11 (us, medians; trees: ${trees.join(' | ')})`);
}
if (N > 11) report(`calls 12-${N}`);
console.log('load', la0, '->', loadavg().map((x) => x.toFixed(2)).join(' '));
rmSync(scratch, { recursive: true, force: true });
