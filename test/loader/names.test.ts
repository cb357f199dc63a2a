import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, nameProblem, showName } from '../../host/loader/names.js';

describe('name grammar', () => {
  it('accepts the names real toolchains write', () => {
    for (const name of [
      'greet',
      'count-true',
      'HTTP-client',
      'get-u8x2',
      '[constructor]output-stream',
      '[method]output-stream.blocking-write-and-flush',
      '[static]fields.from-list',
      'wasi:cli/stdout@0.2.3',
      'wasi:http/types@0.2.0-rc-2023-11-10',
      'docs:adder/add@0.1.0',
      'keel:kernel/log',
      'my-org:pkg/iface@1.0.0+build.5',
    ]) {
      expect(nameProblem(name, 'export'), name).toBeUndefined();
      expect(nameProblem(name, 'import'), name).toBeUndefined();
    }
    for (const name of [
      'cabi_realloc',
      'docs:adder/add@0.1.0#add',
      '[export]docs:adder/add',
      '[resource-drop]output-stream',
      '$root',
      '__main_module__',
      '0',
      'memory',
      'wasi_snapshot_preview1',
      'operator new(unsigned long)',
    ]) {
      expect(nameProblem(name, 'core'), name).toBeUndefined();
    }
  });

  it('refuses names outside the grammar', () => {
    for (const name of [
      '',
      'Greet-me-NOW',
      'a--b',
      '-a',
      'a_b',
      '1a',
      'a.b',
      '[method]r',
      'wasi:cli',
      'a:b/c@1',
      'url=<x>',
      // Nested namespaces and projections: gated future syntax (component-model extern-names.wast).
      'foo:bar:baz/qux',
      'foo:bar/baz/qux',
      'a:b:c:d/e/f@1.0.0',
    ]) {
      expect(nameProblem(name, 'export'), name).toBeDefined();
    }
    for (const name of [
      "a'b",
      'a"b',
      'a`b',
      'a\\b',
      '$' + '{x}',
      'a/*',
      '*/',
      'a//b',
      'a<!--b',
      'a-->b',
      'é',
      'a\u2028',
      'a\n',
      '\0',
    ]) {
      expect(nameProblem(name, 'core'), name).toBeDefined();
    }
    expect(nameProblem('a'.repeat(MAX_NAME_BYTES + 1), 'core')).toMatch(/longer than/);
    expect(nameProblem('a'.repeat(MAX_NAME_BYTES), 'label')).toBeUndefined();
  });

  it('shows a name escaped, on one line, shortened', () => {
    expect(showName("x'];\n\u2028")).toBe('"x\'];\\n\\u2028"');
    expect(showName('a'.repeat(200)).length).toBeLessThan(100);
  });
});
