// node encab.mjs A B N: encodePlan of trees A and B alternated per call on fresh plans of the bench component (each tree's own planner); CPU per call, medians of calls 2-11 and 12-N
const [A, B, nArg] = process.argv.slice(2); const N = Number(nArg ?? 11);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { mapCoreModules, withNonce } = await import(`${T}/dist/bench/lib/nonce.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${T}/dist/scripts/lib/fixtures.js`);
const { loadavg } = await import('node:os');
const tr = {};
for (const [k, t] of [['a', A], ['b', B]]) tr[k] = { plan: (await import(`${t}/dist/host/abi/plan.js`)).planComponent, enc: (await import(`${t}/dist/host/abi/plan-codec.js`)).encodePlan };
const bytes = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = { a: [], b: [] }; let same = true; let n = 0;
for (let i = 0; i < N; i++) { const out = {};
  for (const k of i % 2 ? ['a', 'b'] : ['b', 'a']) { const comp = mapCoreModules(bytes, (c) => withNonce(c, n++)).component; const plan = tr[k].plan(comp); const t = cpu(); out[k] = tr[k].enc(plan, comp); r[k].push(cpu() - t); }
  if (Buffer.compare(out.a, out.b) !== 0 && out.a.length === out.b.length) same = false; }
const med = (x) => [...x].sort((p, q) => p - q)[(x.length - 1) >> 1];
const ratio = (lo, hi) => med(r.b.slice(lo, hi).map((x, i) => x / r.a[lo + i]));
console.log(`encodePlan CPU us: calls 2-11 a ${med(r.a.slice(1, 11))} b ${med(r.b.slice(1, 11))} b/a ${ratio(1, 11).toFixed(2)}; calls 12-${N} a ${med(r.a.slice(11))} b ${med(r.b.slice(11))} b/a ${ratio(11, N).toFixed(2)}; lengths equal ${same}; load ${loadavg()[0].toFixed(1)}`);
