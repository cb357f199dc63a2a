import { openSync, writeSync, writevSync, closeSync, renameSync, mkdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os'; import { join } from 'node:path';
const { createHash } = await import('node:crypto');
const s = mkdtempSync(join(tmpdir(), 'fsops-'));
const a = new Uint8Array(60), b = new Uint8Array(700), c = new Uint8Array(3000);
const acc = {}; const t = (k, f) => { const w = performance.now(); const r = f(); (acc[k] ??= []).push((performance.now() - w) * 1000); return r; };
for (let i = 0; i < 12; i++) {
  const d = join(s, `d${i}`);
  t('stat miss', () => statSync(d, { throwIfNoEntry: false }));
  t('mkdir', () => mkdirSync(d, { recursive: true, mode: 0o700 }));
  t('stat', () => statSync(d));
  t('hash', () => createHash('sha256').update('k').update(a).update(b).update(c).digest());
  const fd = t('open', () => openSync(join(d, 'tmp'), 'w', 0o600));
  if (i % 2) t('write x3', () => { writeSync(fd, a, 0); writeSync(fd, b, 0); writeSync(fd, c, 0); });
  else t('writev', () => writevSync(fd, [a, b, c]));
  t('close', () => closeSync(fd));
  t('rename', () => renameSync(join(d, 'tmp'), join(d, 'e')));
}
const med = (x) => [...x.slice(1)].sort((p, q) => p - q)[(x.length - 1) >> 1];
console.log(Object.entries(acc).map(([k, v]) => `${k} ${med(v).toFixed(0)} (first ${v[0].toFixed(0)})`).join('; '));
rmSync(s, { recursive: true });
