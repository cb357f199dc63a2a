import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema, parseManifest } from '../../host/index.js';

describe('manifest', () => {
  it('accepts a complete manifest and resolves sizes', () => {
    const manifest = parseManifest({
      name: 'resize',
      version: '1.2.0',
      capabilities: [
        'wasi:cli/stdout',
        { interface: 'wasi:cli/environment', scope: { env: { MODE: 'fast' } } },
      ],
      limits: { fuel: 1_000_000, memory: '16MiB', messageSize: '64KiB' },
    });
    expect(manifest.capabilities).toEqual([
      { interface: 'wasi:cli/stdout' },
      { interface: 'wasi:cli/environment', scope: { env: { MODE: 'fast' } } },
    ]);
    expect(manifest.limits).toEqual({ fuel: 1_000_000, memoryBytes: 16 * 1024 * 1024, messageBytes: 65536 });
  });

  it('reports every mistake with its path, one per line', () => {
    const attempt = () =>
      parseManifest(
        { name: 'Bad Name', version: 'one', capabilities: [42], limits: { memory: 'lots', colour: 'red' } },
        'plugin.json',
      );
    expect(attempt).toThrow(/plugin\.json is invalid/);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^ {2}name: lowercase letters/m);
      expect(message).toMatch(/^ {2}version: a semantic version/m);
      expect(message).toMatch(/^ {2}capabilities\.0: /m);
      expect(message).toMatch(/^ {2}limits\.memory: /m);
      expect(message).toMatch(/^ {2}limits: Unrecognized key.*colour/m);
      expect((error as { code?: string }).code).toBe('invalid-argument');
    }
  });

  it('carries a placement, and refuses one it does not know', () => {
    expect(parseManifest({ name: 'x', version: '1.0.0', placement: 'worker' }).placement).toBe('worker');
    expect(parseManifest({ name: 'x', version: '1.0.0' })).not.toHaveProperty('placement');
    expect(() => parseManifest({ name: 'x', version: '1.0.0', placement: 'cloud' })).toThrow(/placement/);
  });

  it('refuses an invalid capability name', () => {
    expect(() => parseManifest({ name: 'x', version: '1.0.0', capabilities: ['stdout please'] })).toThrow(
      /invalid grant/,
    );
  });

  it('publishes a JSON Schema for editors in docs/manifest.schema.json, kept current', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../docs/manifest.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(manifestJsonSchema());
  });
});
