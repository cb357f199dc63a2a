// A componentize-js guest: console.log (wasi:cli/stdout), Math.random (wasi:random) and
// Date.now (wasi:clocks) through Keel's providers.
export function hello(name) {
  console.log(`log from js: ${name}`);
  return `hello ${name}, random ok: ${Math.random() < 1}, clock ok: ${Date.now() > 1e12}`;
}
