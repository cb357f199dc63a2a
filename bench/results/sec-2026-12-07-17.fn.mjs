// node micro.mjs TREE : ns per sandbox.fn call of a metered loop-free export without a twin (pick), and of shout-like generic path (sum4)
const tree = process.argv[2];
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { componentFromWat, tempCacheDir } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const WAT = `(module (memory (export "memory") 1)
  (func (export "pick") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.add (local.get 0) (i32.const 1))) (else (i32.const 7))))
  (func (export "sum4") (param i64 i64 i64 i64) (result i64)
    (i64.add (i64.add (local.get 0) (local.get 1)) (i64.add (local.get 2) (local.get 3)))))`;
const WIT = `package test:m@0.1.0;
world m { export pick: func(a: u32) -> u32; export sum4: func(a: u64, b: u64, c: u64, d: u64) -> u64; }`;
const kernel = new Kernel({ cacheDir: tempCacheDir() });
const module = await kernel.load(await componentFromWat(WAT, WIT, 'm'));
const sandbox = await kernel.spawn(module);
const pick = sandbox.fn('pick');
const sum4 = sandbox.fn('sum4');
const out = {};
for (const [name, f, n, call] of [['pick', pick, 5_000_000, (f, i) => f(i)], ['sum4', sum4, 500_000, (f, i) => f(1n, 2n, 3n, 4n)]]) {
  const samples = [];
  for (let round = 0; round < 7; round++) {
    sandbox.refuel();
    const t0 = process.hrtime.bigint();
    let s = 0;
    for (let i = 0; i < n; i++) s += Number(call(f, i));
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / n);
  }
  samples.sort((a, b) => a - b);
  out[name] = samples[3].toFixed(2);
}
console.log(JSON.stringify(out));
await kernel.close();
