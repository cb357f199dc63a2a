// node aw.mjs: the floor of an awaited async call returning an object (no Keel), CPU time per call
const o = { value: 1, fuel: { used: 1, limit: 2 } };
async function f(x) { return { value: x, fuel: o.fuel }; }
function g(x) { return { value: x, fuel: o.fuel }; }
const loops = {
  sync: new Function('g', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += g(i).value; return s;'),
  awaited: new (Object.getPrototypeOf(async function () {}).constructor)('f', 'n', 'let s = 0; for (let i = 0; i < n; i++) s += (await f(i)).value; return s;'),
};
const t = { sync: [], awaited: [] }; const N = 20000;
for (let r = 0; r < 101; r++) for (const [id, l] of Object.entries(loops)) { const a = process.cpuUsage(); await l(id === 'sync' ? g : f, N); const b = process.cpuUsage(a); t[id].push((b.user + b.system) * 1000 / N); }
const q = (a, p) => { const b = a.slice(5).sort((x, y) => x - y); return b[Math.floor((b.length - 1) * p)]; };
for (const [id, v] of Object.entries(t)) console.log(id.padEnd(8), 'p10', q(v, 0.1).toFixed(1), 'med', q(v, 0.5).toFixed(1), 'ns');
