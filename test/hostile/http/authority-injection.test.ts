/**
 * Attack: an authority that a loose parser would read as another host: userinfo (`allowed@evil`),
 * fragments, paths, CRLF, out-of-range ports. Malformed authorities are refused when set, and a
 * request whose authority no rule names is `HTTP-request-denied` before any connection.
 */
import { expect, it } from 'vitest';
import { attempt, httpWorld, request } from '../../caps/http/harness.js';

it('refuses authorities that are not host[:port]', () => {
  const { types } = httpWorld({ allow: ['https://api.example.com'] });
  const outgoing = new types.OutgoingRequest(new types.Fields());
  for (const authority of [
    'api.example.com@evil.example',
    'evil.example#@api.example.com',
    'api.example.com/x',
    'api.example.com:99999',
    'api.example.com:0',
    'api.example.com:08',
    'api.example.com\r\nX: y',
    'api example.com',
    '',
    `${'a'.repeat(300)}.com`,
  ]) {
    expect(
      attempt(() => outgoing.setAuthority(authority)),
      JSON.stringify(authority).slice(0, 40),
    ).toEqual({ err: undefined });
  }
});

it('denies an authority no rule names, with an event naming it', () => {
  const world = httpWorld({ allow: ['https://api.example.com'] });
  for (const authority of [
    'api.example.com.evil.example',
    'evil.example',
    'api.example.com:444',
    '127.0.0.1',
  ]) {
    expect(request(world, { authority, path: '/' })).toEqual({ error: { tag: 'HTTP-request-denied' } });
  }
  expect(request(world, { scheme: { tag: 'HTTP' }, authority: 'api.example.com', path: '/' })).toEqual({
    error: { tag: 'HTTP-request-denied' },
  });
  const denied = world.events.filter((e) => e.event === 'capability:denied');
  expect(denied.map((e) => (e.data as { authority: string }).authority)).toEqual([
    'api.example.com.evil.example',
    'evil.example',
    'api.example.com:444',
    '127.0.0.1',
    'api.example.com',
  ]);
});
