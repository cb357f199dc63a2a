import { describe, expect, it } from 'vitest';
import { EventBus, type KeelEvent, REDACTED, Redactor } from '../../host/index.js';

function bus(redactor?: Redactor) {
  return new EventBus({ session: 'ses_test', ...(redactor ? { redactor } : {}) });
}

describe('event bus', () => {
  it('calls hooks by priority, then subscription order', () => {
    const b = bus();
    const order: string[] = [];
    b.subscribe('*', () => void order.push('low'), { priority: -1 });
    b.subscribe('*', () => void order.push('first'));
    b.subscribe('*', () => void order.push('high'), { priority: 10 });
    b.subscribe('*', () => void order.push('second'));
    b.emit({ event: 'kernel:start' });
    expect(order).toEqual(['high', 'first', 'second', 'low']);
  });

  it('matches exact names and families', () => {
    const b = bus();
    const seen: string[] = [];
    b.subscribe('invoke:*', (e) => void seen.push(e.event));
    b.subscribe('guest:log', (e) => void seen.push(`exact ${e.event}`));
    b.emit({ event: 'invoke:start' });
    b.emit({ event: 'guest:log' });
    b.emit({ event: 'kernel:stop' });
    expect(seen).toEqual(['invoke:start', 'exact guest:log']);
  });

  it('a hook that throws emits hook:error and the other hooks still run', () => {
    const b = bus();
    const seen: KeelEvent[] = [];
    b.subscribe(
      'kernel:start',
      () => {
        throw new Error('observer bug');
      },
      { name: 'buggy', priority: 1 },
    );
    b.subscribe('*', (e) => void seen.push(e));
    b.emit({ event: 'kernel:start' });
    expect(seen.map((e) => e.event)).toEqual(['hook:error', 'kernel:start']);
    expect(seen[0]?.data).toMatchObject({ hook: 'buggy', while: 'kernel:start' });
    expect(seen[0]?.error?.message).toBe('observer bug');
  });

  it('a hook that rejects emits hook:error asynchronously', async () => {
    const b = bus();
    const seen: string[] = [];
    b.subscribe('kernel:start', async () => {
      throw new Error('async observer bug');
    });
    b.subscribe('hook:error', (e) => void seen.push(e.error?.message ?? ''));
    b.emit({ event: 'kernel:start' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['async observer bug']);
  });

  it('a throwing hook:error observer does not recurse', () => {
    const b = bus();
    b.subscribe('*', () => {
      throw new Error('always');
    });
    expect(() => b.emit({ event: 'kernel:start' })).not.toThrow();
  });

  it('builds no event when nobody listens', () => {
    const b = bus();
    expect(b.wants('invoke:start')).toBe(false);
    expect(b.emit({ event: 'invoke:start' })).toBeUndefined();
    const off = b.subscribe('invoke:*', () => {});
    expect(b.wants('invoke:start')).toBe(true);
    off();
    expect(b.wants('invoke:start')).toBe(false);
  });

  it('redacts secret values and keys before any observer sees the event', () => {
    const b = bus(new Redactor({ keys: ['token'], values: ['hunter2-secret'] }));
    const seen: KeelEvent[] = [];
    b.subscribe('*', (e) => void seen.push(e));
    const data = { text: 'password is hunter2-secret!', token: 'abc', nested: { list: ['hunter2-secret'] } };
    b.emit({ event: 'guest:stdout', data });
    expect(seen[0]?.data).toEqual({
      text: `password is ${REDACTED}!`,
      token: REDACTED,
      nested: { list: [REDACTED] },
    });
    expect(data.text).toBe('password is hunter2-secret!');
  });
});
