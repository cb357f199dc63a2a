import { Buffer, isAscii } from 'node:buffer';
const mem = new WebAssembly.Memory({ initial: 1 });
const u8 = new Uint8Array(mem.buffer);
const S = 'k'.repeat(1024);
const enc = new TextEncoder();
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lax = new TextDecoder();
const latin1Slice = Buffer.prototype.latin1Slice;
const utf8Slice = Buffer.prototype.utf8Slice;
const utf8Write = Buffer.prototype.utf8Write;
const latin1Write = Buffer.prototype.latin1Write;
enc.encodeInto(S, u8.subarray(1024));
const p = 1024, n = 1024;
const NONASCII = /[^\x00-\x7f]/;
const scratch = new Uint8Array(4096);
const cases = {
  isAsciiSub: () => isAscii(u8.subarray(p, p + n)),
  latin1Slice: () => latin1Slice.call(u8, p, p + n),
  isAscii_latin1: () => isAscii(u8.subarray(p, p + n)) ? latin1Slice.call(u8, p, p + n) : null,
  fatalDecode: () => fatal.decode(u8.subarray(p, p + n)),
  laxDecode: () => lax.decode(new Uint8Array(mem.buffer, p, n)),
  utf8Slice: () => utf8Slice.call(u8, p, p + n),
  subarray: () => u8.subarray(p, p + n),
  encodeInto_scratch_set: () => { const w = enc.encodeInto(S, scratch).written; u8.set(scratch.subarray(0, w), 4096); return w; },
  encodeInto_direct: () => enc.encodeInto(S, new Uint8Array(mem.buffer, 4096, n * 3)).written,
  byteLength_utf8Write: () => { const b = Buffer.byteLength(S, 'utf8'); return utf8Write.call(u8, S, 4096, b); },
  utf8Write_only: () => utf8Write.call(u8, S, 4096, 1024),
  latin1Write_only: () => latin1Write.call(u8, S, 4096, 1024),
  byteLength: () => Buffer.byteLength(S, 'utf8'),
  isWellFormed: () => S.isWellFormed(),
  slice_byteLength: () => { const s = latin1Slice.call(u8, p, p + n); return Buffer.byteLength(s) === n ? s : null; },
  slice_byteLength8: () => { const s = latin1Slice.call(u8, p, p + n); return Buffer.byteLength(s, 'utf8') === n ? s : null; },
  slice_regex: () => { const s = latin1Slice.call(u8, p, p + n); return NONASCII.test(s) ? null : s; },
  byteLengthConst: () => Buffer.byteLength(S),

};

const only = process.argv.slice(2);
const sel = Object.entries(cases).filter(([k]) => !only.length || only.includes(k));
const res = Object.fromEntries(sel.map(([k]) => [k, []]));
let r;
for (const [, f] of sel) for (let i = 0; i < 100000; i++) r = f();
for (let round = 0; round < 15; round++) {
  for (const [name, f] of sel) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 50000; i++) r = f();
    const c = process.cpuUsage(c0);
    res[name].push(((c.user + c.system) * 1000) / 50000);
  }
}
for (const [name, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  console.log(name.padEnd(24), 'min', v[0].toFixed(1), 'q1', v[3].toFixed(1), 'med', v[7].toFixed(1));
}
