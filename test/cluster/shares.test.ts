/**
 * Fair shares of a host's rate among its senders (host/cluster/trust.ts): each sender heard gets
 * ¾ of the rate divided among the senders heard, a quarter is left for a newcomer, the table is
 * bounded, and looking at a share spends nothing.
 */
import { describe, expect, it } from 'vitest';
import { OTHER_SENDERS, SenderShares } from '../../host/cluster/trust.js';

function drain(shares: SenderShares, sender: string, now: number, most = 100_000): number {
  let n = 0;
  while (n < most && shares.take(sender, now)) n++;
  return n;
}

describe('sender shares', () => {
  it("gives one flooding sender ¾ of the rate and leaves a newcomer's share", () => {
    const shares = new SenderShares(400, 8);
    expect(drain(shares, 'sbx_1', 0)).toBe(300);
    // A newcomer gets a share at once, though the flooder took all of its own.
    expect(shares.allows('sbx_2', 0)).toBe(true);
    expect(drain(shares, 'sbx_2', 0)).toBe(150);
    // Two heard: each refills at 150 a second.
    expect(drain(shares, 'sbx_1', 1_000)).toBe(150);
  });

  it('spends nothing when only asked', () => {
    const shares = new SenderShares(100, 8);
    for (let i = 0; i < 1_000; i++) expect(shares.allows('sbx_1', 0)).toBe(true);
    expect(shares.size).toBe(0);
    expect(drain(shares, 'sbx_1', 0)).toBe(75);
    expect(shares.allows('sbx_1', 0)).toBe(false);
  });

  it('keeps at most max senders, the rest sharing one entry, and forgets the silent', () => {
    const shares = new SenderShares(1_000, 4);
    for (let i = 0; i < 100; i++) shares.take(`sbx_${i}`, 0);
    expect(shares.size).toBe(5);
    expect(shares.sharedBy('sbx_99')).toBe(true);
    expect(shares.sharedBy('sbx_0')).toBe(false);
    expect(OTHER_SENDERS).toBe('*');
    // Those past the table together get one share, not one each.
    let others = 0;
    for (let i = 4; i < 100; i++) others += drain(shares, `sbx_${i}`, 0);
    expect(others).toBeLessThanOrEqual(Math.ceil(750 / 5));
    // A second of silence and the entries are given up.
    shares.take('sbx_0', 1_500);
    expect(shares.size).toBe(1);
  });
});
