/**
 * The outgoing-HTTP grant: which requests a sandbox may make (rules of scheme, host, port,
 * method and path prefix), the caps on each, and the address policy every connection is held
 * to (no private, loopback, link-local, multicast or metadata address unless a rule names it).
 * Pure functions: the provider checks requests here before anything touches the network, and
 * the network thread checks every resolved address here before it connects.
 */
import type { z } from 'zod';
import { KeelError } from '../../kernel/errors.js';
import { lazySchema } from '../schema.js';
import type { AddressRange } from './addresses.js';

/** node:net's, loaded when first asked (a process that grants no HTTP never loads node:net). */
const isIP = (input: string): number => process.getBuiltinModule('node:net').isIP(input);

const KiB = 1024;
const MiB = 1024 * KiB;

/** Standard methods, as `wasi:http` names them (`other` methods must be listed by name). */
export const STANDARD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
];

const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const ruleSchema = (z: typeof import('zod').z) =>
  z
    .object({
      /** `http`, `https` (default: `https` only). */
      schemes: z.array(z.enum(['http', 'https'])).optional(),
      /** An exact host name or IP address, or `*.example.com` (any name below example.com). */
      host: z.string().min(1).max(253),
      /** Ports (default: the scheme's default port). */
      ports: z.array(z.number().int().min(1).max(65535)).optional(),
      /** Methods, upper case (default: every standard method). */
      methods: z
        .array(
          z
            .string()
            .regex(/^[A-Za-z-]+$/)
            .max(32),
        )
        .optional(),
      /** Path prefixes (default: any path). `/v1/` allows `/v1/x`, not `/v10`. */
      paths: z.array(z.string().startsWith('/').max(2048)).optional(),
      /**
       * Address ranges (CIDR, `10.0.0.0/8`, `::1/128`) this rule's host may resolve to even though
       * they are private, loopback, link-local or otherwise refused by default.
       */
      addresses: z.array(z.string().max(64)).optional(),
    })
    .strict();

export type HttpRule = z.infer<ReturnType<typeof ruleSchema>>;

