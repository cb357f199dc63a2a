// node agg.mjs FILES...: inclusive and self sample counts by function (name:line), across profiles
import { readFileSync } from 'node:fs';
const incl = new Map(), self = new Map(); let total = 0;
for (const f of process.argv.slice(2)) {
  const p = JSON.parse(readFileSync(f, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  for (const id of p.samples) {
    const n = byId.get(id); if (n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') continue;
    total++;
    self.set(key(n), (self.get(key(n)) ?? 0) + 1);
    const seen = new Set();
    for (let c = id; c !== undefined; c = parent.get(c)) { const k = key(byId.get(c)); if (seen.has(k)) continue; seen.add(k); incl.set(k, (incl.get(k) ?? 0) + 1); }
  }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}% ${k}`).join('\n');
console.log('total', total, '\n--- inclusive\n' + top(incl, 45) + '\n--- self\n' + top(self, 35));
