// node sys.mjs: the disk cache's system calls of a cold load into a new directory, alone, 60 times (medians of 10-60)
import { statSync, mkdirSync, rmSync, openSync, writeSync, closeSync, renameSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os'; import { join } from 'node:path';
const root = mkdtempSync(join(tmpdir(), 'sys16-'));
const r = { stat0: [], mkdir: [], stat1: [], open: [], write: [], close: [], rename: [] };
const buf = new Uint8Array(3000);
for (let i = 0; i < 60; i++) {
  const d = join(root, 'd' + i);
  let t = performance.now(); statSync(d, { throwIfNoEntry: false }); r.stat0.push(performance.now() - t);
  t = performance.now(); mkdirSync(d, { recursive: true, mode: 0o700 }); r.mkdir.push(performance.now() - t);
  t = performance.now(); statSync(d); r.stat1.push(performance.now() - t);
  t = performance.now(); const fd = openSync(join(d, '.tmp'), 'wx', 0o600); r.open.push(performance.now() - t);
  t = performance.now(); writeSync(fd, buf, 0); r.write.push(performance.now() - t);
  t = performance.now(); closeSync(fd); r.close.push(performance.now() - t);
  t = performance.now(); renameSync(join(d, '.tmp'), join(d, 'x.metered')); r.rename.push(performance.now() - t);
}
rmSync(root, { recursive: true });
const med = (a) => { const s = a.slice(10).sort((x, y) => x - y); return (s[s.length >> 1] * 1000).toFixed(0); };
console.log(Object.entries(r).map(([k, v]) => `${k} ${med(v)}`).join(' | '), 'tmpdir', tmpdir());
