// node minstr2.mjs TREE OUT: meter sub-phase timers (performance.now) into globalThis.__T
import { cpSync, readFileSync, writeFileSync, symlinkSync, existsSync } from 'node:fs';
const [tree, out] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync(`/work/main/node_modules`, `${out}/node_modules`);
const T = `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n`;
function patch(file, pairs) {
  const f = `${out}/dist/${file}`; let s = readFileSync(f, 'utf8');
  for (const [a, b] of pairs) { if (!s.includes(a)) throw new Error(`missing in ${file}: ${a}`); s = s.replace(a, b); }
  writeFileSync(f, T + s);
}
patch('host/meter/module.js', [
  [`    const leaks = noLeaks();`, `    const __n = performance.now(); const leaks = noLeaks(); __t('noLeaks', __n);`],
  [`    const exports = scanExportedFunctions(bytes);`, `    const __s = performance.now(); const exports = scanExportedFunctions(bytes); __t('scanExported', __s);`],
  [`        const out = new ModulePass(`, `        const __c = performance.now(); const __mp = new ModulePass(`],
  [`).run();\n        if (!missed`, `); __t('ctor', __c); const __r = performance.now(); const out = __mp.run(); __t('run', __r);\n        if (!missed`],
  [`            if (id !== 0)`, `            const __o = performance.now(); if (id !== 0)`],
  [`            this.#section(id, new Reader(bytes, start, end), sectionStart, size);`, `            __t('ordered', __o); const __x = performance.now(); this.#section(id, new Reader(bytes, start, end), sectionStart, size); __t('sec' + id, __x);`],
  [`        this.#writeFunctions();\n`, `        const __e = performance.now(); this.#writeFunctions();\n`],
  [`        return out.buf.subarray(0, out.len);`, `        __t('runTail', __e); return out.buf.subarray(0, out.len);`],
  [`        if (this.#functionSectionAt >= 0)\n            this.#writeFunctions();\n        const bodies = this.#bodyRewriter();`, `        const __wf = performance.now(); if (this.#functionSectionAt >= 0)\n            this.#writeFunctions(); __t('c.writeFunctions', __wf);\n        const __br = performance.now(); const bodies = this.#bodyRewriter(); __t('c.bodyRewriter', __br);`],
  [`        const costs = this.#options.costs;\n        for (let i = 0; i < count; i++) {`, `        const costs = this.#options.costs; const __bo = performance.now();\n        for (let i = 0; i < count; i++) {`],
  [`        expectEnd(s, 'code');\n        const appended = {`, `        __t('c.bodies', __bo); const __wr = performance.now(); expectEnd(s, 'code');\n        const appended = {`],
  [`        out.patchU32(sizeAt, 5, out.len - sizeAt - 5);\n    }`, `        out.patchU32(sizeAt, 5, out.len - sizeAt - 5); __t('c.wrappers+restarts', __wr);\n    }`],
]);
