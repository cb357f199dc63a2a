/**
 * Facts computed once per key and kept as long as the key lives: what every spawn of a loaded
 * module reads (its requirements, its preview1 imports, whether it handles messages) is worked
 * out at the first spawn, not at each.
 */
export function oncePer<K extends object, V, A extends unknown[] = []>(
  compute: (key: K, ...args: A) => V,
): (key: K, ...args: A) => V {
  const known = new WeakMap<K, V>();
  return (key, ...args) => {
    if (known.has(key)) return known.get(key) as V;
    const value = compute(key, ...args);
    known.set(key, value);
    return value;
  };
}
