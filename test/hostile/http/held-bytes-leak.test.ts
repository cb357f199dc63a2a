/**
 * Attack: make the host count bytes against the sandbox's held-bytes budget (`maxHeldBytes`)
 * that nothing holds any more, until every later fields object, body or response is refused.
 * Each path below left its bytes counted: a `fields.from-list` that failed part way (the
 * entries added before the failing one), an outgoing request dropped unsent or sent (its
 * headers: the request is the host's once sent, and never dropped by the guest), an outgoing
 * response dropped, an incoming response dropped without its headers taken, a future dropped
 * with its response never taken, a body write whose charge failed (held before it was charged).
 * Now every one gives its bytes back: after each the budget is where it started.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { attempt, bytes, type HttpWorld, httpWorld } from '../../caps/http/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const held = (world: HttpWorld) =>
  world.context.state<{ held: number }>('wasi-http', () => ({ held: -1 })).held;
const value = bytes('v'.repeat(200));
const entries = (n: number): [string, Uint8Array][] => Array.from({ length: n }, (_, i) => [`x-${i}`, value]);

it('held bytes leak: a failing from-list gives back what it held', () => {
  const world = httpWorld(undefined);
  const { types } = world;
  expect(held(world)).toBe(0);
  const failing: [string, [string, Uint8Array][]][] = [
    ['too many fields', entries(65)],
    ['too many bytes', [...entries(60), ['x-big', bytes('v'.repeat(5000))]]],
    ['a bad value', [...entries(10), ['x-bad', bytes('a\nb')]]],
    ['a forbidden name', [...entries(10), ['host', bytes('x')]]],
    ['a bad name', [...entries(10), ['bad name', bytes('x')]]],
  ];
  for (const [what, list] of failing) {
    expect(
      attempt(() => types.Fields.fromList(list)),
      what,
    ).toHaveProperty('err');
    expect(held(world), what).toBe(0);
  }
  // Repeated, the budget (16 MiB) never runs out: 2,000 x 12 KB is 24 MB.
  for (let i = 0; i < 2_000; i++) attempt(() => types.Fields.fromList(entries(65)));
  expect(attempt(() => types.Fields.fromList(entries(1)))).toHaveProperty('ok');
});

it('held bytes leak: requests and responses dropped or sent give back their headers', () => {
  const world = httpWorld({ allow: [server.url('')] });
  const { types, handler } = world;
  // Dropped unsent.
  const unsent = new types.OutgoingRequest(types.Fields.fromList(entries(10)));
  expect(held(world)).toBeGreaterThan(0);
  unsent[Symbol.dispose]();
  expect(held(world)).toBe(0);
  // An outgoing response dropped.
  const response = new types.OutgoingResponse(types.Fields.fromList(entries(10)));
  response[Symbol.dispose]();
  expect(held(world)).toBe(0);
  // Refused by the handler (no rule allows it): the request is the host's, its headers go back.
  const denied = new types.OutgoingRequest(types.Fields.fromList(entries(10)));
  denied.setScheme({ tag: 'HTTP' });
  denied.setAuthority('127.0.0.2:1');
  expect(attempt(() => handler.handle(denied, undefined))).toHaveProperty('err');
  expect(held(world)).toBe(0);
  // Sent, answered, the future dropped with the response never taken.
  const send = () => {
    const request = new types.OutgoingRequest(types.Fields.fromList(entries(10)));
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(`127.0.0.1:${server.port}`);
    request.setPathWithQuery('/hello');
    const future = handler.handle(request, undefined);
    future.subscribe().block();
    return future;
  };
  send()[Symbol.dispose]();
  expect(held(world)).toBe(0);
  // Sent, the response taken and dropped without its headers or body taken.
  const future = send();
  const taken = future.get().val.val;
  expect(taken.status()).toBe(200);
  taken[Symbol.dispose]();
  future[Symbol.dispose]();
  expect(held(world)).toBe(0);
});

it('held bytes leak: a body write whose charge fails holds nothing', () => {
  const world = httpWorld(undefined);
  const { types } = world;
  const request = new types.OutgoingRequest(new types.Fields());
  const stream = request.body().write();
  const charge = world.context.charge;
  world.context.charge = () => {
    throw new Error('out of fuel');
  };
  expect(() => stream.write(bytes('x'.repeat(1000)))).toThrow('out of fuel');
  world.context.charge = charge;
  expect(held(world)).toBe(0);
});
