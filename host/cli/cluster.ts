/**
 * `keel cluster`: a lattice seen from the command line (docs/cluster.md).
 *
 * - `keel cluster status`: listen to the lattice's heartbeats for a moment (checked as any host
 *   checks them: a trusted host, its signature, the subject, the clock, replays) and print the
 *   hosts heard: labels, sandboxes, load, services, when each was last heard; the trusted hosts
 *   not heard; the frames refused, with what to fix.
 * - `keel cluster keygen`: make a host's Ed25519 key pair: the private key in a file only its
 *   owner may read (0600, never printed), the public key beside it and on stdout.
 */
import { closeSync, constants, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HOST_ID } from '../cluster/envelope.js';
import { joinLattice, type Lattice } from '../cluster/lattice.js';
import { generateHostKey } from '../cluster/trust.js';
import { Kernel } from '../default-kernel.js';
import { KeelError } from '../kernel/errors.js';
import { parseDuration } from '../policy/duration.js';
import { type CommandArgs, runCommand } from './command.js';
import { readClusterCredentials } from './credentials.js';
import { EXIT_GUEST_FAILED, EXIT_OK, printJson, stdout, styles } from './output.js';

const { bold, dim, green, yellow } = styles(stdout);

export const CLUSTER_HELP = `Usage: keel cluster <status|keygen> [options]

See and prepare the hosts of a lattice (docs/cluster.md).

  keel cluster status --cluster <nats-url,...> --cluster-credentials <file.json>
      List the hosts of the lattice as their heartbeats say: labels,
      sandboxes, load, services, when each was last heard. Listens until
      every trusted host was heard, or --wait passes.
      --wait <duration>  How long to listen at most (default 3s)
      --json             One JSON object on stdout
      Exit status: 0 every trusted host was heard, 1 some were not,
      2 bad invocation, unreadable credentials, or no server reachable.

  keel cluster keygen <host-id> [--dir <dir>] [--lattice <name>]
      Make an Ed25519 key pair for a host: <dir>/<host-id>.key (the
      private key, mode 0600, never printed) and <dir>/<host-id>.pub (the
      public key, for the other hosts' "peers"). With --lattice, also a
      credentials file <dir>/<host-id>.json naming both. Never overwrites.
      --json             One JSON object on stdout

Examples:
  keel cluster keygen host-a --dir keys --lattice prod
  keel cluster status --cluster nats://127.0.0.1:4222 --cluster-credentials keys/host-a.json
`;

