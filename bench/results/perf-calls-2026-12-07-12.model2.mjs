// Models of the fast path around plain's core add, F and X loop shapes, interleaved. node model2.mjs
const { wat } = await import('/tmp/perf-fn12/before/dist/scripts/lib/wat.js');
const { BENCH_WAT } = await import('/tmp/perf-fn12/before/dist/scripts/lib/fixtures.js');
const core0 = new WebAssembly.Instance(await WebAssembly.compile(await wat(BENCH_WAT)), { 'keel:bench/host@0.1.0': { tick: (x) => x } }).exports;
class Gate { busy = 0; enter() { this.busy = 4; } leave() { if (this.busy === 4) { this.busy = 1; return true; } return false; } }
class GateNoLoad { busy = 0; enter() { this.busy = 4; } leave() { this.busy = 1; return true; } }
class GateEv { busy = 0; ev = 0; enter() { this.busy = 4; } leave() { if (this.ev === 0) { this.busy = 1; return true; } return false; } }
class GateNoEnter { busy = 0; enter() {} leave() { if (this.busy === 0) { return true; } return false; } }
class GateEnterOnly { busy = 0; enter() { this.busy = 4; } leave() { return this.busy === 4; } }
class GateOther { busy = 0; w = 0; enter() { this.w = 4; } leave() { if (this.w === 4) { this.w = 1; return true; } return false; } }
class GateOtherObj { busy = 0; constructor() { this.o = { w: 0 }; } enter() { this.o.w = 4; } leave() { const o = this.o; if (o.w === 4) { o.w = 1; return true; } return false; } }
class GateLeaveStore { busy = 0; enter() { } leave() { this.busy = 1; return true; } }
class GateStoreOnly { busy = 0; enter() { this.busy = 4; } leave() { return true; } }
class GateBool { busy = 0; inCall = false; enter() { this.inCall = true; } leave() { if (this.busy === 0) { this.inCall = false; return true; } return false; } }
class GateT { busy = 0; enter() { this.busy = 4; } leave() { if (this.busy === 4) { this.busy = 1; return true; } return false; } }
{ const t = new GateT(); t.busy = {}; t.busy = 0; }
class GateX { busy = 0; enter() { this.busy = 4; } leave() { const b = this.busy; if (b === 4) { this.busy = 1; return true; } this.busy = b; return false; } }
class Gate12 { busy = 1; inCall = false; enter() { this.inCall = true; } leave() { if (this.busy === 1) { this.inCall = false; return true; } return false; } }
class Inst { mayEnter = true; }
const owner = { refuse() {}, slow(k, v) { if (k < 0) throw new Error('x'); return v >>> 0; }, fail(e) { return 0; }, after() {} };
const M = {
  full(core, gate, inst) {
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (gate.busy > 1) owner.refuse();
      gate.enter();
      if (arguments.length !== 2) return slow(-1, arguments.length);
      if (typeof a === 'number') { if (a >>> 0 !== a) a = slow(0, a); } else a = slow(0, a);
      if (typeof b === 'number') { if (b >>> 0 !== b) b = slow(1, b); } else b = slow(1, b);
      if (inst.mayEnter !== true) return slow(-2);
      let value;
      try { value = core(a, b) >>> 0; } catch (e) { return owner.fail(e); }
      if (!gate.leave()) owner.after();
      return value;
    };
  },
  notry(core, gate, inst) {
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (gate.busy > 1) owner.refuse();
      gate.enter();
      if (arguments.length !== 2) return slow(-1, arguments.length);
      if (typeof a === 'number') { if (a >>> 0 !== a) a = slow(0, a); } else a = slow(0, a);
      if (typeof b === 'number') { if (b >>> 0 !== b) b = slow(1, b); } else b = slow(1, b);
      if (inst.mayEnter !== true) return slow(-2);
      const value = core(a, b) >>> 0;
      if (!gate.leave()) owner.after();
      return value;
    };
  },
  nogate(core, gate, inst) {
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (arguments.length !== 2) return slow(-1, arguments.length);
      if (typeof a === 'number') { if (a >>> 0 !== a) a = slow(0, a); } else a = slow(0, a);
      if (typeof b === 'number') { if (b >>> 0 !== b) b = slow(1, b); } else b = slow(1, b);
      if (inst.mayEnter !== true) return slow(-2);
      let value;
      try { value = core(a, b) >>> 0; } catch (e) { return owner.fail(e); }
      return value;
    };
  },
  noargs(core, gate, inst) {
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (gate.busy > 1) owner.refuse();
      gate.enter();
      if (inst.mayEnter !== true) return slow(-2);
      let value;
      try { value = core(a, b) >>> 0; } catch (e) { return owner.fail(e); }
      if (!gate.leave()) owner.after();
      return value;
    };
  },
  g1(core, gate, inst) { return M.full(core, new GateNoLoad(), inst); },
  g2(core, gate, inst) { return M.full(core, new GateEv(), inst); },
  g3(core, gate, inst) { return M.full(core, new GateNoEnter(), inst); },
  g4(core, gate, inst) { return M.full(core, new GateEnterOnly(), inst); },
  g5(core, gate, inst) { return M.full(core, new GateOther(), inst); },
  g6(core, gate, inst) { return M.full(core, new GateOtherObj(), inst); },
  g7(core, gate, inst) { return M.full(core, new GateLeaveStore(), inst); },
  g8(core, gate, inst) { return M.full(core, new GateStoreOnly(), inst); },
  g9(core, gate, inst) { return M.full(core, new GateBool(), inst); },
  g10(core, gate, inst) { return M.full(core, new GateT(), inst); },
  g11(core, gate, inst) { return M.full(core, new GateX(), inst); },
  g12(core, gate, inst) {
    gate = new Gate12();
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (gate.busy > 1 || gate.inCall !== false) owner.refuse();
      gate.enter();
      if (arguments.length !== 2) return slow(-1, arguments.length);
      if (typeof a === 'number') { if (a >>> 0 !== a) a = slow(0, a); } else a = slow(0, a);
      if (typeof b === 'number') { if (b >>> 0 !== b) b = slow(1, b); } else b = slow(1, b);
      if (inst.mayEnter !== true) return slow(-2);
      let value;
      try { value = core(a, b) >>> 0; } catch (e) { return owner.fail(e); }
      if (!gate.leave()) owner.after();
      return value;
    };
  },
  g13(core, gate, inst) { return M.full(core, new Gate12(), inst); },
  one(core, gate, inst) {
    gate.busy = 8; // a stale mark: the first call takes the slow step (its call site gets feedback)
    const slowAll = (k, a, b, n, r, e) => {
      if (k === 1) { if (gate.busy > 1) { owner.refuse(); gate.busy = 0; } return f(a, b); }
      if (k === 9) return owner.fail(e);
      if (k === 8) { owner.after(); return r >>> 0; }
      return owner.slow(k, a);
    };
    const f = function scalar2(a, b) {
      let k = 0;
      let r;
      let e;
      if (gate.busy > 1 || arguments.length !== 2) k = 1;
      else if (typeof a !== 'number' || a >>> 0 !== a) k = 2;
      else if (typeof b !== 'number' || b >>> 0 !== b) k = 3;
      else if (inst.mayEnter !== true) k = 4;
      else {
        gate.enter();
        try { r = core(a, b); } catch (x) { e = x; k = 9; }
        if (k === 0) { if (gate.leave()) return r >>> 0; k = 8; }
      }
      return slowAll(k, a, b, arguments.length, r, e);
    };
    return f;
  },
  oob(core, gate, inst) {
    // Every rare case reached through a keyed load that is in bounds on the fast path: in optimized
    // code an out-of-bounds index is an eager deoptimization inside the loop, and the branch after it
    // folds away (OK's elements are constant); the interpreter takes the branch.
    const OK = Object.freeze([true, true]);
    const slow = (k, v) => owner.slow(k, v);
    return function scalar2(a, b) {
      if (OK[gate.busy] !== true) owner.refuse();
      gate.enter();
      if (arguments.length !== 2) return slow(-1, arguments.length);
      if (typeof a === 'number') { if (a >>> 0 !== a) a = slow(0, a); } else a = slow(0, a);
      if (typeof b === 'number') { if (b >>> 0 !== b) b = slow(1, b); } else b = slow(1, b);
      if (inst.mayEnter !== true) return slow(-2);
      let value;
      try { value = core(a, b) >>> 0; } catch (e) { return owner.fail(e); }
      if (!gate.leave()) owner.after();
      return value;
    };
  },
  oobonly(core, gate, inst) {
    const OK = Object.freeze([true, true]);
    return function scalar2(a, b) {
      if (OK[gate.busy] !== true) owner.refuse();
      return core(a, b) >>> 0;
    };
  },
  refonly(core, gate, inst) {
    return function scalar2(a, b) {
      if (gate.busy > 1) owner.refuse();
      return core(a, b) >>> 0;
    };
  },
  bare(core) { return function scalar2(a, b) { return core(a, b) >>> 0; }; },
};
const want = (process.env.M ?? 'full,notry,nogate,noargs,bare').split(',');
const SH = { F: ['', 'f(i, 1)'], X: ['', 'x.m(i, 1)'] };
const subs = [['plain', core0.add], ...want.map((m) => [m, M[m](core0.add, new Gate(), new Inst())])];
for (const [id, f] of subs) f(1, 2);
const loops = []; const FILTER = process.env.ONLYSH;
let no = 0;
for (const sh of (FILTER ? [FILTER] : ["F", "X"])) for (const [id, f] of subs) loops.push({ id: `${sh} ${id}`, sh, sid: id, f, x: { m: f, a: 0 }, run: new Function('f', 'n', 'x', `/* ${no++} */ let s = 0; for (let i = 0; i < n; i++) { s = ${SH[sh][1]}; } return s;`) });
const t = new Map(loops.map((l) => [l.id, []]));
for (let r = 0; r < 21; r++) for (const l of r % 2 ? [...loops].reverse() : loops) { const a = process.cpuUsage(); l.run(l.f, 1e6, l.x); const b = process.cpuUsage(a); t.get(l.id).push((b.user + b.system) / 1e3); }
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
for (const sh of (FILTER ? [FILTER] : ["F", "X"])) { const p = t.get(`${sh} plain`).slice(3); console.log(sh, loops.filter((l) => l.sh === sh).map((l) => { const v = t.get(l.id).slice(3); return `${l.sid} ${med(v).toFixed(2)} ${med(v.map((x, i) => x / p[i])).toFixed(2)}x`; }).join(' | ')); }
