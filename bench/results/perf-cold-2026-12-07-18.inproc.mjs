// node inproc.mjs K TREE...: K fresh copies of each tree's meter (dist/host/meter + kernel/errors), used in
// rotation in one process; each copy meters the bench module 11 times (fresh nonce); per copy the
// CPU (process) and wall of calls 2..11 summed. Prints medians and the median of paired ratios to the first tree.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
const [kS, ...trees] = process.argv.slice(2);
const K = Number(kS);
const root = `${(await import('node:os')).tmpdir()}/cold18-copies-${process.pid}`;
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${trees[0]}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${trees[0]}/dist/bench/lib/nonce.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const core = mapCoreModules(comp, (c) => c).cores[0];
for (let k = 0; k < K; k++) trees.forEach((t, i) => {
  const d = `${root}/${i}-${k}/host`;
  cpSync(`${t}/dist/host/meter`, `${d}/meter`, { recursive: true });
  mkdirSync(`${d}/kernel`, { recursive: true });
  cpSync(`${t}/dist/host/kernel/errors.js`, `${d}/kernel/errors.js`);
});
const now = () => { const u = process.cpuUsage(); return u.user + u.system; };
let nonce = 0;
const res = trees.map(() => ({ cpu: [], wall: [] }));
const fast = new Set(['add', 'noop']);
for (let k = 0; k < K; k++) {
  for (let j = 0; j < trees.length; j++) {
    const i = (k + j) % trees.length;
    const { meterHook } = await import(`${root}/${i}-${k}/host/meter/index.js`);
    let cpu = 0, wall = 0;
    for (let c = 1; c <= 11; c++) {
      const b = withNonce(core, nonce++);
      const t0 = now(), w0 = performance.now();
      const out = meterHook.transformSole(b, { file: 'core0.wasm', kind: 'component', fastExports: fast });
      if (c > 1) { cpu += now() - t0; wall += (performance.now() - w0) * 1000; }
      meterHook.release(out);
    }
    res[i].cpu.push(cpu / 10); res[i].wall.push(wall / 10);
  }
}
rmSync(root, { recursive: true, force: true });
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
trees.forEach((t, i) => console.log(t.padEnd(24), 'cpu/call', med(res[i].cpu).toFixed(0), 'wall/call', med(res[i].wall).toFixed(0),
  i ? `ratio cpu ${med(res[i].cpu.map((x, k) => x / res[0].cpu[k])).toFixed(3)} wall ${med(res[i].wall.map((x, k) => x / res[0].wall[k])).toFixed(3)}` : ''));
console.log('load', loadavg()[0].toFixed(1));