const FLAGS = {
  cluster: { type: 'string' },
  'cluster-credentials': { type: 'string' },
  wait: { type: 'string' },
  dir: { type: 'string' },
  lattice: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function clusterCommand(argv: string[]): Promise<number> {
  return runCommand(
    { name: 'cluster', help: CLUSTER_HELP, flags: FLAGS },
    argv,
    async (args) => {
      const [sub, ...rest] = args.positionals;
      if (sub === 'status') return status(args, rest);
      if (sub === 'keygen') return keygen(args, rest);
      throw new KeelError(
        'invalid-argument',
        sub === undefined
          ? 'name a subcommand: status or keygen (see `keel cluster --help`)'
          : `unknown subcommand "${sub}": status or keygen (see \`keel cluster --help\`)`,
      );
    },
    hint,
  );
}

/** What to do about a failure, by its reason. */
function hint(failure: KeelError): string {
  switch ((failure.details as { reason?: string }).reason) {
    case 'unreachable':
      return 'is a nats-server running there? start one with `nats-server -a 127.0.0.1 -p 4222`, or give the right URL to --cluster';
    case 'unauthorized':
      return 'the server refused the connection: put the NATS user and password ("auth": { "user", "pass" }) or token ("auth": { "token" }) in the credentials file';
    case 'credentials':
      return '`keel cluster keygen <host-id> --lattice <name>` writes a key pair and a credentials file to start from';
    default:
      return 'see `keel cluster --help`';
  }
}

interface HostRow {
  host: string;
  state: 'up' | 'down' | 'not-heard';
  labels: Record<string, string>;
  sandboxes: number;
  fuelPerSec: number;
  rssBytes: number;
  services: { id: string; path?: string }[];
  /** ms since its last heartbeat (absent when not heard). */
  lastHeartbeatMs?: number;
  /** Its last heartbeat's age by its own timestamp when it arrived (clock difference and transit). */
  clockLagMs?: number;
}

async function status(args: CommandArgs, rest: string[]): Promise<number> {
  const { values } = args;
  if (rest.length > 0) throw new KeelError('invalid-argument', `unexpected argument "${rest[0]}"`);
  if (values.cluster === undefined || values['cluster-credentials'] === undefined) {
    throw new KeelError(
      'invalid-argument',
      'keel cluster status needs --cluster <nats-url> and --cluster-credentials <file.json> (see `keel cluster --help`)',
    );
  }
  const waitMs = values.wait === undefined ? 3_000 : parseDuration(values.wait as string);
  const options = await readClusterCredentials(
    values['cluster-credentials'] as string,
    values.cluster as string,
    { needPrivateKey: false },
  );
  const { trusted, ...join } = options;
  if (trusted.length === 0) {
    throw new KeelError(
      'invalid-argument',
      `${values['cluster-credentials']}: "peers" is empty: status lists only the hosts whose public keys it is given`,
      { reason: 'credentials' },
    );
  }
  // Listening needs no key of its own (it signs nothing): a throwaway one when none is given.
  if (!join.credentials.privateKey) join.credentials.privateKey = generateHostKey().privateKey;
  const kernel = new Kernel({ cacheDir: false });
  let lattice: Lattice | undefined;
  const started = performance.now();
  try {
    // The observer's own id only names its connection; it announces nothing.
    lattice = await joinLattice(kernel, {
      ...join,
      hostId: `${join.hostId}-status`.slice(0, 64),
      observe: true,
    });
    const heard = () => new Set(lattice!.hosts().map((h) => h.host));
    while (performance.now() - started < waitMs && !trusted.every((h) => heard().has(h))) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const seen = new Map(lattice.hosts().map((h) => [h.host, h]));
    const rows: HostRow[] = trusted.sort().map((host) => {
      const h = seen.get(host);
      if (!h)
        return {
          host,
          state: 'not-heard',
          labels: {},
          sandboxes: 0,
          fuelPerSec: 0,
          rssBytes: 0,
          services: [],
        };
      return {
        host,
        state: h.state,
        labels: h.labels,
        sandboxes: h.load.sandboxes,
        fuelPerSec: h.load.fuelPerSec,
        rssBytes: h.load.rssBytes,
        services: h.services.map(([id, path]) => (path ? { id, path } : { id })),
        lastHeartbeatMs: h.silentMs,
        clockLagMs: h.lagMs,
      };
    });
    const refused = lattice.rejections();
    const ok = rows.every((r) => r.state === 'up');
    const waited = Math.round(performance.now() - started);
    if (args.json) {
      printJson({
        ok,
        lattice: join.lattice,
        servers: join.servers,
        waited_ms: waited,
        hosts: rows,
        rejected: refused,
      });
    } else {
      printStatus(join.lattice, rows, refused, waited, values['cluster-credentials'] as string);
    }
    return ok ? EXIT_OK : EXIT_GUEST_FAILED;
  } finally {
    await lattice?.close();
    await kernel.close();
  }
}

function printStatus(
  name: string,
  rows: HostRow[],
  refused: { reason: string; host?: string; count: number }[],
  waited: number,
  file: string,
): void {
  const out = (line: string) => stdout.write(`${line}\n`);
  const up = rows.filter((r) => r.state === 'up').length;
  out(
    `${bold(`lattice ${name}`)}: ${up} of ${rows.length} trusted hosts heard ${dim(`(listened ${waited} ms)`)}`,
  );
  const header = ['host', 'state', 'labels', 'sandboxes', 'fuel/s', 'rss', 'last heartbeat', 'services'];
  const table = rows.map((r) => [
    r.host,
    r.state,
    Object.entries(r.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '-',
    r.state === 'not-heard' ? '-' : String(r.sandboxes),
    r.state === 'not-heard' ? '-' : String(r.fuelPerSec),
    r.state === 'not-heard' ? '-' : `${Math.round(r.rssBytes / 1048576)} MiB`,
    r.lastHeartbeatMs === undefined ? 'never' : `${r.lastHeartbeatMs} ms ago`,
    r.services.map((s) => (s.path ? `${s.path} (${s.id})` : s.id)).join(' ') || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  out(dim(line(header)));
  for (const [i, row] of table.entries()) {
    const text = line(row);
    out(rows[i]!.state === 'up' ? text.replace(' up ', ` ${green('up')} `) : yellow(text));
  }
  for (const r of rows) {
    if (r.clockLagMs !== undefined && Math.abs(r.clockLagMs) > 2_000) {
      out(
        `${yellow('note')}: ${r.host}'s last heartbeat was ${r.clockLagMs} ms old by its own clock: its clock and this one disagree, or the heartbeat was replayed`,
      );
    }
  }
  for (const r of refused) {
    const why =
      r.reason === 'bad-signature'
        ? `the public key given for ${r.host} in ${file} is not the key it signs with`
        : r.reason === 'unknown-host'
          ? `${r.host ?? 'a host'} is not among the peers of ${file}: add its public key to trust it`
          : r.reason === 'stale'
            ? `${r.host}'s clock and this one disagree by more than skewMs`
            : 'see docs/cluster.md, On the receiving side';
    out(`${yellow('note')}: ${r.count} heartbeat${r.count === 1 ? '' : 's'} refused (${r.reason}): ${why}`);
  }
  if (up < rows.length && refused.length === 0) {
    out(
      dim(
        `  a host not heard is down, or not in lattice "${name}", or on another server: check its --cluster and its credentials' "lattice"`,
      ),
    );
  }
}

async function keygen(args: CommandArgs, rest: string[]): Promise<number> {
  const { values } = args;
  const [host, ...extra] = rest;
  if (host === undefined || extra.length > 0) {
    throw new KeelError('invalid-argument', 'give exactly one host id: keel cluster keygen <host-id>');
  }
  if (!HOST_ID.test(host)) {
    throw new KeelError(
      'invalid-argument',
      `invalid host id "${host.slice(0, 80)}": use letters, digits, - and _ (at most 64)`,
    );
  }
  const lattice = values.lattice as string | undefined;
  if (lattice !== undefined && !HOST_ID.test(lattice)) {
    throw new KeelError(
      'invalid-argument',
      `invalid lattice name "${lattice.slice(0, 80)}": use letters, digits, - and _ (at most 64)`,
    );
  }
  const dir = resolve((values.dir as string | undefined) ?? '.');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, `${host}.key`);
  const pubFile = join(dir, `${host}.pub`);
  const credFile = join(dir, `${host}.json`);
  for (const file of [keyFile, pubFile, ...(lattice ? [credFile] : [])]) {
    if (existsSync(file))
      throw new KeelError('invalid-argument', `${file} already exists: keygen never overwrites a key`);
  }
  const { privateKey, publicKey } = generateHostKey();
  // Created, not opened: O_EXCL refuses a file (or a link) that appeared since, and no mode but
  // the owner's is ever set on the private key.
  writeNew(keyFile, privateKey, 0o600);
  writeNew(pubFile, publicKey, 0o644);
  if (lattice) {
    writeNew(
      credFile,
      `${JSON.stringify({ lattice, hostId: host, privateKeyFile: `${host}.key`, peers: {} }, null, 2)}\n`,
      0o600,
    );
  }
  if (args.json) {
    printJson({
      ok: true,
      host,
      privateKeyFile: keyFile,
      publicKeyFile: pubFile,
      publicKey,
      ...(lattice ? { credentialsFile: credFile } : {}),
    });
  } else {
    const out = (line: string) => stdout.write(`${line}\n`);
    out(`${green('made')} the key pair of host ${bold(host)}:`);
    out(`  private key  ${keyFile} ${dim('(mode 0600: keep it on this host)')}`);
    out(
      `  public key   ${pubFile} ${dim('(give it to the hosts that should trust this one, in their "peers")')}`,
    );
    if (lattice)
      out(
        `  credentials  ${credFile} ${dim(`(lattice ${lattice}; add the other hosts' .pub files to "peers")`)}`,
      );
    out('');
    stdout.write(publicKey);
  }
  return EXIT_OK;
}

function writeNew(file: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      mode,
    );
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new KeelError(
      'invalid-argument',
      `cannot create ${file} (${code ?? message}): keygen never overwrites a key`,
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
