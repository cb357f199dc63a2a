/**
 * Attack: an instance type that declares an abstract resource beside an instance type exporting
 * the one below twice at each of 30 levels. Where the resource is bound (an imported instance,
 * importInstance; an instantiation argument that gives it, fits), Substitution.instance
 * (host/abi/resolve.ts) rebuilt the whole type tree path by path, unmemoized, before any bound
 * counts: 20 levels 30 s and 756 MB, 22 levels (fits) 141 s and 2.1 GB, 30 levels hours, then
 * out of memory. Memoized per type object (as `val` is), both are refused in bounded time.
 */
import { expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../../host/index.js';
import { componentText } from './support.js';

const LEVELS = 30;

function types(levels: number, outer: string): string {
  let s = '(type $I0 (instance (export "f" (func))))\n';
  for (let i = 1; i <= levels; i++)
    s += `(type $I${i} (instance (alias outer ${outer} $I${i - 1} (type $t)) (export "a" (instance (type $t))) (export "b" (instance (type $t)))))\n`;
  return s;
}
function bags(levels: number): string {
  let s = `(core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))
  (instance $i0 (export "f" (func $f)))\n`;
  for (let k = 1; k <= levels; k++)
    s += `(instance $i${k} (export "a" (instance $i${k - 1})) (export "b" (instance $i${k - 1})))\n`;
  return s;
}
const imported = (n: number) =>
  `(component $C\n${types(n, '$C')}(import "x" (instance (alias outer $C $I${n} (type $t)) (export "r" (type (sub resource))) (export "n" (instance (type $t))))))`;
const argument = (n: number) => `(component $C
${types(n, '$C')}
(type $r (resource (rep i32)))
${bags(n)}
(instance $arg (export "r" (type $r)) (export "n" (instance $i${n})))
(component $D
  (alias outer $C $I${n} (type $tn))
  (import "x" (instance (export "r" (type (sub resource))) (export "n" (instance (type $tn))))))
(instance (instantiate $D (with "x" (instance $arg)))))`;

for (const [shape, make] of [
  ['an imported instance', imported],
  ['an instantiation argument', argument],
] as const) {
  it(`instance substitution exponential: ${shape} binding a resource beside 30 levels is refused in bounded time`, async () => {
    const bytes = await componentText(make(LEVELS));
    expect(bytes.length).toBeLessThan(2048);
    const kernel = new Kernel({ cacheDir: false });
    try {
      const started = performance.now();
      const error = await kernel.load(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isKeelError(error) && error.code).toBe('invalid-module');
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      await kernel.close();
    }
  }, 60_000);
}
