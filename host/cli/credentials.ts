/**
 * A host's cluster credentials file (`keel up --cluster-credentials`, `keel cluster status`),
 * JSON:
 *
 *   { "lattice": "prod", "hostId": "host-a",
 *     "privateKeyFile": "host-a.key",            (or "privateKey": "-----BEGIN PRIVATE KEY-----…")
 *     "peers": { "host-b": "host-b.pub" },       (a file, or the PEM itself)
 *     "labels": { "zone": "eu" }, "accept": false,
 *     "auth": { "user": "…", "pass": "…" } }      (or { "token": "…" }: NATS's own authentication)
 *
 * Files are relative to the credentials file. A private key file must be readable by its owner
 * only (mode 0600, as `keel cluster keygen` writes it): one that others may read is refused, as
 * ssh refuses such a key. Errors say what to change; they never quote a key.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LatticeOptions } from '../cluster/lattice.js';
import type { PeerKey } from '../cluster/trust.js';
import { KeelError } from '../kernel/errors.js';

const PEM = /^-----BEGIN [A-Z ]+-----/;

/** Read a credentials file into the options of `joinLattice` (servers given apart). */
export async function readClusterCredentials(
  file: string,
  servers: string,
  options: { needPrivateKey?: boolean } = {},
): Promise<LatticeOptions & { trusted: string[] }> {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new KeelError(
      'invalid-argument',
      `cannot read the cluster credentials ${file} (${code ?? message}); make a key pair and a credentials file with \`keel cluster keygen <host-id> --lattice <name>\``,
      { reason: 'credentials' },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw bad(file, 'it must be a JSON object');
  }
  const base = dirname(resolve(file));
  const text = (key: string) => {
    if (typeof data[key] !== 'string' || data[key] === '') throw bad(file, `"${key}" must be a string`);
    return data[key] as string;
  };
  if (typeof data.peers !== 'object' || data.peers === null || Array.isArray(data.peers)) {
    throw bad(file, '"peers" must map host ids to public keys (PEM text, or a .pub file)');
  }
  const peers: Record<string, PeerKey> = {};
  const keyOf = (value: string, field: string) =>
    PEM.test(value) ? value : readKeyFile(resolve(base, value), file, field, false);
  for (const [host, value] of Object.entries(data.peers as Record<string, unknown>)) {
    if (typeof value === 'string' && value !== '') peers[host] = keyOf(value, `peers."${host}"`);
    else if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { key?: unknown }).key === 'string' &&
      ((value as { labels?: unknown }).labels === undefined ||
        (typeof (value as { labels?: unknown }).labels === 'object' &&
          (value as { labels?: unknown }).labels !== null))
    ) {
      const { key, labels } = value as { key: string; labels?: Record<string, string> };
      peers[host] = { key: keyOf(key, `peers."${host}".key`), ...(labels ? { labels } : {}) };
    } else {
      throw bad(file, `peers."${host}" must be a public key (PEM or a .pub file) or { "key", "labels" }`);
    }
  }
  let privateKey: string | undefined;
  if (typeof data.privateKey === 'string') privateKey = data.privateKey;
  else if (typeof data.privateKeyFile === 'string')
    privateKey = readKeyFile(resolve(base, data.privateKeyFile), file, '"privateKeyFile"', true);
  else if (options.needPrivateKey !== false) {
    throw bad(file, 'give "privateKeyFile" (a file `keel cluster keygen` wrote) or "privateKey"');
  }
  let auth: LatticeOptions['auth'];
  if (data.auth !== undefined) {
    const a = data.auth as Record<string, unknown>;
    if (
      typeof a !== 'object' ||
      a === null ||
      Array.isArray(a) ||
      !Object.entries(a).every(([k, v]) => ['user', 'pass', 'token'].includes(k) && typeof v === 'string')
    ) {
      throw bad(file, '"auth" must be { "user", "pass" } or { "token" } (strings)');
    }
    auth = a as LatticeOptions['auth'];
  }
  return {
    servers: servers
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    lattice: text('lattice'),
    hostId: text('hostId'),
    credentials: { privateKey: privateKey ?? '', peers },
    trusted: Object.keys(peers),
    ...(typeof data.labels === 'object' && data.labels !== null
      ? { labels: data.labels as Record<string, string> }
      : {}),
    ...(data.accept === true ? { accept: true } : {}),
    ...(auth ? { auth } : {}),
  };
}

function bad(file: string, what: string): KeelError {
  return new KeelError('invalid-argument', `${file}: ${what} (see docs/cluster.md, Credentials)`, {
    reason: 'credentials',
  });
}

/** A key file's PEM; a private key's file must be its owner's alone. */
function readKeyFile(path: string, file: string, field: string, secret: boolean): string {
  let text: string;
  try {
    if (secret) {
      const mode = statSync(path).mode;
      if ((mode & 0o077) !== 0) {
        throw new KeelError(
          'invalid-argument',
          `${file}: ${field} ${path} may be read by other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}): run \`chmod 600 ${path}\``,
          { reason: 'credentials' },
        );
      }
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof KeelError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw bad(file, `${field}: cannot read ${path} (${code ?? message})`);
  }
  if (!PEM.test(text.trimStart())) throw bad(file, `${field}: ${path} is not a PEM key`);
  return text;
}
