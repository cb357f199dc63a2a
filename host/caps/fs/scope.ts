/**
 * The filesystem grant's scope: which directories the guest sees (its preopens), with which
 * permissions, and the quotas. Granted on `wasi:filesystem/preopens`:
 *
 * ```ts
 * { interface: 'wasi:filesystem/preopens', scope: {
 *     preopens: [
 *       { guest: '/data', host: '/srv/job-42', dirPerms: 'read-write', filePerms: 'read-write' },
 *       { guest: '/tmp' },                       // in-memory, private to the sandbox
 *     ],
 *     bytesWritten: 64 * 1024 * 1024, filesCreated: 10_000, openDescriptors: 256 } }
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { KeelError } from '../../kernel/errors.js';
import type { Grant } from '../../policy/grants.js';
import { lazySchema } from '../schema.js';
import { MAX_PATH_BYTES, utf8Length } from './path.js';

export const MiB = 1024 * 1024;

/** `read`: list and open (dirs), read (files). `read-write` adds create/remove/rename (dirs), write (files). */
export type Perms = 'read' | 'read-write';

const filesystemScopeSchema = lazySchema((z) => {
  const perms = z.enum(['read', 'read-write']);
  const guestPath = z
    .string()
    .min(1, 'a preopen needs a guest path')
    .refine((p) => !p.includes('\0'), 'a guest path cannot contain NUL')
    .refine((p) => utf8Length(p) <= MAX_PATH_BYTES, 'guest path too long');
  const preopen = z
    .object({
      /** The name the guest sees (`/data`, `.`). */
      guest: guestPath,
      /** The host directory; absent: an in-memory directory private to the sandbox. */
      host: z
        .string()
        .min(1)
        .refine((p) => !p.includes('\0'), 'a host path cannot contain NUL')
        .optional(),
      /** Default: `read` for host directories, `read-write` for in-memory ones. */
      dirPerms: perms.optional(),
      /** Default: as `dirPerms`. */
      filePerms: perms.optional(),
      /** Hard links in this preopen (see the scope's `hardLinks`); default: the scope's. */
      hardLinks: z.boolean().optional(),
    })
    .strict();
  return z
    .object({
      preopens: z.array(preopen).max(64).default([]),
      /** Bytes the sandbox may write over its life (writes, and growth by `set-size` or sparse writes). */
      bytesWritten: z
        .number()
        .int()
        .nonnegative()
        .default(64 * MiB),
      /** Files, directories and links the sandbox may create over its life. */
      filesCreated: z.number().int().nonnegative().default(10_000),
      /** Descriptors (files, directories, directory listings) open at once, preopens not counted. */
      openDescriptors: z.number().int().positive().max(65_536).default(256),
      /**
       * Allow opening files with more than one hard link, and creating links within one preopen;
       * the default for every preopen (each may say otherwise).
       */
      hardLinks: z.boolean().default(false),
    })
    .strict();
});

export type FilesystemScopeInput = z.input<ReturnType<typeof filesystemScopeSchema>>;

export interface Preopen {
  guest: string;
  /** Absolute host path, or undefined for an in-memory directory. */
  host: string | undefined;
  dirPerms: Perms;
  filePerms: Perms;
  /** Open files with several names and create links here (within this preopen only). */
  hardLinks: boolean;
}

export interface FilesystemScope {
  preopens: Preopen[];
  bytesWritten: number;
  filesCreated: number;
  openDescriptors: number;
  hardLinks: boolean;
}

/** Validate and normalize a scope; messages name the field at fault. */
export function parseFilesystemScope(iface: string, scope: unknown): FilesystemScope {
  const parsed = filesystemScopeSchema().safeParse(scope ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new KeelError('invalid-argument', `invalid scope for ${iface}${where}: ${issue?.message}`, {
      interface: iface,
    });
  }
  const seen = new Set<string>();
  const preopens = parsed.data.preopens.map((p): Preopen => {
    if (seen.has(p.guest)) {
      throw new KeelError(
        'invalid-argument',
        `invalid scope for ${iface}: guest path ${p.guest} is granted twice`,
        {
          interface: iface,
        },
      );
    }
    seen.add(p.guest);
    const fallback: Perms = p.host === undefined ? 'read-write' : 'read';
    const dirPerms = p.dirPerms ?? fallback;
    return {
      guest: p.guest,
      host: p.host === undefined ? undefined : resolve(p.host),
      dirPerms,
      filePerms: p.filePerms ?? dirPerms,
      hardLinks: p.hardLinks ?? parsed.data.hardLinks,
    };
  });
  return { ...parsed.data, preopens };
}

function dirSpecError(spec: string, why: string): KeelError {
  return new KeelError(
    'invalid-argument',
    `invalid --dir "${spec}": ${why}; use HOST::GUEST, HOST::GUEST:ro, HOST::GUEST:rw+links or HOST`,
    {
      value: spec,
    },
  );
}

/**
 * One `--dir` flag as a preopen: `HOST::GUEST` (read-write), `HOST::GUEST:ro` (read-only), or
 * `HOST` (the guest sees the same path). `+links` after the mode (`:rw+links`, `:ro+links`) grants
 * hard links in that preopen. The host path is made absolute against the CWD.
 */
export function parseDirSpec(spec: string): Preopen {
  if (typeof spec !== 'string' || spec.length === 0) throw dirSpecError(String(spec), 'empty');
  const sep = spec.lastIndexOf('::');
  let host = sep < 0 ? spec : spec.slice(0, sep);
  let guest = sep < 0 ? spec : spec.slice(sep + 2);
  let perms: Perms = 'read-write';
  let hardLinks = false;
  const mode = /:(ro|rw)(\+links)?$/.exec(guest);
  if (mode) {
    perms = mode[1] === 'ro' ? 'read' : 'read-write';
    hardLinks = mode[2] !== undefined;
    guest = guest.slice(0, -mode[0].length);
    if (sep < 0) host = guest;
  }
  if (host.length === 0) throw dirSpecError(spec, 'no host directory');
  if (guest.length === 0) throw dirSpecError(spec, 'no guest path');
  if (spec.includes('\0')) throw dirSpecError(spec, 'NUL in path');
  return {
    host: isAbsolute(host) ? host : resolve(host),
    guest,
    dirPerms: perms,
    filePerms: perms,
    hardLinks,
  };
}

/** `--dir` flags → one `wasi:filesystem/preopens` grant (one grant holds every preopen). */
export function parseDirFlags(
  specs: readonly string[],
  options: Partial<Omit<FilesystemScope, 'preopens'>> = {},
): Grant {
  // A preopen without `+links` follows the scope's `hardLinks` (default: none).
  const preopens = specs
    .map(parseDirSpec)
    .map(({ hardLinks, ...p }) => (hardLinks ? { ...p, hardLinks } : p));
  const scope = parseFilesystemScope('wasi:filesystem/preopens', { ...options, preopens });
  return { interface: 'wasi:filesystem/preopens', scope };
}

/** One `--dir` flag → a grant. Several flags: use `parseDirFlags`, since only one grant per interface applies. */
export function parseDirFlag(spec: string): Grant {
  return parseDirFlags([spec]);
}
