// node [--no-opt [--no-sparkplug]] perf-cold-meter-2026-12-07-14.copyb.mjs: a copy of n bytes by a loop against set(subarray), medians of 15 trials of 2,000
const src = new Uint8Array(4096).map((_, i) => i); const dst = new Uint8Array(1 << 20);
function loop(n, at) { let len = at; for (let i = 0; i < n; i++) dst[len++] = src[i]; return len; }
function viaSet(n, at) { dst.set(src.subarray(0, n), at); return at + n; }
const med = (x) => x.sort((a, b) => a - b)[x.length >> 1];
for (const n of [2, 4, 8, 12, 16, 24, 31]) {
  const A = [], B = [];
  for (let trial = 0; trial < 15; trial++) {
    const R = 2000; let t = performance.now(); let p = 0;
    for (let k = 0; k < R; k++) { p = loop(n, p); if (p > 1e6) p = 0; } A.push((performance.now() - t) / R * 1e6);
    t = performance.now(); p = 0; for (let k = 0; k < R; k++) { p = viaSet(n, p); if (p > 1e6) p = 0; } B.push((performance.now() - t) / R * 1e6);
  }
  console.log(n, 'loop', med(A).toFixed(0), 'ns set', med(B).toFixed(0), 'ns');
}
