/**
 * `npm run build`'s step between tsc and the bundles: the comments of the compiled ES modules
 * that the npm package ships (dist/host, dist/scripts/sdk, dist/scripts/as-sdk) go, about a
 * fifth of their bytes. Their doc comments are read where they belong: in the sources and in the
 * type declarations (`.d.ts`), which tsc writes with every doc comment and which this leaves
 * alone, as TypeScript users read them in their editors.
 *
 * Lines stay where they were: a comment on lines of its own leaves those lines empty, and a
 * comment after code on its line goes with the spaces before it, so the line and column of
 * every piece of code, in a stack trace or through the source maps tsc wrote, are unchanged.
 * A comment with code after it on its line stays (it would move that code), as do the ones a
 * tool reads: `/*!` and `@license` or `@preserve` notices, `#__PURE__`-style annotations and
 * `sourceMappingURL`.
 *
 * Comments are found by TypeScript's parser (a devDependency, as tsc is), in the trivia before
 * and after its nodes, so that a `//` or `/*` inside a string, a template or a regular
 * expression is never taken for one.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Comments a tool reads: kept. */
const KEPT = /^\/\*!|@license|@preserve|[@#]__(PURE|NO_SIDE_EFFECTS)__|^\/\/# sourceMappingURL=/;

/** `text` without its comments, each line where it was (see the file's comment). */
export function stripComments(text: string, fileName = 'module.js'): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const comments = new Map<number, number>();
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) comments.set(r.pos, r.end);
  };
  // Each position where trivia starts: a node's or a list's start and end (the parser's, not
  // its tokens': a comment found nowhere else, such as one between `return` and `;`, stays).
  const at = (range: ts.TextRange) => {
    collect(ts.getLeadingCommentRanges(text, range.pos));
    collect(ts.getTrailingCommentRanges(text, range.end));
    collect(ts.getLeadingCommentRanges(text, range.end));
  };
  const visit = (node: ts.Node): undefined => {
    at(node);
    return ts.forEachChild(node, visit, visitList);
  };
  const visitList = (list: ts.NodeArray<ts.Node>): undefined => {
    at(list);
    for (const node of list) visit(node);
    return undefined;
  };
  visit(source);

  let out = '';
  let done = 0;
  for (const [pos, end] of [...comments].sort((a, b) => a[0] - b[0])) {
    if (pos < done || KEPT.test(text.slice(pos, end))) continue;
    const lineEnd = nextNewline(text, end);
    // Code after it on its line: kept, so that the code keeps its column.
    if (text.slice(end, lineEnd).trim() !== '') continue;
    // The spaces before it on its line go with it (a line of only a comment becomes empty).
    let start = pos;
    while (start > done && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    out += text.slice(done, start) + '\n'.repeat(newlines(text, pos, end));
    done = end;
  }
  return out + text.slice(done);
}

function nextNewline(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Every `.js` file tsc wrote under `dir` (one with its source map beside it). */
function* compiled(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* compiled(path);
    else if (entry.name.endsWith('.js') && names.has(`${entry.name}.map`)) yield path;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL('..', import.meta.url));
  for (const dir of ['host', 'scripts/sdk', 'scripts/as-sdk']) {
    for (const file of compiled(join(dist, dir))) {
      const text = readFileSync(file, 'utf8');
      const stripped = stripComments(text, file);
      if (stripped !== text) writeFileSync(file, stripped);
    }
  }
}
