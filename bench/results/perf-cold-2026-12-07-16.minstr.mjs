// node minstr.mjs TREE OUT: a copy of TREE's dist with timers in the meter's pass (globalThis.__T), for mphase.mjs
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
const [tree, out] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync(new URL('../../node_modules', import.meta.url).pathname, `${out}/node_modules`);
const f = `${out}/dist/host/meter/module.js`;
let s = readFileSync(f, 'utf8');
const rep = (a, b) => { if (!s.includes(a)) throw new Error(`missing ${a}`); s = s.replace(a, b); };
rep('    const exports = scanExportedFunctions(bytes);', "    let __s0 = performance.now(); const exports = scanExportedFunctions(bytes); __t('scanExp', __s0);");
rep('        const out = new ModulePass(bytes, options, leaks, found, exports, grows, onMissedGrow, buffer).run();',
  "        let __c0 = performance.now(); const __mp = new ModulePass(bytes, options, leaks, found, exports, grows, onMissedGrow, buffer); __t('ctor', __c0); __c0 = performance.now(); const out = __mp.run(); __t('run', __c0);");
rep('    #section(id, s, sectionStart, size) {',
  "    #section(id, s, sectionStart, size) { const __q = performance.now(); try { this.#section2(id, s, sectionStart, size); } finally { __t('sec' + id, __q); } }\n    #section2(id, s, sectionStart, size) {");
rep('        if (this.#functionSectionAt >= 0)\n            this.#writeFunctions();\n        const bodies = this.#bodyRewriter();',
  "        let __x = performance.now(); if (this.#functionSectionAt >= 0)\n            this.#writeFunctions(); __t('c.writeFns', __x); __x = performance.now();\n        const bodies = this.#bodyRewriter(); __t('c.bodyRewriter', __x);");
rep('            bodies.rewrite(bodyStart, bodyEnd, this.#funcTypes[i], funcImports + i, internal[i] === 1, out);',
  "            const __b = performance.now(); bodies.rewrite(bodyStart, bodyEnd, this.#funcTypes[i], funcImports + i, internal[i] === 1, out); __t('c.body', __b);");
rep('        for (const f of this.#wrapped) {', '        __x = performance.now(); for (const f of this.#wrapped) {');
rep('                writeRestart(out, appended, i, paramsOf(i), internal[i] === 1);', "                writeRestart(out, appended, i, paramsOf(i), internal[i] === 1); __t('c.wrap+restart', __x);");
writeFileSync(f, `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n${s}`);
