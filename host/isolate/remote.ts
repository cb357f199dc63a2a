/**
 * Values across the worker channel. Host functions of a worker sandbox run in the kernel's
 * thread; what crosses between the two threads is data only (structured clone): numbers,
 * BigInts, strings, byte arrays, arrays, plain objects. A host object a provider hands the guest
 * (a stream, a descriptor, a pollable) stays in the kernel's thread, in the sandbox's object
 * table; the worker holds a reference to it (`{ $ref }`) wrapped in a proxy of the provider's
 * class, so that the canonical ABI in the worker can check and hold it as it would the object.
 *
 * A thrown value crosses as what it means: a WIT error payload (`$throw`), a Keel error
 * (`$keel`, code kept), a guest exit (`$exit`).
 */
import { ComponentError, hostFailure } from '../abi/calls.js';
import type { HandleCounter } from '../abi/handles.js';
import { kebabCase } from '../abi/js-names.js';
import { linkedRecord, methodMember, notServed, recordMember, staticMember } from '../abi/members.js';
import { MAX_VALUE_DEPTH } from '../abi/types.js';
import { ERROR_CODES, type ErrorCode, KeelError } from '../kernel/errors.js';
import { GuestExit } from '../kernel/traps.js';

/** A host object, seen from the worker: its id in the kernel's table and its class. */
export interface RemoteRef {
  $ref: number;
  /** `interface#Class` as the provider's record names the class, when it has one. */
  $class?: string;
}

/** What a host call answered, as it crosses. */
export type Outcome =
  | { ok: unknown }
  | { $throw: unknown }
  | { $keel: { code: string; message: string; details?: Record<string, unknown> } }
  | { $exit: number }
  /** A component export's `result::err`: its payload. */
  | { $error: unknown };

/**
 * Deepest value walked across the channel: past what any value of an admitted type nests, so
 * a guest's value always crosses (only an embedder's argument can be refused).
 */
const MAX_DEPTH = MAX_VALUE_DEPTH;

function plain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value) || ArrayBuffer.isView(value);
}

/** Walk arrays and plain objects, replacing what `swap` recognizes; everything else as it is. */
function walk(value: unknown, swap: (value: object) => unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new KeelError('invalid-argument', 'a value nests too deeply to cross threads');
  const swapped = swap(value);
  if (swapped !== undefined) return swapped;
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, swap, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    out[key] = walk((value as Record<string, unknown>)[key], swap, depth + 1);
  return out;
}

/**
 * The kernel's side: a sandbox's host objects by id. Every object handed to the worker is
 * counted against the sandbox's handle limit (through `acquire`/`release`) until the worker
 * drops it or the sandbox ends.
 */
export class ObjectTable {
  readonly #objects = new Map<number, object>();
  readonly #ids = new Map<object, number>();
  readonly #classes = new Map<Function, string>();
  #next = 1;
  /** The sandbox ended: the table was emptied and takes no more objects. */
  #closed = false;

  constructor(
    /** The provider records linked for the sandbox, by interface: their classes get names. */
    records: Readonly<Record<string, Record<string, unknown>>>,
    private readonly counter: HandleCounter,
  ) {
    for (const [iface, record] of Object.entries(records)) {
      for (const [name, value] of Object.entries(record)) {
        if (typeof value === 'function' && /^[A-Z]/.test(name)) this.#classes.set(value, `${iface}#${name}`);
      }
    }
  }

  get size(): number {
    return this.#objects.size;
  }

