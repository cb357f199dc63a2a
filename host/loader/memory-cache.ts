/**
 * The loader's memory of what it loaded: planned and compiled modules by key, least recently used
 * first, bounded by entries and by bytes (the sizes of the modules as given to `load`). An
 * embedder that loads many distinct modules (a plugin host loading user uploads) kept every one
 * for the kernel's life before (redteam17); past either bound the least recently used is
 * forgotten. A forgotten entry is loaded again on its next use (from the disk cache, or from its
 * bytes); what already holds its `LoadedModule` (a `ModuleHandle`, its sandboxes) keeps it.
 */

/** How much the loader keeps in memory (`KernelOptions.moduleCache`; defaults in host/kernel/limits.ts). */
export interface MemoryCacheLimits {
  /** Loaded modules kept; 0 keeps none. */
  entries: number;
  /** Their sizes as given to `load`, together; a module larger than this is not kept. */
  bytes: number;
}

export class MemoryCache<T> {
  /** In order of use, the least recent first (a `Map` keeps insertion order). */
  readonly #entries = new Map<string, { value: T; bytes: number }>();
  #bytes = 0;
  /** Entries forgotten to stay within the bounds. */
  evictions = 0;

  constructor(readonly limits: Readonly<MemoryCacheLimits>) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Bytes of the entries kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry, now the most recently used. */
  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keep `value` (the most recent), forgetting the least recent past the bounds. */
  set(key: string, value: T, bytes: number): void {
    this.delete(key);
    if (this.limits.entries === 0 || bytes > this.limits.bytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.limits.entries && this.#bytes <= this.limits.bytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
      this.evictions++;
    }
  }

  /** Forget `key`, or only while it still holds `value` (a failed load: its entry may be another's by now). */
  delete(key: string, value?: T): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || (value !== undefined && entry.value !== value)) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