export const httpScopeSchema = lazySchema((z) =>
  z
    .object({
      /** What may be requested; a rule may be a URL (`https://api.example.com/v1/`). Empty: nothing. */
      allow: z.array(z.union([z.string(), ruleSchema(z)])).default([]),
      /** Requests per invocation (redirect hops count). */
      maxRequests: z.number().int().min(0).max(10_000).default(16),
      /** Bytes of request body. */
      maxRequestBytes: z
        .number()
        .int()
        .min(0)
        .max(1024 * MiB)
        .default(1 * MiB),
      /** Bytes of response body. */
      maxResponseBytes: z
        .number()
        .int()
        .min(0)
        .max(1024 * MiB)
        .default(4 * MiB),
      /** Header fields in one request or response. */
      maxHeaders: z.number().int().min(0).max(10_000).default(64),
      /** Bytes of one header section (names and values). */
      maxHeaderBytes: z
        .number()
        .int()
        .min(0)
        .max(16 * MiB)
        .default(16 * KiB),
      /**
       * Bytes of header fields, request bodies and response bodies one sandbox may hold at once
       * (each object it keeps alive counts until it is dropped, sent or read).
       */
      maxHeldBytes: z
        .number()
        .int()
        .min(0)
        .max(4096 * MiB)
        .default(16 * MiB),
      /** Redirects followed by the host (each hop checked again); 0 hands 3xx responses to the guest. */
      maxRedirects: z.number().int().min(0).max(20).default(0),
      /** Time for one request, from connect to the last byte of the response, in milliseconds. */
      timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
      /** Header names whose values events never show. */
      redactHeaders: z
        .array(z.string())
        .default(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']),
    })
    .strict(),
);

export type HttpScopeInput = z.input<ReturnType<typeof httpScopeSchema>>;

/** A checked grant: rules in their normal form and the caps. */
export interface HttpPolicy {
  rules: NormalRule[];
  maxRequests: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  maxHeaders: number;
  maxHeaderBytes: number;
  maxHeldBytes: number;
  maxRedirects: number;
  timeoutMs: number;
  redactHeaders: ReadonlySet<string>;
}

export interface NormalRule {
  schemes: readonly ('http' | 'https')[];
  host: string;
  ports: readonly number[] | undefined;
  methods: readonly string[];
  paths: readonly string[] | undefined;
  /** Ranges this rule's host may resolve to although the address policy refuses them. */
  addresses: readonly AddressRange[];
}

export function parseHttpScope(scope: unknown): HttpPolicy {
  const parsed = httpScopeSchema().safeParse(scope ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeelError(
      'invalid-argument',
      `invalid scope for wasi:http/outgoing-handler: ${issue?.path.join('.') || 'scope'}: ${issue?.message}`,
      { interface: 'wasi:http/outgoing-handler' },
    );
  }
  const value = parsed.data;
  return {
    rules: value.allow.map(normalRule),
    maxRequests: value.maxRequests,
    maxRequestBytes: value.maxRequestBytes,
    maxResponseBytes: value.maxResponseBytes,
    maxHeaders: value.maxHeaders,
    maxHeaderBytes: value.maxHeaderBytes,
    maxHeldBytes: value.maxHeldBytes,
    maxRedirects: value.maxRedirects,
    timeoutMs: value.timeoutMs,
    redactHeaders: new Set(value.redactHeaders.map((h) => h.toLowerCase())),
  };
}

function invalidRule(rule: unknown, why: string): never {
  throw new KeelError('invalid-argument', `invalid HTTP rule ${JSON.stringify(rule)}: ${why}`, {
    interface: 'wasi:http/outgoing-handler',
  });
}

/** A URL rule (`https://api.example.com:8443/v1/`) or an object rule, in its normal form. */
function normalRule(input: string | HttpRule): NormalRule {
  let rule: HttpRule;
  if (typeof input === 'string') {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      invalidRule(input, 'not a URL (write it as https://host[:port][/path-prefix])');
    }
    const scheme = url.protocol.slice(0, -1);
    if (scheme !== 'http' && scheme !== 'https') invalidRule(input, 'the scheme must be http or https');
    if (url.username || url.password || url.search || url.hash) {
      invalidRule(input, 'a rule has no credentials, query or fragment');
    }
    rule = {
      schemes: [scheme],
      host: url.hostname.replace(/^\[|\]$/g, ''),
      ...(url.port ? { ports: [Number(url.port)] } : {}),
      ...(url.pathname !== '/' ? { paths: [url.pathname] } : {}),
    };
  } else {
    rule = input;
  }
  const host = rule.host.toLowerCase();
  if (!HOST.test(host) && isIP(host) === 0)
    invalidRule(input, `"${rule.host}" is not a host name or an IP address`);
  if (host.startsWith('*.') && host.split('.').length < 3) {
    invalidRule(input, 'a wildcard covers names below a domain of at least two labels (*.example.com)');
  }
  const addresses = (rule.addresses ?? []).map(
    (cidr) => parseCidr(cidr) ?? invalidRule(input, `"${cidr}" is not a CIDR range`),
  );
  // A rule for an IP literal names that address: it may be reached even when it is private.
  const family = isIP(host);
  if (family !== 0) addresses.push([host, family === 4 ? 32 : 128, family === 4 ? 'ipv4' : 'ipv6']);
  return {
    schemes: rule.schemes ?? ['https'],
    host,
    ports: rule.ports,
    methods: (rule.methods ?? STANDARD_METHODS).map((m) => m.toUpperCase()),
    paths: rule.paths,
    addresses,
  };
}

function parseCidr(text: string): AddressRange | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (rest.length > 0 || family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText ?? '').match(/^0\d/))
    return undefined;
  return [address!, prefix, family === 4 ? 'ipv4' : 'ipv6'];
}

/** What a request is, after the provider validated its parts. */
export interface RequestTarget {
  scheme: 'http' | 'https';
  /** Lower-case host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
  method: string;
  /** Path and query, starting with `/`. */
  pathWithQuery: string;
}

export function defaultPort(scheme: 'http' | 'https'): number {
  return scheme === 'https' ? 443 : 80;
}

/** The rule that allows `target`, if any. */
export function matchRule(policy: HttpPolicy, target: RequestTarget): NormalRule | undefined {
  const path = target.pathWithQuery.split('?')[0]!;
  return policy.rules.find(
    (rule) =>
      rule.schemes.includes(target.scheme) &&
      hostMatches(rule.host, target.host) &&
      (rule.ports ?? [defaultPort(target.scheme)]).includes(target.port) &&
      rule.methods.includes(target.method) &&
      (rule.paths === undefined || rule.paths.some((prefix) => pathUnder(path, prefix))),
  );
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** `/v1/` covers `/v1/x`; `/v1` covers `/v1` and `/v1/x`, never `/v10`. */
function pathUnder(path: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix) || path === prefix.slice(0, -1);
  return path === prefix || path.startsWith(`${prefix}/`);
}
