import { pathToFileURL } from 'node:url';
const { nameProblem } = await import(pathToFileURL('/tmp/cold-plan13/before/dist/host/loader/names.js').href);
const gc = process.argv[2] === 'gc';
const names = [['keel:bench/host@0.1.0', 'import'], ['noop', 'export'], ['call-host', 'export'], ['x', 'label'], ['tick', 'export']];
const out = [];
for (let i = 0; i < 30; i++) {
  if (gc) { global.gc(); }
  const t = process.hrtime.bigint();
  for (const [n, r] of names) nameProblem(n, r);
  out.push(Number(process.hrtime.bigint() - t) / 1000);
}
console.log(gc ? 'gc  ' : 'nogc', out.map((x) => x.toFixed(1)).join(' '));
