import { Buffer } from 'node:buffer';
const mem = new WebAssembly.Memory({ initial: 1 });
const u8 = new Uint8Array(mem.buffer); const dv = new DataView(mem.buffer);
const S = 'k€'.repeat(512); const L = 'ké'.repeat(512);
const ucs2Write = Buffer.prototype.ucs2Write, latin1Write = Buffer.prototype.latin1Write;
const cases = {
  loop16: () => { for (let i = 0; i < S.length; i++) dv.setUint16(4096 + i * 2, S.charCodeAt(i), true); return 0; },
  ucs2Write: () => ucs2Write.call(u8, S, 4096, S.length * 2),
  loopLatin1: () => { for (let i = 0; i < L.length; i++) u8[4096 + i] = L.charCodeAt(i); return 0; },
  latin1Write: () => latin1Write.call(u8, L, 4096, L.length),
};
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const f of Object.values(cases)) for (let i = 0; i < 50000; i++) f();
for (let r = 0; r < 11; r++) for (const [k, f] of Object.entries(cases)) { const c0 = process.cpuUsage(); for (let i = 0; i < 20000; i++) f(); const c = process.cpuUsage(c0); res[k].push((c.user + c.system) * 1000 / 20000); }
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k.padEnd(12), 'min', v[0].toFixed(1), 'med', v[5].toFixed(1)); }
const a = new Uint8Array(u8.slice(4096, 4096 + 2048)); cases.loop16(); const b = u8.slice(4096, 4096 + 2048); cases.ucs2Write(); const c = u8.slice(4096, 4096+2048);
console.log('same16', Buffer.compare(b, c) === 0);
