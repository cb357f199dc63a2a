import { describe, expect, it } from 'vitest';
import { methodMember, recordMember, staticMember } from '../../host/abi/members.js';

class Base {
  static make() {
    return new Base();
  }
  read() {
    return 1;
  }
}
class Stream extends Base {
  static open() {
    return new Stream();
  }
  write() {
    return 2;
  }
  get secret(): () => string {
    throw new Error('a getter ran');
  }
}

describe('members a component may reach by name', () => {
  it('a record: its own functions only', () => {
    const record = { getRandomU64: () => 1n, Stream, value: 3 };
    expect(recordMember(record, 'getRandomU64')).toBe(record.getRandomU64);
    expect(recordMember(record, 'Stream')).toBe(Stream);
    for (const key of [
      'value',
      'valueOf',
      'hasOwnProperty',
      'toString',
      'constructor',
      '__proto__',
      'missing',
    ])
      expect(recordMember(record, key), key).toBeUndefined();
    expect(recordMember(undefined, 'x')).toBeUndefined();
  });

  it("a class: its statics and its superclasses', never Function.prototype's", () => {
    expect(staticMember(Stream, 'open')).toBe(Stream.open);
    expect(staticMember(Stream, 'make')).toBe(Base.make);
    for (const key of ['bind', 'call', 'apply', 'toString', 'constructor', 'prototype', 'name', 'length'])
      expect(staticMember(Stream, key), key).toBeUndefined();
  });

  it("an object: its class's methods, never Object.prototype's, never a getter", () => {
    const stream = new Stream();
    expect(methodMember(stream, 'write')).toBe(Stream.prototype.write);
    expect(methodMember(stream, 'read')).toBe(Base.prototype.read);
    for (const key of ['valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toString', 'constructor', 'secret'])
      expect(methodMember(stream, key), key).toBeUndefined();
    expect(methodMember(1, 'toFixed')).toBeUndefined();
    expect(methodMember(null, 'x')).toBeUndefined();
  });
});
