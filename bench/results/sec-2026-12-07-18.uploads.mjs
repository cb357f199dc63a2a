// node --expose-gc /tmp/sec18-uploads.mjs TREE N : RSS and heap after N distinct loads of the adder component
const [tree, n] = [process.argv[2], Number(process.argv[3])];
const { Kernel } = await import(`${tree}/dist/host/index.js`);
const { componentFromWat, ADDER_WAT, ADDER_WIT } = await import(`${tree}/dist/scripts/lib/fixtures.js`);
const base = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
const kernel = new Kernel({ cacheDir: false });
const mb = (x) => (x / 1048576).toFixed(1);
global.gc(); const r0 = process.memoryUsage();
for (let i = 0; i < n; i++) {
  const name = new TextEncoder().encode(`upload-${String(i).padStart(8, '0')}`);
  const out = new Uint8Array(base.length + name.length + 3);
  out.set(base); out.set([0, name.length + 1, name.length, ...name], base.length);
  await kernel.load(out);
}
global.gc(); const r1 = process.memoryUsage();
console.log(`${tree} n=${n} size=${base.length} rss +${mb(r1.rss - r0.rss)} MB heap +${mb(r1.heapUsed - r0.heapUsed)} MB ext +${mb(r1.external + r1.arrayBuffers - r0.external - r0.arrayBuffers)} MB`);
await kernel.close();
