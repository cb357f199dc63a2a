/**
 * The JavaScript names of WIT names, as jco's bindings spell them (the convention Keel's
 * providers and its API values follow): fields, flags and functions in lowerCamelCase,
 * resource classes in UpperCamelCase.
 */

/** `get-value` → `getValue`, `y-coord` → `yCoord`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `output-stream` → `OutputStream`. */
export function className(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** `countTrue` → `count-true` (jco's names back to WIT's). */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
