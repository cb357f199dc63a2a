/**
 * Attack: take a response's body (`incoming-response.consume`) and drop it without ever taking
 * its stream, again and again. The body's bytes were counted against the sandbox's held-bytes
 * budget (`maxHeldBytes`) until its stream was read or dropped; a body dropped with its stream
 * never taken gave back nothing, so the budget ran out for every later response, fields object
 * and body of the sandbox while the host held none of it (7f93ed2's paths, one it missed), and
 * so did a body finished (`incoming-body.finish`) unread. Now both give their bytes back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../scripts/lib/http-server.js';
import { httpWorld } from '../../caps/http/harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('incoming body dropped unread: a body dropped with its stream never taken gives back its bytes', () => {
  const world = httpWorld({ allow: [server.url('')] });
  const { types, handler } = world;
  const held = () => world.context.state<{ held: number }>('wasi-http', () => ({ held: -1 })).held;
  const response = (path: string) => {
    const request = new types.OutgoingRequest(new types.Fields());
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(`127.0.0.1:${server.port}`);
    request.setPathWithQuery(path);
    const future = handler.handle(request, undefined);
    future.subscribe().block();
    const answer = future.get().val;
    future[Symbol.dispose]();
    expect(answer.tag).toBe('ok');
    return answer.val;
  };
  expect(held()).toBe(0);
  // A 1 MiB body taken and dropped unread, its response dropped too.
  const big = response('/huge?mib=1');
  const body = big.consume();
  expect(held()).toBeGreaterThanOrEqual(1 << 20);
  // As the kernel drops a host resource: its dispose, when it has one.
  (body as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  big[Symbol.dispose]();
  expect(held()).toBe(0);
  // Finished (moved to the host) with its stream never taken.
  const finished = response('/huge?mib=1');
  types.IncomingBody.finish(finished.consume());
  finished[Symbol.dispose]();
  expect(held()).toBe(0);
  // Its stream taken and dropped: given back as before.
  const small = response('/hello');
  const stream = small.consume().stream();
  stream[Symbol.dispose]();
  small[Symbol.dispose]();
  expect(held()).toBe(0);
});
