// node wrapfns.mjs TREE OUT FILE FN...: a copy of TREE/dist where each named top-level function of dist/FILE
// adds its wall time to globalThis.__TT[FN] (read by tt.mjs). Used on host/meter/leaves.js:
//   before: addLeafTwins findLeaves appendTwins; after: leavesOf writeTwinExports writeTwinBodies writeLeavesSection
import { cpSync, readFileSync, writeFileSync, symlinkSync, existsSync } from 'node:fs';
const [tree, out, file, ...fns] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync('/work/main/node_modules', `${out}/node_modules`);
const p = `${out}/dist/${file}`;
let s = readFileSync(p, 'utf8');
for (const f of fns) {
  const re = new RegExp(`(export )?function ${f}\\(([^)]*)\\) \\{`);
  const m = s.match(re);
  if (!m) throw new Error(`no function ${f}`);
  const args = m[2].split(',').map((x) => x.trim().split(/[:=]/)[0].trim()).join(',');
  s = s.replace(re, `${m[1] ?? ''}function ${f}(${m[2]}) { const __t0 = performance.now(); try { return __${f}(${args}); } finally { (globalThis.__TT ??= {})['${f}'] = (globalThis.__TT['${f}'] ?? 0) + performance.now() - __t0; } }\nfunction __${f}(${m[2]}) {`);
}
writeFileSync(p, s);
