// per-access cost of constructs in functions without feedback (each function runs once)
const N = 300, K = 200;
function make(kind) {
  const body = [];
  for (let i = 0; i < K; i++) body.push(kind === 'priv' ? 's += this.#a;' : kind === 'pub' ? 's += this.a;' : kind === 'local' ? 's += a;' : kind === 'arr' ? 's += arr[i & 3];' : kind === 'call' ? 's += this.f();' : kind === 'pcall' ? 's += this.#f();' : kind==='newu8' ? 'x = new Uint8Array(8);' : kind==='objlit' ? 'x = {a: s, b: 1};' : '');
  const src = `return class { #a = 1; a = 1; #f() { return 1; } f() { return 1; } run() { let s = 0, a = 1, x; const arr = [1,2,3,4]; let i = 0; ${body.join(' ')} return s; } }`;
  return new Function(src)();
}
for (const kind of ['none', 'local', 'pub', 'priv', 'arr', 'call', 'pcall', 'newu8', 'objlit']) {
  const classes = []; for (let i = 0; i < N; i++) classes.push(make(kind));
  const objs = classes.map((C) => new C());
  for (const o of objs) o.f();
  const t0 = process.hrtime.bigint();
  for (const o of objs) o.run();
  const t1 = process.hrtime.bigint();
  console.log(kind.padEnd(6), (Number(t1 - t0) / N / K).toFixed(1), 'ns/op');
}
