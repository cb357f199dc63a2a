/**
 * The host's side of the SDK probe (docs/sdk-probe.md), shared by its test
 * (test/sdk/probe.test.ts) and the SDK bench (bench/sdk.ts): the provider of
 * `keel:sdk-probe/types` that echoes every value and holds the host's `counter`, and the
 * grants a probe is spawned with.
 */
import type { CapabilityProvider, GrantInput } from '../../host/index.js';

/** Every guest language with a committed probe in guests/sdk-probe/<lang>/. */
export const PROBE_LANGUAGES = ['c', 'rust', 'js', 'ts'] as const;
export type ProbeLanguage = (typeof PROBE_LANGUAGES)[number];

/** The host's counter: the resource the probe's `counter` command uses. */
export class Counter {
  #value: number;
  constructor(start: number) {
    this.#value = start;
  }
  add(n: number): number {
    this.#value = (this.#value + n) >>> 0;
    return this.#value;
  }
  value(): number {
    return this.#value;
  }
  static merge(a: Counter, b: Counter): Counter {
    return new Counter(a.value() + b.value());
  }
}

const echo = <T>(v: T): T => v;

/** `keel:sdk-probe/types` served by the host: every function returns its argument. */
export const probeTypes: CapabilityProvider = {
  name: 'sdk-probe',
  interfaces: ['keel:sdk-probe/types'],
  authorityFree: ['keel:sdk-probe/types'],
  link: () => ({
    Counter,
    echoScalars: echo,
    echoString: echo,
    echoBytes: echo,
    echoStrings: echo,
    echoPoints: echo,
    echoNested: echo,
    echoShape: echo,
    echoColor: echo,
    echoPerms: echo,
    echoOption: echo,
    echoOptionOption: echo,
    echoResult: (v: { tag: string; val: unknown }) => {
      if (v.tag === 'err') throw { payload: v.val };
      return v.val;
    },
    echoResultEmpty: (v: { tag: string }) => {
      if (v.tag === 'err') throw { payload: undefined };
    },
    echoTuple: echo,
    echoMany: (...args: unknown[]) => args[16],
  }),
};

/**
 * What a probe is spawned with: the kernel's interfaces scoped to `/probe/*` and `probe.*`, one
 * environment variable, `dir` preopened read-write as `/data`, exit and the standard streams
 * (wasi-libc's and Rust std's start-up import them through the preview1 adapter; a JavaScript
 * guest's engine imports them with `wasi:cli`).
 */
export function probeGrants(dir: string): GrantInput[] {
  return [
    'keel:kernel/log',
    { interface: 'keel:kernel/ipc', scope: { peers: ['/probe/*'] } },
    { interface: 'keel:kernel/events', scope: { publish: ['probe.*'], subscribe: ['probe.*'] } },
    { interface: 'wasi:cli/environment', scope: { env: { PROBE_GREETING: 'hello from the host' } } },
    {
      interface: 'wasi:filesystem/preopens',
      scope: {
        preopens: [{ guest: '/data', host: dir, dirPerms: 'read-write', filePerms: 'read-write' }],
      },
    },
    'wasi:cli/exit',
    'wasi:cli/stdout',
    'wasi:cli/stderr',
    'wasi:cli/stdin',
  ];
}
