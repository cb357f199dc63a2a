/**
 * Attack: a data segment far larger than anything the sandbox could hold, or one that claims
 * more bytes than the module has. Both are refused with `invalid-module` before any copy.
 */
import { expect, it } from 'vitest';
import { meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { concat, section, thrown, uleb } from '../../meter/support.js';

it('huge data segment: over maxDataSegmentBytes is invalid-module', async () => {
  const bytes = await watFile('guests/wat/hostile/meter/huge-data-segment.wat');
  expect(() => meterModule(bytes)).not.toThrow();
  const error = thrown(() => meterModule(bytes, { maxDataSegmentBytes: 1024 }));
  expect(error.code).toBe('invalid-module');
  expect(error.details).toEqual({ segment: 0, size: 4096, limit: 1024 });
});

it('huge data segment: by default, larger than the largest memory is refused', () => {
  // A module whose one data segment is 8 MiB; the memory cap is 64 pages (4 MiB).
  const size = 8 * 1024 * 1024;
  const data = new Uint8Array(size + 16);
  const header = [1, 0, 0x41, 0, 0x0b, ...uleb(size)];
  data.set(header);
  const module = concat([
    Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0),
    section(5, [1, 0, 1]),
    section(11, data.subarray(0, header.length + size)),
  ]);
  const start = performance.now();
  expect(thrown(() => meterModule(module, { maxMemoryPages: 64 })).code).toBe('invalid-module');
  expect(performance.now() - start).toBeLessThan(500);
});

it('huge data segment: a length past the end of the module is invalid-module, without allocating it', () => {
  const module = concat([
    Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0),
    section(5, [1, 0, 1]),
    section(11, [1, 0, 0x41, 0, 0x0b, ...uleb(0xffff_fff0), 1, 2, 3]),
  ]);
  expect(thrown(() => meterModule(module)).code).toBe('invalid-module');
});