  /** The reference that stands for `object` (the same one each time it crosses). */
  ref(object: object): RemoteRef {
    let id = this.#ids.get(object);
    if (id === undefined) {
      if (this.#closed) {
        // A late answer (an asynchronous host function that settled after the sandbox ended):
        // nothing would ever drop it, so it is disposed now instead of held.
        dispose(object);
        throw new KeelError('killed', 'the sandbox ended before this host object could reach it');
      }
      this.counter.acquire(kindOf(this.#classes.get(object.constructor)));
      id = this.#next++;
      this.#objects.set(id, object);
      this.#ids.set(object, id);
    }
    const cls = this.#classes.get(object.constructor);
    return cls ? { $ref: id, $class: cls } : { $ref: id };
  }

  get(ref: RemoteRef): object {
    const object = typeof ref.$ref === 'number' ? this.#objects.get(ref.$ref) : undefined;
    if (!object) throw new KeelError('trap', `host object ${String(ref.$ref)} is not held by this sandbox`);
    return object;
  }

  /** The worker dropped its reference: the object is disposed (as a drop of the handle would). */
  drop(id: number): void {
    const object = this.#objects.get(id);
    if (!object) return;
    this.#objects.delete(id);
    this.#ids.delete(object);
    this.counter.release();
    dispose(object);
  }

  /** The sandbox ended: every object it held is disposed, and any that comes later too. */
  clear(): void {
    this.#closed = true;
    for (const id of [...this.#objects.keys()]) this.drop(id);
  }

  /** A host value on its way to the worker: host objects become references. */
  encode(value: unknown): unknown {
    return walk(value, (v) => (plain(v) ? undefined : this.ref(v)));
  }

  /** A value from the worker: references become the objects they stand for. */
  decode(value: unknown): unknown {
    return walk(value, (v) => (isRef(v) ? this.get(v) : undefined));
  }

  /** A host function's answer, or what it threw (sorted as inline, `hostFailure`), as it crosses. */
  outcome(run: () => unknown, name: string): Outcome {
    try {
      const value = run();
      // An asynchronous host function's promise is settled (then encoded) by the caller.
      if (value instanceof Promise) return { ok: value };
      return { ok: this.encode(value) };
    } catch (error) {
      return thrown(hostFailure(error, name), (v) => this.encode(v));
    }
  }
}

/** `wasi:io/poll#Pollable` → `pollable` (the resource type, as the handle tables name it). */
function kindOf(cls: string | undefined): string {
  if (!cls) return 'host object';
  const name = cls.slice(cls.indexOf('#') + 1);
  return kebabCase(name.charAt(0).toLowerCase() + name.slice(1));
}

function isRef(value: object): value is RemoteRef {
  return (
    typeof (value as RemoteRef).$ref === 'number' &&
    Object.keys(value).every((k) => k === '$ref' || k === '$class')
  );
}

function dispose(object: object): void {
  const fn = (object as { [Symbol.dispose]?: () => void })[Symbol.dispose];
  if (typeof fn !== 'function') return;
  try {
    fn.call(object);
  } catch {
    // A provider's dispose must not stop the others.
  }
}

/** What a thrown value means across the channel. */
export function thrown(error: unknown, encode: (value: unknown) => unknown): Outcome {
  if (error instanceof GuestExit) return { $exit: error.code };
  if (error instanceof KeelError) {
    return { $keel: { code: error.code, message: error.message, details: { ...error.details } } };
  }
  if (error instanceof Error) {
    return { $keel: { code: 'internal', message: `a host function failed: ${error.message}` } };
  }
  return { $throw: encode(error) };
}

/** Throw (or return) what an outcome says, on the receiving side. */
export function settle(outcome: Outcome, decode: (value: unknown) => unknown): unknown {
  if ('ok' in outcome) return decode(outcome.ok);
  if ('$throw' in outcome) throw decode(outcome.$throw);
  if ('$exit' in outcome) throw new GuestExit(outcome.$exit);
  if ('$error' in outcome) throw new ComponentError(decode(outcome.$error));
  const { code, message, details } = outcome.$keel;
  throw new KeelError(code as KeelError['code'], message, details ?? {});
}

/**
 * The worker's side: proxies for the provider records of a sandbox. A record's function calls
 * the kernel; a class (a name starting with a capital, as providers name them) constructs,
 * calls statics and methods in the kernel; an object the kernel returns is an instance of its
 * class's proxy, so `instanceof` works as with the real class.
 */
export class ProxyRecords {
  readonly #records = new Map<string, Record<string, unknown>>();
  readonly #classes = new Map<string, Function>();
  readonly #objects = new Map<number, object>();
  readonly #refs = new WeakMap<object, number>();

  constructor(private readonly call: (request: HostRequest) => unknown) {}

  record(iface: string): Record<string, unknown> {
    let record = this.#records.get(iface);
    if (!record) {
      const cache = new Map<string, unknown>();
      const member = (key: string | symbol): unknown => {
        if (typeof key !== 'string' || key === 'then') return undefined;
        let value = cache.get(key);
        if (value === undefined) {
          value = /^[A-Z]/.test(key)
            ? this.#classFor(`${iface}#${key}`)
            : (...args: unknown[]) => this.#call({ op: 'call', iface, name: key, args });
          cache.set(key, value);
        }
        return value;
      };
      // Every name stands for the kernel's member, also to a lookup by own property (the ABI
      // looks names up that way: host/abi/members.ts); the kernel decides what exists.
      record = new Proxy(
        {},
        {
          get: (_, key) => member(key),
          getOwnPropertyDescriptor: (_, key) => standIn(member(key)),
        },
      );
      this.#records.set(iface, record);
    }
    return record;
  }

  #classFor(id: string): Function {
    let cls = this.#classes.get(id);
    if (cls) return cls;
    const [iface, name] = id.split('#') as [string, string];
    const records = this;
    // A constructor whose instances stand for host objects; statics go to the kernel.
    const Remote = function (this: object, ...args: unknown[]) {
      return records.#call({ op: 'new', iface, name, args });
    } as unknown as { new (...args: unknown[]): object; prototype: object };
    Object.defineProperty(Remote, 'name', { value: name });
    const own = (key: string | symbol) =>
      typeof key !== 'string' || key === 'prototype' || key === 'name' || key === 'length';
    const statik =
      (key: string) =>
      (...args: unknown[]) =>
        this.#call({ op: 'static', iface, name, method: key, args });
    cls = new Proxy(Remote, {
      get: (target, key, receiver) => (own(key) ? Reflect.get(target, key, receiver) : statik(key as string)),
      getOwnPropertyDescriptor: (target, key) =>
        own(key) ? Reflect.getOwnPropertyDescriptor(target, key) : standIn(statik(key as string)),
    });
    this.#classes.set(id, cls);
    return cls;
  }

  /** The object a reference stands for in this worker (one per reference). */
  #object(ref: RemoteRef): object {
    let object = this.#objects.get(ref.$ref);
    if (object) return object;
    const cls = ref.$class ? this.#classFor(ref.$class) : undefined;
    const base = Object.create(
      (cls as { prototype: object } | undefined)?.prototype ?? Object.prototype,
    ) as object;
    const id = ref.$ref;
    const method =
      (key: string) =>
      (...args: unknown[]) =>
        this.#call({ op: 'method', target: id, method: key, args });
    object = new Proxy(base, {
      get: (target, key) => {
        if (key === Symbol.dispose) return () => this.#drop(id);
        if (typeof key !== 'string' || key === 'then') return Reflect.get(target, key);
        return method(key);
      },
      getOwnPropertyDescriptor: (target, key) =>
        typeof key !== 'string' || key === 'then'
          ? Reflect.getOwnPropertyDescriptor(target, key)
          : standIn(method(key)),
    });
    this.#objects.set(id, object);
    this.#refs.set(object, id);
    return object;
  }

  #drop(id: number): void {
    if (!this.#objects.delete(id)) return;
    this.call({ op: 'drop', target: id });
  }

  #call(request: HostRequest & { args: unknown[] }): unknown {
    const encoded = { ...request, args: request.args.map((a) => this.encode(a)) } as HostRequest;
    return this.decode(this.call(encoded));
  }

  /** A guest value on its way to the kernel: proxies become their references. */
  encode(value: unknown): unknown {
    return walk(value, (v) => {
      const id = this.#refs.get(v);
      return id === undefined ? undefined : { $ref: id };
    });
  }

  decode(value: unknown): unknown {
    return walk(value, (v) => (isRef(v) ? this.#object(v) : undefined));
  }
}

/** The descriptor a stand-in reports for one of its names (undefined: no such name). */
function standIn(value: unknown): PropertyDescriptor | undefined {
  return value === undefined ? undefined : { value, writable: false, enumerable: true, configurable: true };
}

/** A call from the worker to a provider in the kernel's thread. */
export type HostRequest =
  | { op: 'call'; iface: string; name: string; args: unknown[] }
  | { op: 'new'; iface: string; name: string; args: unknown[] }
  | { op: 'static'; iface: string; name: string; method: string; args: unknown[] }
  | { op: 'method'; target: number; method: string; args: unknown[] }
  | { op: 'drop'; target: number; args?: undefined };

/** The host function a request calls, as errors and notices name it. */
export function calleeOf(request: HostRequest): string {
  switch (request.op) {
    case 'call':
      return `${request.iface}#${request.name}`;
    case 'new':
      return `${request.iface}#[constructor]${request.name}`;
    case 'static':
      return `${request.iface}#[static]${request.name}.${request.method}`;
    case 'method':
      return `the host method ${request.method}`;
    case 'drop':
      return 'the drop of a host object';
  }
}

/** Serve one request from the worker against the sandbox's linked records and object table. */
export function serve(
  request: HostRequest,
  records: Readonly<Record<string, Record<string, unknown>>>,
  objects: ObjectTable,
): Outcome {
  if (request.op === 'drop') {
    objects.drop(request.target);
    return { ok: undefined };
  }
  const given = request.args;
  const name = calleeOf(request);
  return objects.outcome(() => {
    const args = given.map((a) => objects.decode(a));
    switch (request.op) {
      // Names reach only what the provider defines (host/abi/members.ts), as inline.
      case 'call': {
        const fn = recordMember(linkedRecord(records, request.iface), request.name);
        if (!fn) throw notServed(`the function ${request.iface}#${request.name}`);
        return Reflect.apply(fn, undefined, args);
      }
      case 'new': {
        const cls = recordMember(linkedRecord(records, request.iface), request.name);
        if (!cls) throw notServed(`a constructor of ${request.iface}#${request.name}`);
        return Reflect.construct(cls, args);
      }
      case 'static': {
        const cls = recordMember(linkedRecord(records, request.iface), request.name);
        const fn = staticMember(cls, request.method);
        if (!fn) throw notServed(`the static function ${request.iface}#${request.name}.${request.method}`);
        return Reflect.apply(fn, cls, args);
      }
      case 'method': {
        const target = objects.get({ $ref: request.target });
        const fn = methodMember(target, request.method);
        if (!fn) throw notServed(`the method ${request.method} of that resource`);
        return Reflect.apply(fn, target, args);
      }
    }
  }, name);
}

/**
 * A message from the worker that the protocol does not have. The worker is untrusted (a guest
 * that got out of WebAssembly runs its JavaScript): the kernel ends the sandbox (`internal`,
 * reason `channel`) and believes nothing of the message.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** The longest name (an interface, a member, a resource kind) the kernel takes from the worker. */
const MAX_NAME = 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function name(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > MAX_NAME) throw new ProtocolError(`${what} is not a name`);
  return value;
}

function id(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new ProtocolError(`${what} is not an id`);
  return value as number;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError(`${what} is not a list`);
  return value;
}

/** A host call as the worker wrote it, checked: only the protocol's fields, of their types. */
export function checkRequest(value: unknown): HostRequest {
  if (!isRecord(value)) throw new ProtocolError('a host frame without a request');
  switch (value.op) {
    case 'call':
    case 'new':
      return {
        op: value.op,
        iface: name(value.iface, 'an interface'),
        name: name(value.name, 'a member'),
        args: list(value.args, 'the arguments'),
      };
    case 'static':
      return {
        op: 'static',
        iface: name(value.iface, 'an interface'),
        name: name(value.name, 'a class'),
        method: name(value.method, 'a static function'),
        args: list(value.args, 'the arguments'),
      };
    case 'method':
      return {
        op: 'method',
        target: id(value.target, 'a host object'),
        method: name(value.method, 'a method'),
        args: list(value.args, 'the arguments'),
      };
    case 'drop':
      return { op: 'drop', target: id(value.target, 'a host object') };
    default:
      throw new ProtocolError('a host request of no known op');
  }
}

/** The largest exit status a guest can give (`proc_exit` takes a u32; `wasi:cli/exit` less). */
const MAX_EXIT_STATUS = 0xffff_ffff;

/**
 * What the worker says a call (or its start) ended with, checked: one of the protocol's
 * outcomes, a Keel error only with a code of the catalog, an exit only when the kernel granted
 * one (`exitGranted`) and with an exit status. A host function's thrown value (`$throw`) only
 * ever crosses to the worker, never back.
 */
export function checkOutcome(value: unknown, exitGranted: boolean): Outcome {
  if (!isRecord(value)) throw new ProtocolError('a result without an outcome');
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new ProtocolError('an outcome of more or less than one kind');
  switch (keys[0]) {
    case 'ok':
      return { ok: value.ok };
    case '$error':
      return { $error: value.$error };
    case '$exit': {
      const status = value.$exit;
      if (!exitGranted) throw new ProtocolError('an exit from a sandbox that was granted none');
      if (!Number.isInteger(status) || (status as number) < 0 || (status as number) > MAX_EXIT_STATUS) {
        throw new ProtocolError('an exit status that is not one');
      }
      return { $exit: status as number };
    }
    case '$keel': {
      const keel = value.$keel;
      if (!isRecord(keel)) throw new ProtocolError('a Keel error of no shape');
      const { code, message, details } = keel;
      if (typeof code !== 'string' || !ERROR_CODES.includes(code as ErrorCode)) {
        throw new ProtocolError('a Keel error with a code outside the catalog');
      }
      if (typeof message !== 'string') throw new ProtocolError("a Keel error's message is not text");
      if (details !== undefined && !isRecord(details))
        throw new ProtocolError("a Keel error's details are not a record");
      return { $keel: { code, message, ...(details ? { details } : {}) } };
    }
    default:
      throw new ProtocolError('an outcome of no known kind');
  }
}
