// node --expose-gc h.mjs TREE [measures]: the bench's wasm group (keel-invoke, keel-invoke-timed), each measure's start time on stderr (CLOCK_MONOTONIC ns)
const T = process.argv[2];
const { runWasmGroup } = await import(`${T}/dist/bench/wasm.js`);
const measures = (process.argv[3] ?? 'wasm.call.noop,wasm.call.add').split(',');
const g = await runWasmGroup({ quick: false, subjects: ['keel-invoke', 'keel-invoke-timed'], measures,
  log: (l) => console.error('T', process.hrtime.bigint().toString(), l.trim()) });
console.error('T', process.hrtime.bigint().toString(), 'end');
for (const m of g.measures) console.log(m.id, m.rows.map((r) => `${r.subject} ${r.value.toFixed(1)}`).join(' | '));
