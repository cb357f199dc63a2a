// node perf-cold-meter-2026-12-07-14.hot.mjs A B c|rust N: both trees in one process, 40 warm-up rounds each, then N
// rounds alternated (order swapped each round); CPU per round (all core modules); B/A median of per-round ratios.
const [A, B, which, nArg] = process.argv.slice(2);
const N = Number(nArg ?? 100);
const T = process.env.KEEL_TREE ?? new URL('../../', import.meta.url).pathname;
const { mapCoreModules } = await import(`${T}/dist/bench/lib/nonce.js`);
const { readFileSync } = await import('node:fs');
const { loadavg } = await import('node:os');
const P = { c: 'guests/sdk-probe/c/probe.wasm', rust: 'guests/sdk-probe/rust/probe.wasm', js: 'guests/js/bench/build/bench.wasm' };
const { cores } = mapCoreModules(new Uint8Array(readFileSync(`${T}/${P[which]}`)), (c) => c);
const H = {
  a: (await import(`${A}/dist/host/kernel/metering.js`)).meteringHook(undefined),
  b: (await import(`${B}/dist/host/kernel/metering.js`)).meteringHook(undefined),
};
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const run = (h) => { for (const c of cores) h.release(h.transform(c, {})); };
for (let i = 0; i < 40; i++) { run(H.a); run(H.b); }
await new Promise((r) => setTimeout(r, 500));
const r = { a: [], b: [] };
for (let i = 0; i < N; i++) for (const k of i % 2 ? ['a', 'b'] : ['b', 'a']) { const t = cpu(); run(H[k]); r[k].push(cpu() - t); }
const med = (x) => [...x].sort((p, q) => p - q)[(x.length - 1) >> 1];
const bytes = cores.reduce((s, c) => s + c.length, 0);
console.log(`${which} hot (${bytes} B): a ${med(r.a)} us b ${med(r.b)} us, b/a ${med(r.b.map((x, i) => x / r.a[i])).toFixed(3)}; load ${loadavg()[0].toFixed(1)}`);
