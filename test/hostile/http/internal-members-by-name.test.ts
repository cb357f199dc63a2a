/**
 * Attack: a component declares its own `wasi:http/types` with extra functions named after the
 * provider's internals (`[static]fields.sealed`, `[static]outgoing-body.take`, ...), hoping the
 * glue calls them by name: a sealed fields object with a forged byte count would let it give
 * back more held bytes than it took. The provider's classes expose only what the WIT
 * interface declares; everything else is out of reach by any name.
 */
import { expect, it } from 'vitest';
import { httpWorld } from '../../caps/http/harness.js';

/** The public members of `wasi:http/types` 0.2, in the provider's (jco's) spelling. */
const WIT: Record<string, { statics: string[]; methods: string[] }> = {
  Fields: { statics: ['fromList'], methods: ['get', 'has', 'set', 'delete', 'append', 'entries', 'clone'] },
  OutgoingBody: { statics: ['finish'], methods: ['write'] },
  OutgoingRequest: {
    statics: [],
    methods: [
      'body',
      'method',
      'setMethod',
      'pathWithQuery',
      'setPathWithQuery',
      'scheme',
      'setScheme',
      'authority',
      'setAuthority',
      'headers',
    ],
  },
  RequestOptions: {
    statics: [],
    methods: [
      'connectTimeout',
      'setConnectTimeout',
      'firstByteTimeout',
      'setFirstByteTimeout',
      'betweenBytesTimeout',
      'setBetweenBytesTimeout',
    ],
  },
  FutureTrailers: { statics: [], methods: ['subscribe', 'get'] },
  IncomingBody: { statics: ['finish'], methods: ['stream'] },
  IncomingResponse: { statics: [], methods: ['status', 'headers', 'consume'] },
  FutureIncomingResponse: { statics: [], methods: ['subscribe', 'get'] },
  IncomingRequest: { statics: [], methods: [] },
  ResponseOutparam: { statics: [], methods: [] },
  OutgoingResponse: { statics: [], methods: ['statusCode', 'setStatusCode', 'headers', 'body'] },
};

it('exposes no member a guest could name beyond the WIT interface', () => {
  const { types, handler } = httpWorld({ allow: ['https://api.example.com'] });
  for (const [name, value] of Object.entries(types)) {
    if (name === 'httpErrorCode') continue;
    const surface = WIT[name];
    expect(surface, `unexpected class ${name}`).toBeDefined();
    const cls = value as Function;
    const statics = Object.getOwnPropertyNames(cls).filter(
      (k) => !['length', 'name', 'prototype'].includes(k),
    );
    expect(statics.sort(), `${name} statics`).toEqual([...surface!.statics].sort());
    const methods = Object.getOwnPropertyNames(cls.prototype).filter((k) => k !== 'constructor');
    expect(methods.sort(), `${name} methods`).toEqual([...surface!.methods].sort());
  }
  expect(Object.keys(handler)).toEqual(['handle']);
});
