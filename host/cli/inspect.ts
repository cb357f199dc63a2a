/**
 * `keel inspect`: what a module is, what it exports, and what it would need granted.
 */

import { basename } from 'node:path';
import { Kernel } from '../default-kernel.js';
import { KeelError } from '../kernel/errors.js';
import type { ModuleNeed } from '../kernel/kernel.js';
import type { ModuleHandle } from '../kernel/module.js';
import { readModuleFileSync } from '../loader/files.js';
import { describeExports, type ExportedItem } from './exports.js';
import { parseFlags } from './flags.js';
import { cliHint, grantedByCli } from './grants.js';
import {
  asKeelError,
  clearProgress,
  EXIT_OK,
  exitStatusFor,
  printError,
  printJson,
  progress,
  stdout,
  styles,
} from './output.js';

const { bold, dim, green, yellow } = styles(stdout);

export const INSPECT_HELP = `Usage: keel inspect <file.wasm> [--json]

Show what a WebAssembly file is (component, WASI preview1 module or core
module), its size and hash, its WIT world (imports and exports with
signatures), the core modules inside, and what it would need granted to run.

Options:
  --cache-dir <dir>  Cache of metered core modules (default ~/.cache/keel)
  --json             Print one JSON object
  -h, --help         Show this help
`;

const FLAGS = {
  json: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function inspectCommand(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let kernel: Kernel | undefined;
  try {
    const { values, positionals } = parseFlags('inspect', argv, FLAGS);
    if (values.help) {
      stdout.write(INSPECT_HELP);
      return EXIT_OK;
    }
    if (positionals.length !== 1) {
      throw new KeelError(
        'invalid-argument',
        `expected one module file, got ${positionals.length} (see \`keel inspect --help\`)`,
      );
    }
    const cacheDir = values['cache-dir'] as string | undefined;
    const file = positionals[0]!;
    kernel = new Kernel(cacheDir !== undefined ? { cacheDir } : {});
    progress(`loading ${file}`);
    const bytes = readModuleFileSync(file, kernel.limits.moduleBytes);
    const module = await kernel.load(bytes, { name: basename(file).replace(/\.wasm$/, '') });
    clearProgress();
    const needs = kernel.needs(module);
    const exports = await describeExports(bytes, module);
    if (json) printJson(await describe(module, needs, exports));
    else printHuman(module, needs, exports);
    return EXIT_OK;
  } catch (error) {
    const failure = asKeelError(error);
    if (json) printJson({ ok: false, error: { code: failure.code, message: failure.message } });
    else printError(failure, cliHint(failure, 'inspect'));
    return exitStatusFor(failure.code);
  } finally {
    clearProgress();
    await kernel?.close();
  }
}

async function describe(module: ModuleHandle, needs: ModuleNeed[], exports: ExportedItem[]) {
  const wit = await module.witText().catch(() => undefined);
  return {
    ok: true,
    name: module.name,
    kind: module.kind,
    ...(module.preview1 ? { preview1: module.preview1 } : {}),
    size: module.size,
    sha256: module.hash,
    command: module.isCommand,
    ...(module.commandExport ? { commandExport: module.commandExport } : {}),
    exports,
    world: { imports: module.world.imports, exports: module.world.exports },
    coreModules: module.coreModules,
    needs: needs.map((need) =>
      need.status === 'needs-grant' && grantedByCli(need.interface)
        ? { ...need, keelRun: grantedByCli(need.interface) }
        : need,
    ),
    ...(wit ? { wit } : {}),
  };
}

/** `15.4 KiB (15,402 bytes)`; a size under a KiB in bytes alone. */
function readableSize(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024) return exact;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${value.toFixed(1)} ${unit} (${exact})`;
}

function printHuman(module: ModuleHandle, needs: ModuleNeed[], exports: ExportedItem[]): void {
  const out: string[] = [];
  const kind =
    module.kind === 'preview1'
      ? `WASI preview1 ${module.preview1} module (${module.preview1Abi === 'adapter' ? 'wrapped as a component' : 'Keel’s own preview1 imports'})`
      : `${module.kind}${module.kind === 'core' ? ' module' : ''}`;
  out.push(`${bold(module.name)}  ${kind}, ${readableSize(module.size)}`);
  out.push(dim(`sha256 ${module.hash}`));
  out.push('', `${bold('Exports')}${dim('  (call a function with keel run --invoke <name>)')}`);
  out.push(...exportLines(exports));
  out.push('', bold('Needs'));
  if (needs.length === 0) out.push('  nothing: it runs with no grants');
  for (const need of needs) {
    const byCli = need.status === 'needs-grant' ? grantedByCli(need.interface) : undefined;
    const status =
      need.status === 'authority-free'
        ? green('linked without a grant (no authority)')
        : byCli
          ? green(byCli)
          : need.status === 'needs-grant'
            ? yellow(`needs --grant ${need.interface}`)
            : yellow('no provider serves it: keel run fails unless --lazy-deny (then calls to it fail)');
    out.push(`  ${need.import}  ${status}`);
  }
  if (module.coreModules.length > 0) {
    out.push('', bold('Core modules'));
    for (const core of module.coreModules) out.push(`  ${core.file}  ${readableSize(core.size)}`);
  }
  if (module.commandExport) {
    out.push('', dim(`A command: \`keel run\` runs it (${module.commandExport}) without --invoke.`));
  }
  stdout.write(`${out.join('\n')}\n`);
}

/** Each export with its WIT signature, and the name `--invoke` takes in a column of its own. */
function exportLines(exports: readonly ExportedItem[]): string[] {
  const rows: [string, string][] = [];
  for (const item of exports) {
    if (item.function) {
      rows.push([
        `  ${item.name}: ${item.function.signature || '(signature unknown)'}`,
        item.function.invoke ?? '',
      ]);
    } else if (item.kind === 'interface') {
      rows.push([`  ${item.name}`, '']);
      for (const type of item.types ?? []) rows.push([`    ${type}`, '']);
      for (const resource of item.resources ?? []) {
        rows.push([`    resource ${resource.name}`, '']);
        for (const fn of resource.functions) rows.push([`      ${fn}`, '']);
      }
      for (const fn of item.functions ?? []) {
        rows.push([`    ${fn.name}: ${fn.signature || '(signature unknown)'}`, fn.invoke ?? '']);
      }
    } else {
      rows.push([`  ${item.name} ${dim(`(${item.kind})`)}`, '']);
    }
  }
  if (rows.length === 0) return ['  (none)'];
  const width = Math.min(
    72,
    Math.max(...rows.filter(([, invoke]) => invoke).map(([text]) => text.length), 0),
  );
  return rows.map(([text, invoke]) =>
    invoke ? `${text.padEnd(width)}  ${dim(`--invoke ${invoke}`)}` : text,
  );
}
