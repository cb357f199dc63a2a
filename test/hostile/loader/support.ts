/**
 * Shared by the name-injection attacks: injection payloads that set a marker on `globalThis`
 * if they ever run as code, and a component-text builder that writes any name byte by byte.
 */
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { tempCacheDir } from '../../helpers/components.js';

export const MARKER = '__keelInjected';

/** Names that close a string, a template or a comment in generated JavaScript, and friends. */
export const INJECTIONS: readonly string[] = [
  `x'];globalThis.${MARKER}=1;//`,
  `x"];globalThis.${MARKER}=1;//`,
  `x\`+(globalThis.${MARKER}=1)+\``,
  `\${globalThis.${MARKER}=1}`,
  `x\\'];globalThis.${MARKER}=1;//`,
  `*/globalThis.${MARKER}=1;/*`,
  `x\u2028globalThis.${MARKER}=1;//`,
  `x\u2029globalThis.${MARKER}=1;//`,
  `x\nglobalThis.${MARKER}=1;//`,
  `x\rglobalThis.${MARKER}=1;//`,
  `x\0y`,
  `<!--x`,
  `é`,
  'a'.repeat(5000),
];

/** A WAT string literal holding exactly the UTF-8 bytes of `text`. */
export function watString(text: string): string {
  return `"${[...new TextEncoder().encode(text)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}"`;
}

export async function componentText(text: string): Promise<Uint8Array> {
  return parse(text);
}

/**
 * Load `bytes`: it must be `invalid-module` naming where the bad name was, no marker may be
 * set, and nothing may have been planned, compiled or cached.
 */
export async function expectRefused(bytes: Uint8Array, where: RegExp): Promise<void> {
  const cacheDir = tempCacheDir();
  const kernel = new Kernel({ cacheDir });
  try {
    const failure = await kernel.load(bytes).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(failure?.code).toBe('invalid-module');
    expect(failure?.message).toMatch(where);
    expect(kernel.loaderStats).toMatchObject({ plans: 0, compiles: 0 });
    expect(readdirSync(cacheDir)).toEqual([]);
    expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  } finally {
    await kernel.close();
  }
}
