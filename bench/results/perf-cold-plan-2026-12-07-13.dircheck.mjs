// node dircheck.mjs BEFORE AFTER N: the cache directory check of an unmetered kernel's first load in a new directory, per call (CPU, process), trees alternating per call:
// before: DiskCache.check() (stat, mkdir, stat); after: DiskCache.checkExisting() (stat). Calls 2-11 and 12-N, fresh process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [before, after, nStr] = process.argv.slice(2);
const N = Number(nStr ?? 40);
const B = await import(pathToFileURL(join(before, 'dist/host/loader/disk-cache.js')).href);
const A = await import(pathToFileURL(join(after, 'dist/host/loader/disk-cache.js')).href);
const scratch = mkdtempSync(join(tmpdir(), 'cp13d-'));
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const rb = [], ra = [];
const la = loadavg()[0].toFixed(1);
for (let i = 0; i < N; i++) {
  const runs = [[() => new B.DiskCache(join(scratch, `b${i}`)).check(), rb], [() => new A.DiskCache(join(scratch, `a${i}`)).checkExisting(), ra]];
  if (i % 2) runs.reverse();
  for (const [f, out] of runs) { const c = cpu(); f(); out.push(cpu() - c); }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(`calls 2-11: before ${med(rb.slice(1, 11))} us, after ${med(ra.slice(1, 11))} us; calls 12-${N}: before ${med(rb.slice(11))} us, after ${med(ra.slice(11))} us; load ${la} -> ${loadavg()[0].toFixed(1)}`);
rmSync(scratch, { recursive: true, force: true });
