/**
 * The syscall channel's codec (host/isolate/codec.ts): what legitimately crosses between a worker
 * sandbox and the kernel has a tag of its own (typed arrays copied into fresh memory, errors as
 * their name and message), and nothing is ever handed to V8's deserializer: the old CLONED tag
 * (14) is an unknown tag, and values of any other kind are refused when written.
 */
import { describe, expect, it } from 'vitest';
import { CodecError, decode, MAX_ERROR_TEXT, Writer } from '../../host/isolate/codec.js';

function roundTrip(value: unknown): unknown {
  const writer = new Writer();
  const length = writer.encode(value);
  return decode(Buffer.from(writer.bytes.subarray(0, length)), length);
}

describe('the channel codec', () => {
  it('carries every typed array with its kind, in fresh memory of its own', () => {
    const values = [
      new Int8Array([-1, 2]),
      new Uint8ClampedArray([0, 255]),
      new Int16Array([-300, 300]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31)]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, Number.NaN]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
    ];
    for (const value of values) {
      const back = roundTrip(value) as typeof value;
      expect(back.constructor).toBe(value.constructor);
      expect(back).toEqual(value);
      expect(back.buffer).not.toBe(value.buffer);
      expect(back.byteOffset).toBe(0);
    }
    // A view into the middle of a larger buffer crosses as its own elements only.
    const inner = new Uint32Array(new Uint32Array([1, 2, 3, 4]).buffer, 4, 2);
    expect(roundTrip(inner)).toEqual(new Uint32Array([2, 3]));
  });

  it('copies shared memory: a byte or typed array on a SharedArrayBuffer arrives as a private copy', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    shared.set([1, 2, 3, 4]);
    const bytes = roundTrip(shared) as Uint8Array;
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    shared[0] = 9;
    expect(bytes[0]).toBe(1);
    const words = roundTrip(new Int32Array(new SharedArrayBuffer(8))) as Int32Array;
    expect(words.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('carries an error as its name and message only, bounded', () => {
    const error = new TypeError('bad');
    (error as unknown as { secret: string }).secret = 'kept home';
    const back = roundTrip({ details: { cause: error } }) as { details: { cause: Error } };
    expect(back.details.cause).toBeInstanceOf(Error);
    expect(back.details.cause.name).toBe('TypeError');
    expect(back.details.cause.message).toBe('bad');
    expect(back.details.cause).not.toHaveProperty('secret');
    const long = roundTrip(new Error('x'.repeat(MAX_ERROR_TEXT * 4))) as Error;
    expect(long.message.length).toBe(MAX_ERROR_TEXT);
  });

  it('refuses to write what has no tag: a Map, a Date, a class instance, a DataView', () => {
    class Thing {}
    for (const value of [new Map(), new Set(), new Date(), new Thing(), new DataView(new ArrayBuffer(1))]) {
      expect(() => new Writer().encode({ value })).toThrow(CodecError);
    }
  });

  it("never reads V8's serializer format: tag 14 (what CLONED was) is an unknown tag", () => {
    expect(() => decode(Buffer.from([14, 0, 0, 0, 0]), 5)).toThrow(CodecError);
  });

  it('refuses a typed array of an unknown kind, or one that ends inside an element', () => {
    // TYPED (15), kind, byte length, bytes.
    expect(() => decode(Buffer.from([15, 99, 0, 0, 0, 0]), 6)).toThrow(/unknown kind/);
    expect(() => decode(Buffer.from([15, 4, 3, 0, 0, 0, 1, 2, 3]), 9)).toThrow(/inside an element/);
  });

  it("refuses an error's text longer than the bound", () => {
    const long = 'y'.repeat(MAX_ERROR_TEXT + 1);
    // ERROR (16), name (LATIN1 9, length, bytes), message.
    const bytes = Buffer.concat([
      Buffer.from([16, 9, 1, 0, 0, 0, 0x45, 9]),
      Buffer.from(new Uint32Array([long.length]).buffer),
      Buffer.from(long, 'latin1'),
    ]);
    expect(() => decode(bytes, bytes.length)).toThrow(/too long/);
  });
});
