/**
 * Attack: header names and values with CR, LF or NUL (response splitting, request smuggling),
 * and names that are not HTTP tokens. They are `header-error.invalid-syntax`, never sent.
 */
import { expect, it } from 'vitest';
import { attempt, bytes, httpWorld } from '../../caps/http/harness.js';

it('refuses names that are not tokens and values with CR, LF or NUL', () => {
  const { types } = httpWorld({ allow: ['https://api.example.com'] });
  const fields = new types.Fields();
  for (const name of ['x y', 'x:y', 'x\r\ny', '', 'ü', 'x\0']) {
    expect(
      attempt(() => fields.append(name, bytes('v'))),
      JSON.stringify(name),
    ).toEqual({ err: { tag: 'invalid-syntax' } });
  }
  for (const value of ['a\r\nHost: evil', 'a\nb', 'a\rb', 'a\0b']) {
    expect(
      attempt(() => fields.append('x-v', bytes(value))),
      JSON.stringify(value),
    ).toEqual({ err: { tag: 'invalid-syntax' } });
  }
  expect(fields.entries()).toEqual([]);
});
