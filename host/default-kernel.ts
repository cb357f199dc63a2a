/**
 * The `Kernel` of the public entry: `host/kernel`'s kernel with Keel's built-in providers
 * (`host/caps/index.ts`) handed in, unless the embedder passes `builtinProviders` itself. The
 * kernel knows the provider interface, never the list (docs/architecture.md, "Layers").
 */
import { BUILTIN_PROVIDERS } from './caps/index.js';
import { Kernel as KernelCore, type KernelOptions } from './kernel/kernel.js';

export class Kernel extends KernelCore {
  constructor(options: KernelOptions = {}) {
    super(
      options.builtinProviders === undefined ? { ...options, builtinProviders: BUILTIN_PROVIDERS } : options,
    );
  }
}
