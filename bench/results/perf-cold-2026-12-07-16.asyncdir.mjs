// node asyncdir.mjs TREE OUT: a copy of TREE's dist whose cold load makes the cache directory with an asynchronous
// mkdir (libuv's pool) started before the plan and awaited before the entry's write (the prototype measured, not landed)
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
const [tree, out] = process.argv.slice(2);
cpSync(`${tree}/dist`, `${out}/dist`, { recursive: true });
cpSync(`${tree}/package.json`, `${out}/package.json`);
if (!existsSync(`${out}/node_modules`)) symlinkSync(new URL('../../node_modules', import.meta.url).pathname, `${out}/node_modules`);
const patch = (file, pairs) => {
  let s = readFileSync(file, 'utf8');
  for (const [a, b] of pairs) { if (!s.includes(a)) throw new Error(`missing ${a}`); s = s.replace(a, b); }
  writeFileSync(file, s);
};
patch(`${out}/dist/host/loader/disk-cache.js`, [
  ['import { closeSync,', "import { mkdir as mkdirAsync } from 'node:fs';\nimport { closeSync,"],
  ['    check() {\n        this.#checkDir();', `    #making = undefined;
    begin() {
        if (this.#checked) return undefined;
        let info;
        try { info = statSync(this.dir, { throwIfNoEntry: false }); } catch { return undefined; }
        if (info !== undefined) { this.#checkDir(); return undefined; }
        this.#making = new Promise((resolve) => mkdirAsync(this.dir, { recursive: true, mode: 0o700 }, (err, made) => resolve(err ? undefined : made !== undefined)));
        return this.#making;
    }
    finish(made) { this.#making = undefined; this.#checkDir(false); if (made) this.#empty = true; }
    check() {
        this.#checkDir();`],
  ['        if (!this.#checkDir() || this.#empty)', '        if (this.#making !== undefined) return undefined;\n        if (!this.#checkDir() || this.#empty)'],
]);
patch(`${out}/dist/host/loader/loader.js`, [
  ['            disk.check();', '            var __making = disk.begin();'],
  ['            if (disk && transformed.length > 0)\n                disk.write(', '            if (disk && __making) disk.finish(await __making);\n            if (disk && transformed.length > 0)\n                disk.write('],
]);
