// node sub.mjs FUNCNAME FILES...: inclusive shares of functions under FUNCNAME (first match on the stack)
import { readFileSync } from 'node:fs';
const [root, ...files] = process.argv.slice(2);
const incl = new Map(); let total = 0, all = 0;
for (const f of files) {
  const p = JSON.parse(readFileSync(f, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  for (const id of p.samples) {
    all++;
    const chain = []; for (let c = id; c !== undefined; c = parent.get(c)) chain.push(key(byId.get(c)));
    const at = chain.findIndex((k) => k.startsWith(root + ' '));
    if (at < 0) continue;
    total++;
    const seen = new Set(chain.slice(0, at));
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + 1);
  }
}
console.log(root, total, 'of', all, `(${(100 * total / all).toFixed(1)}%)`);
console.log([...incl].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}% ${k}`).join('\n'));
