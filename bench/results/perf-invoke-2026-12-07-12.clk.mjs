// node clk.mjs: one loop per clock (new Function each), interleaved rounds, CPU time per reading
import { performance } from 'node:perf_hooks';
const N = 20000, ROUNDS = +(process.env.ROUNDS ?? 101);
const clocks = {
  'performance.now()': ['p', 'p.now()'],
  'process.hrtime() ms': ['h', 'ms(h())'],
  'process.hrtime.bigint()': ['b', 'Number(b())'],
  'Date.now()': ['d', 'd()'],
};
const loops = Object.entries(clocks).map(([id, [v, e]]) => ({ id, run: new Function('p', 'h', 'b', 'd', 'n', `const ms = (t) => t[0] * 1e3 + t[1] / 1e6; let s = 0; for (let i = 0; i < n; i++) { s += ${e}; } return s;`) }));
const t = new Map(loops.map((l) => [l.id, []]));
for (let r = 0; r < ROUNDS; r++) for (const l of r % 2 ? [...loops].reverse() : loops) { const a = process.cpuUsage(); l.run(performance, process.hrtime, process.hrtime.bigint, Date.now, N); const b = process.cpuUsage(a); t.get(l.id).push((b.user + b.system) * 1000 / N); }
const q = (a, p) => { const b = a.slice(5).sort((x, y) => x - y); return b[Math.floor((b.length - 1) * p)]; };
const base = t.get('performance.now()');
for (const [id, v] of t) { const r = v.map((x, i) => x / base[i]).slice(5).sort((x, y) => x - y); console.log(`| ${id} | ${q(v, 0.1).toFixed(1)} | ${q(v, 0.5).toFixed(1)} | ${r[r.length >> 1].toFixed(3)} |`); }
