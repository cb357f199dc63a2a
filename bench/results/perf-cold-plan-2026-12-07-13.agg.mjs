// node agg.mjs DIR [n] [root]: self and inclusive time over every profile in DIR (sum), optional root function filter
import { readFileSync, readdirSync } from 'node:fs';
const [dir, nStr = '40', root] = process.argv.slice(2);
const self = new Map(), incl = new Map(); let total = 0;
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '').replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}`;
for (const f of readdirSync(dir)) {
  const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]; const t = p.timeDeltas[i + 1] ?? 0;
    const n0 = byId.get(id);
    if (n0.callFrame.functionName === '(idle)' || n0.callFrame.functionName === '(program)' && !root) {}
    if (root) { let under = false; for (let x = id; x !== undefined; x = parent.get(x)) if (byId.get(x).callFrame.functionName === root) { under = true; break; } if (!under) continue; }
    total += t;
    self.set(key(n0), (self.get(key(n0)) ?? 0) + t);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) { const k = key(byId.get(x)); if (seen.has(k)) continue; seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t); }
  }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
console.log('total ms', (total / 1000).toFixed(1));
console.log('--- self'); for (const [k, t] of top(self, Number(nStr))) console.log((t / 1000).toFixed(2).padStart(8), (100 * t / total).toFixed(1).padStart(5) + '%', k);
console.log('--- inclusive'); for (const [k, t] of top(incl, Number(nStr))) console.log((t / 1000).toFixed(2).padStart(8), (100 * t / total).toFixed(1).padStart(5) + '%', k);
