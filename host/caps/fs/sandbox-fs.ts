/**
 * One sandbox's filesystem state: its preopened roots, every host resource it holds open, its
 * quotas and counters, and the events Keel emits when it refuses an operation. Created on first
 * link, closed when the sandbox ends (every descriptor it still held is closed then).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EVENTS } from '../../events/names.js';
import { KeelError } from '../../kernel/errors.js';
import type { SandboxContext } from '../provider.js';
import { sandboxClock } from '../wasi-clocks.js';
import type { DirHandle } from './backend.js';
import { type FsError, fsError } from './errors.js';
import { type HostDir, hostDirectoriesSupported, openHostRoot, protectedPathOf } from './host.js';
import { MemoryFs } from './memory.js';
import type { FilesystemScope, Preopen } from './scope.js';

export interface Closeable {
  close(): void;
}

export interface PreopenRoot {
  /** Position in the scope's list: descriptors of one preopen may be linked together. */
  readonly index: number;
  readonly spec: Preopen;
  readonly root: DirHandle;
}

/** Denials reported as events per sandbox; past this they are only counted (a summary at the end). */
export const MAX_DENIAL_EVENTS = 64;
const MAX_EVENT_PATH = 256;

export class SandboxFs {
  readonly scope: FilesystemScope;
  readonly context: SandboxContext;
  readonly roots: readonly PreopenRoot[];
  bytesWritten = 0;
  filesCreated = 0;
  readonly #open = new Set<Closeable>();
  readonly #hashKey: Uint8Array;
  #denials = 0;
  #suppressed = 0;
  #closed = false;

  constructor(scope: FilesystemScope, context: SandboxContext) {
    this.scope = scope;
    this.context = context;
    this.#hashKey = context.deterministic
      ? new TextEncoder().encode(`keel-fs-${context.seed}`)
      : new Uint8Array(randomBytes(32));
    const clock = sandboxClock(context);
    const roots: PreopenRoot[] = [];
    context.onEnd(() => this.close());
    try {
      scope.preopens.forEach((spec, index) => {
        roots.push({ index, spec, root: this.#openRoot(spec, () => clock.wall()) });
      });
    } catch (error) {
      for (const r of roots) r.root.close();
      throw error;
    }
    this.roots = roots;
  }

  #openRoot(spec: Preopen, now: () => bigint): DirHandle {
    if (spec.host === undefined) return new MemoryFs(now).openRoot();
    if (!hostDirectoriesSupported()) {
      throw new KeelError(
        'capability-denied',
        `cannot grant host directory ${spec.host}: Keel needs Linux /proc/self/fd for descriptor-relative file access`,
        { host: spec.host, guest: spec.guest },
      );
    }
    let root: HostDir;
    try {
      root = openHostRoot(spec.host);
    } catch {
      throw new KeelError(
        'invalid-argument',
        `granted directory ${spec.host} is not an accessible directory`,
        {
          host: spec.host,
          guest: spec.guest,
        },
      );
    }
    if (spec.dirPerms === 'read' && spec.filePerms === 'read') return root;
    // Keel runs what its cache holds (metered modules, the CLI's code cache): a guest that could
    // write there would run its code as Keel later.
    const kept = protectedPathOf(root, this.context.protectedPaths);
    if (kept !== undefined) {
      root.close();
      throw new KeelError(
        'invalid-argument',
        `granted directory ${spec.host} would let the guest write Keel's cache directory ${kept}, whose code Keel runs: grant a directory that does not contain it, grant it read-only, or move the cache (KernelOptions.cacheDir, --cache-dir)`,
        { host: spec.host, guest: spec.guest, cacheDir: kept },
      );
    }
    return root;
  }

  /** Throws `quota` unless one more descriptor may be opened. */
  reserveDescriptor(op: string, path?: string): void {
    if (this.#open.size >= this.scope.openDescriptors) {
      throw this.deny(
        op,
        path,
        fsError('quota', 'quota', `open descriptors (limit ${this.scope.openDescriptors})`),
      );
    }
  }

  /** Track a host resource so that it is closed when the sandbox ends. */
  adopt<T extends Closeable>(resource: T): T {
    if (this.#closed) {
      resource.close();
      throw fsError('bad-descriptor');
    }
    this.#open.add(resource);
    return resource;
  }

  release(resource: Closeable): void {
    if (this.#open.delete(resource)) resource.close();
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Charge `bytes` against the write quota, or throw `quota`. */
  chargeBytes(op: string, bytes: number): void {
    if (bytes <= 0) return;
    this.mayWrite(op, bytes);
    this.bytesWritten += bytes;
  }

  /** `quota` unless `bytes` more may be written (`chargeBytes` without counting them). */
  mayWrite(op: string, bytes: number): void {
    if (this.bytesWritten + bytes > this.scope.bytesWritten) {
      throw this.deny(
        op,
        undefined,
        fsError('quota', 'quota', `bytes written (limit ${this.scope.bytesWritten})`),
      );
    }
  }

  /** Whether one more file, directory or link may be created. */
  mayCreate(): boolean {
    return this.filesCreated < this.scope.filesCreated;
  }

  quotaFiles(op: string, path: string): FsError {
    return this.deny(op, path, fsError('quota', 'quota', `files created (limit ${this.scope.filesCreated})`));
  }

  /** Record a refusal by Keel's policy as a `capability:denied` event; returns the error. */
  deny(op: string, path: string | undefined, error: FsError): FsError {
    if (!error.denial) return error;
    if (this.#denials >= MAX_DENIAL_EVENTS) {
      this.#suppressed++;
      return error;
    }
    this.#denials++;
    this.context.emit({
      event: EVENTS.capabilityDenied,
      level: 'warn',
      status: 'denied',
      data: {
        interface: 'wasi:filesystem/types',
        at: 'call',
        op,
        ...(path === undefined
          ? {}
          : { path: path.length > MAX_EVENT_PATH ? `${path.slice(0, MAX_EVENT_PATH)}…` : path }),
        reason: error.denial,
        code: error.code,
        ...(error.detail ? { detail: error.detail } : {}),
      },
    });
    return error;
  }

  /** A keyed hash: equal for the same object and metadata, revealing nothing of host inode numbers. */
  metadataHash(identity: string, size: bigint, mtime: bigint): { lower: bigint; upper: bigint } {
    const digest = createHmac('sha256', this.#hashKey).update(`${identity}|${size}|${mtime}`).digest();
    return { lower: digest.readBigUInt64LE(0), upper: digest.readBigUInt64LE(8) };
  }

  /** A stable 64-bit number for an object (preview1's `ino`), keyed like `metadataHash`. */
  inode(identity: string): bigint {
    return createHmac('sha256', this.#hashKey).update(`ino|${identity}`).digest().readBigUInt64LE(0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const resource of this.#open) resource.close();
    this.#open.clear();
    for (const root of this.roots ?? []) root.root.close();
    if (this.#suppressed > 0) {
      this.context.emit({
        event: EVENTS.capabilityDenied,
        level: 'warn',
        status: 'denied',
        data: { interface: 'wasi:filesystem/types', suppressed: this.#suppressed },
      });
    }
  }
}
