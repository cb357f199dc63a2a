// node perf-cold-2026-12-07-12.dec.mjs: TextDecoder (fatal) / TextEncoder against a JS ASCII loop, per call, the first 60 calls of a process
const utf8 = new TextDecoder('utf-8', { fatal: true }); const enc = new TextEncoder();
const names = Array.from({ length: 200 }, (_, i) => Buffer.from(`keel:bench/host-name-${i}`));
const ascii = (b) => { let s = ''; for (let i = 0; i < b.length; i++) { const c = b[i]; if (c >= 0x80) return undefined; s += String.fromCharCode(c); } return s; };
const out = { decoder: [], ascii: [], enc: [] };
for (let i = 0; i < 60; i++) {
  const b = names[i];
  let t = performance.now(); const s = utf8.decode(b); out.decoder.push((performance.now() - t) * 1000);
  t = performance.now(); ascii(names[i + 100]); out.ascii.push((performance.now() - t) * 1000);
  t = performance.now(); enc.encode(s); out.enc.push((performance.now() - t) * 1000);
}
for (const k in out) console.log(k, out[k].slice(0, 8).map((x) => x.toFixed(1)).join(' '), '| median 10-60', [...out[k].slice(10)].sort((a, b) => a - b)[25].toFixed(2));
