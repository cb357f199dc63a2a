// node meterab.mjs A B N: the sole module's meter as each tree's loader runs it (each tree: transformSole when the hook has it, else transform + defineCounter), alternated per call on fresh bytes; CPU per call
const [A, B, nArg] = process.argv.slice(2); const N = Number(nArg ?? 11);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { loadavg } = await import('node:os');
const H = { a: (await import(`${A}/dist/host/kernel/metering.js`)).meteringHook(undefined), b: (await import(`${B}/dist/host/kernel/metering.js`)).meteringHook(undefined) };
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = { a: [], b: [] }; let same = true; let n = 0;
const sole = (h, b) => { if (h.transformSole) return h.transformSole(b, { file: 'x', kind: 'component' }); const o = h.transform(b, { file: 'x', kind: 'component' }); const o2 = h.defineCounter(o); h.release(o); return o2; };
for (let i = 0; i < N; i++) { const out = {}; const b = withNonce(core, i);
  for (const k of i % 2 ? ['a', 'b'] : ['b', 'a']) { const bb = b.slice(); const t = cpu(); const o = sole(H[k], bb); r[k].push(cpu() - t); out[k] = o.slice(); H[k].release(o); }
  if (Buffer.compare(out.a, out.b) !== 0) same = false; }
const med = (x) => [...x].sort((p, q) => p - q)[(x.length - 1) >> 1];
const ratio = (lo, hi) => med(r.b.slice(lo, hi).map((x, i) => x / r.a[lo + i]));
console.log(`sole meter CPU us: calls 2-11 a ${med(r.a.slice(1, 11))} b ${med(r.b.slice(1, 11))} b/a ${ratio(1, 11).toFixed(2)}; calls 12-${N} a ${med(r.a.slice(11))} b ${med(r.b.slice(11))} b/a ${ratio(11, N).toFixed(2)}; same bytes ${same}; load ${loadavg()[0].toFixed(1)}`);
