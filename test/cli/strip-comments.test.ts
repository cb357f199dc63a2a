/**
 * The build's comment stripping (scripts/strip-comments.ts): the npm package's compiled ES
 * modules lose their comments, each line of code where it was, and nothing else changes; the
 * type declarations keep every doc comment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { stripComments } from '../../scripts/strip-comments.js';
import { ROOT } from './harness.js';

/** The code as esbuild reads it, comments and layout aside. */
const meaning = (code: string) =>
  transformSync(code, { format: 'esm', minify: true, legalComments: 'none' }).code;

describe('stripComments', () => {
  it('removes doc, block and line comments and keeps every line of code where it was', () => {
    const code = [
      '/**',
      ' * A doc comment.',
      ' */',
      'export function f(a, b) {',
      '    // A line comment.',
      '    return a + b; // after code',
      '    /* a block */',
      '}',
      '',
    ].join('\n');
    expect(stripComments(code)).toBe(
      ['', '', '', 'export function f(a, b) {', '', '    return a + b;', '', '}', ''].join('\n'),
    );
  });

  it('leaves text that looks like a comment in strings, templates and regular expressions', () => {
    const code = [
      'const a = \'// not a comment\', b = "/* nor this */";',
      `const t = \`/* kept */ $\{a /* in a substitution */ + b} // kept\`;`,
      'const r = /\\/*[/*]\\/\\//g, d = 4 / 2 / 1; // gone',
      'const s = `',
      '// a line of a template',
      '`;',
      '',
    ].join('\n');
    const stripped = stripComments(code);
    expect(stripped).toContain("'// not a comment'");
    expect(stripped).toContain('"/* nor this */"');
    expect(stripped).toContain(`\`/* kept */ $\{a /* in a substitution */ + b} // kept\``);
    expect(stripped).toContain('/\\/*[/*]\\/\\//g, d = 4 / 2 / 1;\n');
    expect(stripped).toContain('`\n// a line of a template\n`');
    expect(stripped).not.toContain('gone');
    expect(meaning(stripped)).toBe(meaning(code));
  });

  it('keeps a comment with code after it on its line, and the ones tools read', () => {
    const code = [
      'f(/* x */ 1);',
      '/*! a legal notice */',
      'const y = /* @__PURE__ */ g();',
      '/** @license MIT */',
      '//# sourceMappingURL=module.js.map',
    ].join('\n');
    expect(stripComments(code)).toBe(code);
  });

  it('keeps a line break a comment made: `return` before a comment spanning lines still ends there', () => {
    const code = 'function f() {\n    return /* one\n two */ 1;\n}\n';
    const stripped = stripComments(code);
    // The comment had code after it on its line: it stays, and so does what it means.
    expect(meaning(stripped)).toBe(meaning(code));
    const alone = 'function f() {\n    return /* one\n two */\n    1;\n}\n';
    expect(stripComments(alone)).toBe('function f() {\n    return\n\n    1;\n}\n');
    expect(meaning(stripComments(alone))).toBe(meaning(alone));
  });

  it("means the same as tsc's output for Keel's own modules, line for line", () => {
    const dir = join(ROOT, 'host/kernel');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    let removed = 0;
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8');
      const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext };
      const js = ts.transpileModule(source, { compilerOptions: options }).outputText;
      const stripped = stripComments(js, file);
      expect(stripped.split('\n').length, file).toBe(js.split('\n').length);
      expect(meaning(stripped), file).toBe(meaning(js));
      removed += js.length - stripped.length;
    }
    expect(removed).toBeGreaterThan(0);
  });
});

describe("the build's modules", () => {
  it('carry no doc comments, while their type declarations keep them', () => {
    const js = readFileSync(join(ROOT, 'dist/host/kernel/kernel.js'), 'utf8');
    const dts = readFileSync(join(ROOT, 'dist/host/kernel/kernel.d.ts'), 'utf8');
    expect(js).toContain('class Kernel');
    expect(js).not.toMatch(/^\s*(\/\*\*|\/\/ )/m);
    expect(dts).toMatch(/^\s*\/\*\* .+\*\/$/m);
    expect(dts).toContain('class Kernel');
  });
});
