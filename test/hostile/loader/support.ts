/**
 * Shared by the name-injection attacks: injection payloads that set a marker on `globalThis`
 * if they ever run as code, and a component-text builder that writes any name byte by byte.
 */
import { readdirSync } from 'node:fs';
import { parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { expect } from 'vitest';
import { Kernel } from '../../../host/index.js';
import type { GeneratorId } from '../../../host/loader/transpile.js';
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
 * Load `bytes` with each generator: it must be `invalid-module` naming where the bad name was,
 * no marker may be set, and nothing may have been transpiled or cached.
 */
export async function expectRefused(bytes: Uint8Array, where: RegExp): Promise<void> {
  for (const generator of ['jco-1.12.0', 'jco-transpile-0.3.9'] as GeneratorId[]) {
    const cacheDir = tempCacheDir();
    const kernel = new Kernel({ cacheDir, generator });
    try {
      const failure = await kernel.load(bytes).then(
        () => undefined,
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(failure?.code, `generator ${generator}`).toBe('invalid-module');
      expect(failure?.message).toMatch(where);
      expect(kernel.loaderStats.transpiles).toBe(0);
      expect(readdirSync(cacheDir)).toEqual([]);
      expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
    } finally {
      await kernel.close();
    }
  }
}
