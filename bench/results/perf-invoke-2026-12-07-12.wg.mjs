// node --expose-gc wg.mjs TREE [quick]: the bench's wasm group (call measures), the Keel rows with their spread
const T = process.argv[2]; const quick = process.argv[3] === 'quick';
const { runWasmGroup } = await import(`${T}/dist/bench/wasm.js`);
const g = await runWasmGroup({ quick, log: () => {} });
for (const m of g.measures) if (m.id.startsWith('wasm.call')) for (const r of m.rows) if (r.subject.startsWith('keel')) console.log(m.id.padEnd(16), r.subject.padEnd(16), r.value.toFixed(1).padStart(7), `min ${r.min.toFixed(1)} p25 ${r.p25.toFixed(1)} p75 ${r.p75.toFixed(1)} max ${r.max.toFixed(1)}`);
