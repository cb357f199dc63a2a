// node instr.mjs TREE OUT: make an instrumented copy of TREE/dist at OUT/dist: phase timers into globalThis.__T
import { cpSync, readFileSync, writeFileSync, symlinkSync, existsSync } from 'node:fs';
const [tree, out] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync(new URL('../../node_modules', import.meta.url).pathname, `${out}/node_modules`);
const f = `${out}/dist/host/loader/loader.js`;
let s = readFileSync(f, 'utf8');
const T = `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n`;
const rep = (a, b) => { if (!s.includes(a)) throw new Error('missing ' + a); s = s.replace(a, b); };
rep(`        if (disk)\n            disk.check();`, `        let __0 = performance.now();\n        if (disk)\n            disk.check();`);
rep(`        const fingerprint = this.#options.planFingerprint ?? '';`, `        __t('check', __0); __0 = performance.now();\n        const fingerprint = this.#options.planFingerprint ?? '';`);
rep(`        const compiling = [];`, `        __t('read', __0);\n        const compiling = [];`);
rep(`transformed.push(sole ? hook.transformSole(m.bytes, context) : hook.transform(m.bytes, context));`, `const __m = performance.now(); transformed.push(sole ? hook.transformSole(m.bytes, context) : hook.transform(m.bytes, context)); __t('meter', __m);`);
if (s.includes(`                compiling.push(this.#compileCore(transformed[0], m.file));\n                return;`)) rep(`                compiling.push(this.#compileCore(transformed[0], m.file));\n                return;`, `                const __c = performance.now(); compiling.push(this.#compileCore(transformed[0], m.file)); __t('compileCall', __c);\n                return;`);
else { rep(`                compile(transformed[0], m.file);\n                return;`, `                const __c = performance.now(); compile(transformed[0], m.file); __t('compileCall', __c);\n                return;`);
  rep(`            if (held !== undefined)\n                for (const h of held)\n                    compiling.push(this.#compileSync(h.bytes, h.file));`, `            const __s = performance.now(); if (held !== undefined)\n                for (const h of held)\n                    compiling.push(this.#compileSync(h.bytes, h.file)); __t('syncCompile', __s);`); }
rep(`                    validateCore(m.bytes, m.file);`, `                    const __v = performance.now(); validateCore(m.bytes, m.file); __t('validate', __v);`);
rep(`                plan = early === undefined ? planComponent(bytes, start) : planComponent(bytes);`, `                const __p = performance.now(); plan = early === undefined ? planComponent(bytes, start) : planComponent(bytes); __t('plan+validate', __p);`);
rep(`                await new Promise((resolve) => setImmediate(resolve));`, `                { const __i = performance.now(); await new Promise((resolve) => setImmediate(resolve)); __t('immediate', __i); }`);
rep(`                disk.write(diskKey, transformed, fingerprint ? encodePlan(plan, bytes) : undefined);`, `                { const __e = performance.now(); const __pb = fingerprint ? encodePlan(plan, bytes) : undefined; __t('encodePlan', __e); const __w = performance.now(); disk.write(diskKey, transformed, __pb); __t('write', __w); }`);
rep(`        const describe = hook?.describe;`, `        const __d = performance.now();\n        const describe = hook?.describe;`);
rep(`        const compiled = await modules;`, `        __t('describe', __d); const __a = performance.now();\n        const compiled = await modules; __t('awaitCompile', __a);`);
// (written below)
{
  const g = `${out}/dist/host/kernel/kernel.js`;
  let k = readFileSync(g, 'utf8');
  const r2 = (a, b) => { if (!k.includes(a)) throw new Error('missing ' + a); k = k.replace(a, b); };
  r2(`            const loaded = await this.#loader.load(bytes);\n            checkExportTypes(loaded, name);`, `            const __l = performance.now(); const loaded = await this.#loader.load(bytes); __t('loader.load', __l); const __x = performance.now();\n            checkExportTypes(loaded, name); __t('exportTypes', __x);`);
  writeFileSync(g, `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n` + k);
  rep(`        const hash = sha256(bytes);`, `        const __h = performance.now(); const hash = sha256(bytes); __t('sha', __h);`);
  rep(`            pending = this.#plan(bytes, id, kind);`, `            const __pp = performance.now(); pending = this.#plan(bytes, id, kind); pending.then(() => __t('#plan', __pp), () => {});`);
  writeFileSync(f, T + s);
}
{
  const g = `${out}/dist/host/meter/index.js`;
  let k = readFileSync(g, 'utf8');
  const a = `        return outputBuffers.handOut(rewriteModule(bytes, resolved, outputBuffers.take(capacity)));`;
  if (!k.includes(a)) throw new Error('meter index');
  k = k.replace(a, `        const __a = performance.now(); const __b = outputBuffers.take(capacity); __t('m.take', __a); const __r0 = performance.now(); const __r = rewriteModule(bytes, resolved, __b); __t('m.rewrite', __r0); const __h = performance.now(); const __o = outputBuffers.handOut(__r); __t('m.handOut', __h); return __o;`);
  writeFileSync(g, `const __t = (k, t0) => { const __T = globalThis.__T ??= {}; __T[k] = (__T[k] ?? 0) + performance.now() - t0; };\n` + k);
}
