/**
 * Attack: the guest writes an absolute URI (or a scheme-relative one, or spaces and control
 * characters) as the path, hoping the request line sends it elsewhere than the authority the
 * grant allowed. Only origin-form paths are accepted.
 */
import { expect, it } from 'vitest';
import { attempt, httpWorld } from '../../caps/http/harness.js';

it('accepts only origin-form paths of printable ASCII', () => {
  const { types } = httpWorld({ allow: ['https://api.example.com'] });
  const outgoing = new types.OutgoingRequest(new types.Fields());
  for (const path of [
    'http://evil.example/',
    'evil.example/x',
    '',
    ' /x',
    '/x y',
    '/x\r\nHost: evil',
    '/\0',
    `/${'a'.repeat(9000)}`,
  ]) {
    expect(
      attempt(() => outgoing.setPathWithQuery(path)),
      JSON.stringify(path).slice(0, 30),
    ).toEqual({ err: undefined });
  }
  expect(attempt(() => outgoing.setPathWithQuery('/v1/items?q=1&r=%20'))).toEqual({ ok: undefined });
});
