/**
 * Which members of a provider's records, classes and objects a component may reach by name.
 *
 * A component names the functions it imports, and the name (camelCased) finds a function on
 * what the provider linked: a record of functions and classes, a class's static functions, an
 * object's methods. Only what the provider itself defines is reachable: never what every
 * JavaScript object or function has (`valueOf`, `hasOwnProperty`, `constructor`, `toString`,
 * Function.prototype's `bind`, `call` and `apply`), which a hostile component could otherwise
 * call with arguments of its choosing, and never a getter (a name must not run code to be
 * looked up). Data properties only, found on the holder or on its own prototypes below the
 * built-in ones.
 */

import { KeelError } from '../kernel/errors.js';

type AnyFunction = (...args: unknown[]) => unknown;

/** Names that never lead to a provider's function, whatever the holder. */
const NEVER = new Set(['constructor', '__proto__', 'prototype']);

/** The built-in prototypes whose members no component may reach. */
const BUILT_IN = new Set<unknown>([Object.prototype, Function.prototype, null]);

/** A function the provider defines as `key` on `holder` or on its prototypes below the built-ins. */
function definedFunction(holder: object, key: string, stopAt: ReadonlySet<unknown>): AnyFunction | undefined {
  if (NEVER.has(key)) return undefined;
  let current: object | null = holder;
  while (current !== null && !stopAt.has(current)) {
    const descriptor = Object.getOwnPropertyDescriptor(current, key);
    if (descriptor)
      return typeof descriptor.value === 'function' ? (descriptor.value as AnyFunction) : undefined;
    current = Object.getPrototypeOf(current) as object | null;
  }
  return undefined;
}

/** A record's own function (or class) named `key`: what `link()` returned for an interface. */
export function recordMember(record: object | undefined, key: string): AnyFunction | undefined {
  if (record === undefined || record === null || NEVER.has(key)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(record, key);
  return typeof descriptor?.value === 'function' ? (descriptor.value as AnyFunction) : undefined;
}

/** A class's static function `key` (its own, or a provider superclass's). */
export function staticMember(cls: object | undefined, key: string): AnyFunction | undefined {
  return cls === undefined ? undefined : definedFunction(cls, key, BUILT_IN);
}

/** An object's method `key`: on the object or its class's prototypes, never Object.prototype's. */
export function methodMember(target: unknown, key: string): AnyFunction | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  return definedFunction(target, key, BUILT_IN);
}

/** The record the kernel linked for an interface: its own entry, never an inherited member. */
export function linkedRecord<T>(records: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(records, name) ? records[name] : undefined;
}

/** A call of a function the provider does not define: a capability Keel does not serve. */
export function notServed(what: string, importName?: string): KeelError {
  return new KeelError(
    'capability-denied',
    `${importName ? `${importName}: ` : ''}Keel's provider does not serve ${what}`,
    { ...(importName ? { import: importName } : {}), reason: 'not-served' },
  );
}
