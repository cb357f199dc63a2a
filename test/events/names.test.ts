import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '../../host/index.js';

const DESIGN_EVENTS = [
  'kernel:start',
  'kernel:stop',
  'module:load',
  'module:unload',
  'sandbox:spawn',
  'sandbox:exit',
  'sandbox:crash',
  'invoke:start',
  'invoke:end',
  'invoke:error',
  'capability:granted',
  'capability:denied',
  'approval:required',
  'approval:granted',
  'approval:denied',
  'policy:violation',
  'fuel:exhausted',
  'memory:limit',
  'signal:sent',
  'signal:delivered',
  'ipc:send',
  'ipc:deliver',
  'ipc:drop',
  'event:publish',
  'guest:log',
  'guest:stdout',
  'guest:stderr',
  'hook:error',
];

describe('canonical event names', () => {
  it('are exactly the names documented in docs/events.md', () => {
    const text = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^\| `([a-z]+:[a-z]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...EVENT_NAMES]);
  });

  it('include the whole taxonomy of the design brief', () => {
    expect([...EVENT_NAMES]).toEqual(expect.arrayContaining(DESIGN_EVENTS));
  });

  it('add to it only what limits, deadlines, supervision, outgoing HTTP, an honest log and lattices need', () => {
    expect(EVENT_NAMES.filter((n) => !DESIGN_EVENTS.includes(n))).toEqual([
      'sandbox:restart',
      'deadline:exceeded',
      'table:limit',
      'http:request',
      'http:response',
      'log:suppressed',
      'log:dropped',
      'log:error',
      'cluster:join',
      'cluster:leave',
      'cluster:up',
      'cluster:down',
      'cluster:reject',
      'cluster:replace',
      'cluster:expire',
      'resource:limit',
    ]);
  });
});
