/**
 * An embedder's provider that declares no WIT types (`CapabilityProvider.wit`) serves whatever
 * types a component declares: the kernel says so at its start (`kernel:start`, level warn,
 * `data.untyped_providers`), and `requireProviderTypes` refuses such a provider outright
 * (docs/abi.md, "Import types"). A result of such a provider that does not fit is
 * `capability-denied` (test/hostile/abi/untyped-provider-value-mismatch).
 */
import { describe, expect, it } from 'vitest';
import type { CapabilityProvider } from '../../host/caps/provider.js';
import { keelKernelTypes } from '../../host/caps/wit-types.js';
import { BUILTIN_PROVIDERS, Kernel } from '../../host/index.js';

const UNTYPED: CapabilityProvider = { name: 'untyped', interfaces: ['example:x/y'], link: () => ({}) };
const TYPED: CapabilityProvider = {
  name: 'typed',
  interfaces: ['example:x/z'],
  wit: keelKernelTypes,
  link: () => ({}),
};

/** The kernel:start line a kernel with these options logs. */
async function start(options: ConstructorParameters<typeof Kernel>[0]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const kernel = new Kernel({
    cacheDir: false,
    ...options,
    log: { write: (chunk: string) => lines.push(chunk) },
  });
  await kernel.close();
  const events = lines
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return events.find((e) => e.event === 'kernel:start')!;
}

describe('providers without WIT types', () => {
  it('kernel:start names the embedder providers that declare no types, at warn', async () => {
    const event = await start({ providers: [UNTYPED, TYPED] });
    expect(event.level).toBe('warn');
    expect(event.data).toEqual({ deterministic: false, untyped_providers: ['untyped'] });
  });

  it('kernel:start stays at info when every embedder provider declares its types', async () => {
    const event = await start({ providers: [TYPED] });
    expect(event.level).toBe('info');
    expect(event.data).toEqual({ deterministic: false });
  });

  it('requireProviderTypes refuses an untyped provider, naming it', () => {
    expect(
      () => new Kernel({ cacheDir: false, providers: [TYPED, UNTYPED], requireProviderTypes: true }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid-argument',
        message: expect.stringContaining('provider untyped declares no WIT types'),
        details: { provider: 'untyped' },
      }),
    );
  });

  it("requireProviderTypes accepts typed providers (and Keel's own built-in ones)", async () => {
    const kernel = new Kernel({ cacheDir: false, providers: [TYPED], requireProviderTypes: true });
    await kernel.close();
  });

  it('requireProviderTypes refuses an untyped provider given among the built-in ones too', () => {
    expect(
      () =>
        new Kernel({
          cacheDir: false,
          builtinProviders: [...BUILTIN_PROVIDERS, UNTYPED],
          requireProviderTypes: true,
        }),
    ).toThrow(expect.objectContaining({ code: 'invalid-argument', details: { provider: 'untyped' } }));
  });

  it('kernel:start names an untyped provider among the built-in ones', async () => {
    const event = await start({ builtinProviders: [...BUILTIN_PROVIDERS, UNTYPED] });
    expect(event.level).toBe('warn');
    expect((event.data as Record<string, unknown>).untyped_providers).toEqual(['untyped']);
  });

  it('requireProviderTypes must be a boolean', () => {
    expect(() => new Kernel({ cacheDir: false, requireProviderTypes: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });
});
