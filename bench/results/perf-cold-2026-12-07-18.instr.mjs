// node instr.mjs TREE OUT: copy of TREE/dist with phase timers into globalThis.__T
import { cpSync, readFileSync, writeFileSync, symlinkSync, existsSync } from 'node:fs';
const [tree, out] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync('/work/main/node_modules', `${out}/node_modules`);
const T = `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n`;
function patch(file, pairs) {
  const f = `${out}/dist/${file}`; let s = readFileSync(f, 'utf8');
  for (const [a, b] of pairs) { if (!s.includes(a)) throw new Error(`missing in ${file}: ${a}`); s = s.replace(a, b); }
  writeFileSync(f, T + s);
}
patch('host/loader/loader.js', [
  [`            disk.check();`, `            { const __c = performance.now(); disk.check(); __t('check', __c); }`],
  [`        const diskKey = hook ?`, `        const __k = performance.now(); const diskKey = hook ?`],
  [`        let cachedPlan;`, `        __t('key', __k); const __r = performance.now(); let cachedPlan;`],
  [`        const compiling = [];`, `        __t('read', __r); const compiling = [];`],
  [`                    transformed.push(sole`, `                    const __m = performance.now(); transformed.push(sole`],
  [`                        : hook.transform(m.bytes, context));`, `                        : hook.transform(m.bytes, context)); __t('meter', __m);`],
  [`                    validateCore(m.bytes, m.file);`, `                    { const __v = performance.now(); validateCore(m.bytes, m.file); __t('validate', __v); }`],
  [`                plan = early === undefined ? planComponent(bytes, start) : planComponent(bytes);`, `                const __p = performance.now(); plan = early === undefined ? planComponent(bytes, start) : planComponent(bytes); __t('plan(+validate)', __p);`],
  [`            if (held !== undefined)\n                for (const h of held)\n                    compiling.push(this.#compileSync(h.bytes, h.file));`, `            { const __s = performance.now(); if (held !== undefined)\n                for (const h of held)\n                    compiling.push(this.#compileSync(h.bytes, h.file)); __t('compile', __s); }`],
  [`                disk.write(diskKey, transformed, fingerprint ? encodePlan(plan, bytes) : undefined);`, `                { const __e = performance.now(); const __pb = fingerprint ? encodePlan(plan, bytes) : undefined; __t('encodePlan', __e); const __w = performance.now(); disk.write(diskKey, transformed, __pb); __t('write', __w); }`],
  [`        const describe = hook?.describe;`, `        const __d = performance.now(); const describe = hook?.describe;`],
  [`        const compiled = await modules;`, `        __t('describe', __d); const __a = performance.now(); const compiled = await modules; __t('await', __a);`],
  [`        const hash = sha256(bytes);`, `        const __h = performance.now(); const hash = sha256(bytes); __t('sha', __h);`],
  [`            pending = this.#plan(bytes, id, kind);`, `            const __pp = performance.now(); pending = this.#plan(bytes, id, kind); __t('#plan-sync', __pp); pending.then(() => __t('#plan-settled', __pp));`],
  [`        const now = this.#options.now ?? performance.now.bind(performance);`, `        const __p0 = performance.now(); const now = this.#options.now ?? performance.now.bind(performance);`],
  [`        return {\n            plan,\n            modules: compiled,`, `        __t('#plan-body', __p0); return {\n            plan,\n            modules: compiled,`],
]);
patch('host/kernel/kernel.js', [
  [`            const loaded = await this.#loader.load(bytes);`, `            const __l = performance.now(); const loaded = await this.#loader.load(bytes); __t('loader.load', __l);`],
]);
