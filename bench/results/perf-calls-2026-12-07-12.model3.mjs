// Does the gate's store cost depend on the gate object's address? K gates, each its own loop (X shape), interleaved.
const { wat } = await import('/tmp/perf-fn12/before/dist/scripts/lib/wat.js');
const { BENCH_WAT } = await import('/tmp/perf-fn12/before/dist/scripts/lib/fixtures.js');
const core0 = new WebAssembly.Instance(await WebAssembly.compile(await wat(BENCH_WAT)), { 'keel:bench/host@0.1.0': { tick: (x) => x } }).exports;
class Gate { busy = 0; enter() { this.busy = 4; } leave() { if (this.busy === 4) { this.busy = 1; return true; } return false; } }
const owner = { refuse() {}, after() {} };
function make(core, gate) {
  return function scalar2(a, b) {
    if (gate.busy > 1) owner.refuse();
    gate.enter();
    const value = core(a, b) >>> 0;
    if (!gate.leave()) owner.after();
    return value;
  };
}
const K = +(process.env.K ?? 6);
const pad = [];
const subs = [['plain', core0.add]];
for (let k = 0; k < K; k++) { for (let j = 0; j < 37 * k; j++) pad.push({ j }); subs.push([`g${k}`, make(core0.add, new Gate())]); }
globalThis.gc?.(); globalThis.gc?.();
const SH = process.env.SH ?? 'x.m(i, 1)';
const loops = subs.map(([id, f], no) => ({ id, f, x: { m: f, a: 0 }, run: new Function('f', 'n', 'x', `/* ${no} */ let s = 0; for (let i = 0; i < n; i++) { s = ${SH}; } return s;`) }));
const t = new Map(loops.map((l) => [l.id, []]));
for (let r = 0; r < 21; r++) for (const l of r % 2 ? [...loops].reverse() : loops) { const a = process.cpuUsage(); l.run(l.f, 1e6, l.x); const b = process.cpuUsage(a); t.get(l.id).push((b.user + b.system) / 1e3); }
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const p = t.get('plain').slice(3);
console.log(SH, loops.map((l) => { const v = t.get(l.id).slice(3); return `${l.id} ${med(v).toFixed(2)} ${med(v.map((x, i) => x / p[i])).toFixed(2)}x`; }).join(' | '));
