/**
 * Session ids come from a pool of random bytes filled 64 ids at a time (a call of the system's
 * generator per kernel cost a quarter of `new Kernel()`): each id takes bytes of its own, across
 * the pool's refills, and a deterministic kernel's session is `ses_0`.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { newSessionId } from '../../host/kernel/ids.js';

it('gives every session an id of its own, across the pool refills', () => {
  const ids = Array.from({ length: 64 * 3 + 5 }, () => newSessionId());
  for (const id of ids) expect(id).toMatch(/^ses_[0-9a-f]{12}$/);
  expect(new Set(ids).size).toBe(ids.length);
  expect(newSessionId(true)).toBe('ses_0');
});

it('names kernels by such ids', async () => {
  const kernels = Array.from({ length: 3 }, () => new Kernel({ cacheDir: false }));
  const sessions = kernels.map((k) => k.session);
  expect(new Set(sessions).size).toBe(3);
  for (const s of sessions) expect(s).toMatch(/^ses_[0-9a-f]{12}$/);
  const det = new Kernel({ cacheDir: false, deterministic: true });
  expect(det.session).toBe('ses_0');
  for (const k of [...kernels, det]) await k.close();
});
