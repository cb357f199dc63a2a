/**
 * The scheduler's parts on their own: patterns, targets, the mailbox, timers, backoff, restart windows.
 */
import { describe, expect, it } from 'vitest';
import { TimerQueue, virtualClock } from '../../host/sched/clock.js';
import {
  isPeerPattern,
  isTopic,
  isTopicPattern,
  parseTarget,
  peerMatches,
  topicMatches,
} from '../../host/sched/glob.js';
import { Mailbox } from '../../host/sched/mailbox.js';
import { backoffDelay, RESTART_BUCKETS, RestartWindow, resolveRestart } from '../../host/sched/supervise.js';

describe('patterns', () => {
  it('match * within a segment and ** across segments, everything else literally', () => {
    const peer = peerMatches;
    expect(peer('/a/*', '/a/b')).toBe(true);
    expect(peer('/a/*', '/a/b/c')).toBe(false);
    expect(peer('/a/**', '/a/b/c')).toBe(true);
    expect(peer('/a/**', '/a')).toBe(false);
    expect(peer('sbx_*', 'sbx_12')).toBe(true);
    expect(peer('*', '/a')).toBe(false);
    expect(peer('**', '/a/b')).toBe(true);
    expect(peer('/a.b', '/aXb')).toBe(false);
    expect(peer('/a/b*', '/a/b')).toBe(false);
    expect(peer('/a/b*c', '/a/bxyc')).toBe(true);
    expect(peer('/a/*b*', '/a/xbx')).toBe(true);
    expect(peer('/a/*b*', '/a/bx')).toBe(false);
    expect(peer('/**/leaf', '/a/b/leaf')).toBe(true);
    expect(peer('sbx_**', 'sbx_12')).toBe(true);
    const topic = topicMatches;
    expect(topic('jobs.*', 'jobs.eu')).toBe(true);
    expect(topic('jobs.*', 'jobs.eu.x')).toBe(false);
    expect(topic('jobs.**', 'jobs.eu.x')).toBe(true);
    expect(topic('jobs.**', 'jobs')).toBe(false);
    expect(topic('*.done', 'a.done')).toBe(true);
    expect(topic('**.done', 'a.b.done')).toBe(true);
    expect(topic('a.**.z', 'a.b.c.z')).toBe(true);
    expect(topic('a.**.z', 'a.z')).toBe(false);
    expect(topic('**', 'x')).toBe(true);
    // A pattern read as a name matches itself (how a subscription is checked against a grant).
    expect(topic('jobs.*', 'jobs.*')).toBe(true);
  });

  it('validate names and patterns', () => {
    expect(isTopic('jobs.eu-1_x')).toBe(true);
    for (const bad of ['', 'a..b', '.a', 'a.', 'a b', 'a/b', 'a.*', 'x'.repeat(256)])
      expect(isTopic(bad)).toBe(false);
    expect(isTopicPattern('a.*.**')).toBe(true);
    expect(isTopicPattern('a..*')).toBe(false);
    expect(isTopicPattern('a*b.c')).toBe(false);
    expect(isTopicPattern('***')).toBe(false);
    expect(isPeerPattern('/a/*')).toBe(true);
    expect(isPeerPattern('sbx_*')).toBe(true);
    expect(isPeerPattern('a b')).toBe(false);
  });

  it('parse targets: ids and absolute paths, nothing else', () => {
    expect(parseTarget('sbx_3')).toEqual({ kind: 'id', id: 'sbx_3' });
    expect(parseTarget('/a/b-c.d')).toEqual({ kind: 'path', path: '/a/b-c.d' });
    for (const bad of ['', 'sbx_', 'a/b', '/a/../b', '/a//b', '/', '/a/', 'x'.repeat(300)]) {
      expect(() => parseTarget(bad), bad).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });
});

describe('mailbox', () => {
  it('is a FIFO with a bound it reports but does not enforce for reserved slots', () => {
    const box = new Mailbox(2);
    const env = (seq: number) => ({ seq, kind: 'message' as const, from: 'host', body: new Uint8Array(seq) });
    box.push(env(1));
    expect(box.full).toBe(false);
    box.push(env(2));
    expect(box.full).toBe(true);
    box.push(env(3)); // a reserved reply slot
    expect(box.length).toBe(3);
    expect(box.bytes()).toBe(6);
    expect(box.shift()?.seq).toBe(1);
    expect(box.drain().map((e) => e.seq)).toEqual([2, 3]);
    expect(box.length).toBe(0);
  });

  it('keeps its storage bounded while it turns over', () => {
    const box = new Mailbox(10);
    let order = true;
    for (let i = 0; i < 100_000; i++) {
      box.push({ seq: i, kind: 'message', from: 'host', body: new Uint8Array(0) });
      order &&= box.shift()?.seq === i;
    }
    expect(order).toBe(true);
    expect(box.length).toBe(0);
  });
});

describe('timers and backoff', () => {
  it('fire in time order, then creation order, and skip cancelled ones', () => {
    const clock = virtualClock();
    const timers = new TimerQueue();
    const fired: string[] = [];
    timers.add(20, () => void fired.push('b'));
    timers.add(10, () => void fired.push('a'));
    const c = timers.add(20, () => void fired.push('c'));
    timers.add(20, () => void fired.push('d'));
    timers.cancel(c);
    expect(timers.size).toBe(3);
    expect(timers.next()).toBe(10);
    clock.advanceTo(20);
    for (let t = timers.pop(clock.now()); t; t = timers.pop(clock.now())) t.fire();
    expect(fired).toEqual(['a', 'b', 'd']);
    expect(timers.size).toBe(0);
    expect(timers.next()).toBeUndefined();
  });

  it('backs off exponentially up to the cap', () => {
    const { backoff } = resolveRestart({
      policy: 'on-failure',
      backoff: { initialMs: 10, factor: 3, maxMs: 200 },
    });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(backoff, n))).toEqual([10, 30, 90, 200, 200]);
    expect(resolveRestart(undefined)).toMatchObject({ policy: 'never', maxRestarts: 5 });
    expect(() => resolveRestart({ policy: 'always' as never })).toThrow(/never.*on-failure/);
    expect(() => resolveRestart({ backoff: { factor: -1 } })).toThrow(/backoff\.factor/);
  });

  it('counts the restarts within a window in buckets: exact when sparse, over (never under) when dense', () => {
    // Restarts further apart than a bucket (100 ms here): as their times say (<= windowMs counts).
    const sparse = new RestartWindow(6400);
    expect([0, 101, 202, 6502, 6603].map((t) => sparse.add(t))).toEqual([1, 2, 3, 2, 2]);
    expect(sparse.count(6603 + 6400)).toBe(1);
    expect(sparse.count(6604 + 6400)).toBe(0);
    // A bucket apart exactly: one bucket, counted until its last leaves (one more than exact).
    const edge = new RestartWindow(6400);
    expect([0, 100, 6500].map((t) => edge.add(t))).toEqual([1, 2, 3]);
    // Within a bucket (a 64th of the window) of the first: counted until the last leaves.
    const dense = new RestartWindow(6400);
    expect([0, 50, 99].map((t) => dense.add(t))).toEqual([1, 2, 3]);
    expect(dense.count(6450)).toBe(3);
    expect(dense.count(6500)).toBe(0);
    expect(dense.buckets).toHaveLength(0);
    // However many restarts, at most RESTART_BUCKETS + 1 buckets.
    const flood = new RestartWindow(1000);
    for (let t = 0; t < 100_000; t++) flood.add(t / 7);
    expect(flood.buckets.length / 3).toBeLessThanOrEqual(RESTART_BUCKETS + 1);
    // A zero window counts only restarts at the same time.
    const zero = new RestartWindow(0);
    expect([5, 5, 6].map((t) => zero.add(t))).toEqual([1, 2, 1]);
  });
});
