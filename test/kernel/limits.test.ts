import { describe, expect, it } from 'vitest';
import {
  capLimits,
  DEFAULT_LIMITS,
  resolveClusterLimits,
  resolveLimits,
  senderQuota,
} from '../../host/kernel/limits.js';

describe('limits', () => {
  it('fills in every default and takes overrides', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ mailboxLength: 8 }).mailboxLength).toBe(8);
  });

  it('caps limits asked by another party at a ceiling, passing unknown names on for refusal', () => {
    const ceiling = resolveLimits({ fuel: 100, memoryBytes: 1 << 20 });
    expect(capLimits({ fuel: 1e12, memoryBytes: 4096 }, ceiling)).toEqual({ fuel: 100, memoryBytes: 4096 });
    expect(capLimits({ nope: 5 } as never, ceiling)).toEqual({ nope: 5 });
    expect(() => resolveLimits(capLimits({ fuel: -1 }, ceiling))).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });

  it('refuses unknown limits and values that are not finite non-negative integers', () => {
    expect(() => resolveLimits({ nope: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    // Names every object inherits are not limits either (`in` found them: toString: 5 was kept).
    for (const inherited of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(() => resolveLimits({ [inherited]: 5 } as never)).toThrow(
        expect.objectContaining({ code: 'invalid-argument', details: { limit: inherited } }),
      );
      expect(() => resolveClusterLimits({ [inherited]: 5 } as never)).toThrow(
        expect.objectContaining({ code: 'invalid-argument', details: { limit: inherited } }),
      );
    }
    for (const bad of [-1, 1.5, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => resolveLimits({ fuel: bad })).toThrow(
        expect.objectContaining({ code: 'invalid-argument' }),
      );
    }
  });

  it("takes a sender's share of a mailbox as a percentage from 1 to 100", () => {
    for (const bad of [0, 101]) {
      expect(() => resolveLimits({ mailboxSenderPercent: bad })).toThrow(/percentage from 1 to 100/);
    }
    expect(senderQuota(DEFAULT_LIMITS)).toBe(512);
    expect(senderQuota({ mailboxLength: 10, mailboxSenderPercent: 33 })).toBe(4);
    expect(senderQuota({ mailboxLength: 1, mailboxSenderPercent: 1 })).toBe(1);
    expect(senderQuota({ mailboxLength: 1024, mailboxSenderPercent: 100 })).toBe(1024);
  });
});
