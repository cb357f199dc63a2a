#!/usr/bin/env node
// The `keel` command, as CommonJS (bin/package.json): an ES module entry would start Node's ES
// module loader, a dozen modules of its own, before any of Keel's.
//
// `npm run build` (run on install from the repository by `prepare`, and before packing by
// `prepack`) compiles the CLI to dist/ and bundles it (scripts/bundle-cli.ts): every command runs
// dist/host/cli/keel-cli.cjs. This compiles the bundle with a V8 code cache kept in Keel's cache
// directory, so that a command starts without parsing and compiling the CLI's JavaScript again
// (docs/cli.md, Start-up). A bundle is run only when the compiled CLI's main.js carries its
// stamp (its first line, scripts/bundle-cli.ts); tsc alone writes main.js without one, and the
// compiled modules run instead.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);

const CLI = path.join(__dirname, '..', 'dist', 'host', 'cli');
const BUNDLE = path.join(CLI, 'keel-cli.cjs');
const COMPILED = path.join(CLI, 'main.js');
/** Code cache files kept at most (the oldest go first): a few commands of a build or two. */
const CACHE_FILES = 16;

// Every line was written synchronously, so exiting at once loses nothing; it also ends a read
// of a terminal that a guest started but never finished.
start().then((status) => process.exit(status));

async function start() {
  const source = bundleSource();
  if (source !== undefined) return runBundle(source, fs.statSync(BUNDLE));
  const { main } = await import(require('node:url').pathToFileURL(COMPILED).href);
  return main(argv);
}

/**
 * The bundle's text, when it was made from the compiled CLI beside it: main.js ends with the
 * bundle's first line (`// keel-build <digest>`) before its source map's. Not the files' times:
 * npm writes an installed package's files in its own order.
 */
function bundleSource() {
  let source;
  let compiled;
  try {
    source = fs.readFileSync(BUNDLE, 'utf8');
    compiled = fs.readFileSync(COMPILED, 'utf8');
  } catch {
    return undefined;
  }
  const stamp = /^\/\/ keel-build \w+\n/.exec(source)?.[0];
  return stamp && compiled.includes(`\n${stamp}`) ? source : undefined;
}

async function runBundle(source, info) {
  const vm = require('node:vm');
  const cache = codeCache(source, info);
  const data = cache?.read();
  // The bundle's dynamic imports call __keelImport: this module's `import()`, a relative
  // specifier (a module left outside the bundle) taken from the bundle's directory.
  const wrapper = `(function (exports, require, module, __filename, __dirname, __keelImport) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: BUNDLE, ...(data ? { cachedData: data } : {}) });
  const module = { exports: {} };
  const load = script.runInThisContext();
  load(
    module.exports,
    require('node:module').createRequire(BUNDLE),
    module,
    BUNDLE,
    CLI,
    (specifier) =>
      import(
        specifier.startsWith('.')
          ? require('node:url').pathToFileURL(path.join(CLI, specifier)).href
          : specifier
      ),
  );
  const status = await module.exports.main(argv);
  // After the command, the cache holds the functions it compiled as well as the top level.
  if (cache && (!data || script.cachedDataRejected)) cache.write(script.createCachedData());
  return status;
}

function statOf(file) {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The code cache of this build of the bundle for this command, in `<cache dir>/.compile-cache`:
 * the cache directory the command uses (`--cache-dir`, else the default, as
 * host/loader/disk-cache.ts `defaultCacheDir` computes it), and only where that directory is
 * this user's and writable by nobody else (as the module cache requires), since what V8 reads
 * from it runs as Keel. Directories are created as the module cache creates its own (mode 0700);
 * any failure (a read-only directory, one that cannot be created) only means compiling from
 * source.
 * KEEL_NO_COMPILE_CACHE=1 turns it off.
 */
function codeCache(source, info) {
  if (process.env.KEEL_NO_COMPILE_CACHE) return undefined;
  const build = /^\/\/ keel-build (\w+)\n/.exec(source)?.[1];
  if (!build) return undefined;
  const dir = path.join(cacheRoot(), '.compile-cache');
  // V8 checks its version and flags, and the source's length; the rest of the bundle's identity
  // is in the name (the build's digest, and the file's size and time for an edited bundle).
  const command = ['run', 'inspect', 'up', 'demo', 'new', 'build'].includes(argv[0]) ? argv[0] : 'other';
  const name = `${build}-${info.size}-${Math.trunc(info.mtimeMs)}-${process.version}-${process.arch}-${command}.v8`;
  const file = path.join(dir, name);
  return {
    read() {
      if (!privateDir(path.dirname(dir)) || !privateDir(dir)) return undefined;
      let fd;
      try {
        // Neither through a symbolic link nor waiting for a writer: a FIFO in the file's place
        // blocked every start of keel for good; it is not a file, so it is compiled past and replaced.
        // host/loader/disk-cache.ts READ_FLAGS, written out: this runs before any module of Keel's.
        const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
        fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        const info = fs.fstatSync(fd);
        return info.isFile() && privateEntry(info) ? fs.readFileSync(fd) : undefined;
      } catch {
        return undefined;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
    write(data) {
      try {
        // Created as the module cache creates its directory (and the directory itself if need be).
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!privateDir(path.dirname(dir)) || !privateDir(dir)) return;
        const staging = path.join(dir, `.${name}.${process.pid}`);
        // Made anew (O_EXCL): a link planted at this name is not written through.
        fs.writeFileSync(staging, data, { mode: 0o600, flag: 'wx' });
        fs.renameSync(staging, file);
        prune(dir);
      } catch {
        // A read-only or vanished directory: the next start compiles from source again.
      }
    },
  };
}

function cacheRoot() {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--cache-dir' && own[i + 1] !== undefined) return path.resolve(own[i + 1]);
    if (own[i].startsWith('--cache-dir=')) return path.resolve(own[i].slice('--cache-dir='.length));
  }
  if (process.env.XDG_CACHE_HOME) return path.join(process.env.XDG_CACHE_HOME, 'keel');
  const home = process.env.HOME || require('node:os').homedir();
  const uid = process.getuid?.() ?? 'user';
  return home
    ? path.join(home, '.cache', 'keel')
    : path.join(require('node:os').tmpdir(), `keel-cache-${uid}`);
}

function privateDir(dir) {
  const info = statOf(dir);
  return info?.isDirectory() === true && privateEntry(info);
}

function privateEntry(info) {
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0;
}

/** Keep the newest CACHE_FILES files. */
function prune(dir) {
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.v8'))
    .map((name) => ({ name, time: statOf(path.join(dir, name))?.mtimeMs ?? 0 }))
    .sort((a, b) => b.time - a.time);
  for (const { name } of files.slice(CACHE_FILES)) fs.rmSync(path.join(dir, name), { force: true });
}
