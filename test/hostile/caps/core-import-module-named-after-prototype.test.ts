/**
 * Attack: a core module imports functions from modules named after what every JavaScript object
 * has: `__proto__`, `constructor`, `hasOwnProperty`, `toString`. No provider serves them, and
 * with lazy denial (`denial: 'call'`) the kernel links a refusal for each. It built the import
 * object by assignment into plain objects keyed by the guest's names, so `imports.__proto__`
 * was Object.prototype and the refusal was written onto it: after one spawn, every
 * `JSON.stringify` in the host process threw `capability-denied` (`__proto__.toJSON`), every
 * `Object.prototype.hasOwnProperty.call` too (`hasOwnProperty.call`), and `Object.keys` was the
 * guest's refusal (`constructor.keys`). The import object now has no prototype: the names are
 * just names, the calls are refused, and nothing of the host changes.
 */
import { afterEach, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { wat } from '../../helpers/wat.js';

const IMPORTS: [string, string][] = [
  ['__proto__', 'toJSON'],
  ['__proto__', 'toString'],
  ['constructor', 'keys'],
  ['hasOwnProperty', 'call'],
  ['toString', 'call'],
];

const GUEST = `(module
  ${IMPORTS.map(([m, n], i) => `(import "${m}" "${n}" (func $f${i}))`).join('\n  ')}
  (func (export "call-first") (call $f0))
  (func (export "ok") (result i32) (i32.const 7)))`;

/** What the attack would change, to compare and to put back (other tests share the process). */
function snapshot() {
  return {
    proto: Object.getOwnPropertyNames(Object.prototype).map((k) => [
      k,
      Object.getOwnPropertyDescriptor(Object.prototype, k),
    ]),
    object: Object.getOwnPropertyNames(Object).map((k) => [k, Object.getOwnPropertyDescriptor(Object, k)]),
    hasOwn: Object.getOwnPropertyNames(Object.prototype.hasOwnProperty),
    toString: Object.getOwnPropertyNames(Object.prototype.toString),
  };
}
const clean = snapshot();

afterEach(() => {
  for (const k of Object.getOwnPropertyNames(Object.prototype)) {
    if (!clean.proto.some(([name]) => name === k)) delete (Object.prototype as Record<string, unknown>)[k];
  }
  for (const [k, d] of clean.proto)
    Object.defineProperty(Object.prototype, k as string, d as PropertyDescriptor);
  for (const [k, d] of clean.object) Object.defineProperty(Object, k as string, d as PropertyDescriptor);
  for (const fn of [Object.prototype.hasOwnProperty, Object.prototype.toString]) {
    delete (fn as unknown as Record<string, unknown>).call;
  }
});

it('core import module named after prototype members: refused lazily, and nothing of the host changes', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), denial: 'call' });
  try {
    const module = await kernel.load(await wat(GUEST), { name: 'proto' });
    const sandbox = await kernel.spawn(module);
    // Nothing of the host's objects changed: no new member, no replaced built-in.
    expect(snapshot()).toEqual(clean);
    expect(Object.keys({ a: 1 })).toEqual(['a']);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
    expect(Object.hasOwn({ a: 1 }, 'a')).toBe(true);
    // The guest's calls are refused, typed; the sandbox and the kernel go on.
    expect(() => sandbox.fn('call-first')()).toThrow(expect.objectContaining({ code: 'capability-denied' }));
    const other = await kernel.spawn(module);
    expect((await other.invoke('ok')).value).toBe(7);
  } finally {
    await kernel.close();
  }
});
