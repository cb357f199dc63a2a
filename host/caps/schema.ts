/**
 * zod for the providers' scope schemas, the manifest's, the plan's and the event line's, loaded
 * when a schema is first used: most runs grant no scoped capability and parse no manifest, and
 * loading zod's hundred-odd modules costs more than the rest of a `keel run`'s start-up
 * (bench/results/startup-latest.md), 0.13 s of CPU in every process that imports the package.
 * A schema is built once, on first use.
 *
 * ```ts
 * const scopeSchema = lazySchema((z) => z.object({ peers: z.array(z.string()) }).strict());
 * scopeSchema().safeParse(input);
 * ```
 */
import { createRequire } from 'node:module';
import type { z as Zod } from 'zod';

type ZodNamespace = typeof Zod;

let zod: ZodNamespace | undefined;

/** zod's namespace, loaded on the first call (for `z.toJSONSchema` of a lazy schema). */
export function loadZod(): ZodNamespace {
  // Synchronously, as a provider's parseScope is: zod's CommonJS build.
  zod ??= (createRequire(import.meta.url)('zod') as { z: ZodNamespace }).z;
  return zod;
}

/** A schema built from zod on first use. */
export function lazySchema<T>(build: (z: ZodNamespace) => T): () => T {
  let schema: T | undefined;
  return () => {
    schema ??= build(loadZod());
    return schema;
  };
}
