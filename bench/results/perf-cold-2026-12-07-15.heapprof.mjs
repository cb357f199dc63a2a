// node heapprof.mjs TREE FROM TO: sampling heap profile (allocations, with GC'd objects kept) of cold loads FROM..TO
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
const [tree, fromS = '2', toS = '11'] = process.argv.slice(2);
const from = Number(fromS), to = Number(toS);
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { benchHostProvider } = await import(`${tree}/dist/bench/lib/subjects.js`);
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const { mapCoreModules, withNonce } = await import(`${tree}/dist/bench/lib/nonce.js`);
const comp = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
const scratch = mkdtempSync(join(tmpdir(), 'c15h-'));
const s = new Session(); s.connect();
const comps = Array.from({ length: to }, (_, i) => mapCoreModules(comp, (x) => withNonce(x, i)).component);
for (let i = 1; i <= to; i++) {
  if (i === from) await s.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const k = new Kernel({ cacheDir: join(scratch, `d${i}`), providers: [benchHostProvider] });
  await k.load(comps[i - 1]); await k.close();
}
const { profile } = await s.post('HeapProfiler.stopSampling');
rmSync(scratch, { recursive: true, force: true });
const self = new Map(); const incl = new Map(); let total = 0;
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
const walk = (n, stack, parent = '') => {
  const k = n.callFrame.url === '' && parent ? `${n.callFrame.functionName} <- ${parent}` : key(n);
  self.set(k, (self.get(k) ?? 0) + n.selfSize);
  total += n.selfSize;
  const st = new Set(stack); st.add(k);
  for (const x of st) incl.set(x, (incl.get(x) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c, st, key(n));
};
walk(profile.head, new Set());
const n = to - from + 1;
console.log('KB per load', (total / 1024 / n).toFixed(0));
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 40);
console.log('--- self KB/load'); for (const [k, v] of top(self)) console.log((v / 1024 / n).toFixed(1).padStart(7), k);
console.log('--- incl KB/load'); for (const [k, v] of top(incl)) console.log((v / 1024 / n).toFixed(1).padStart(7), k);
