/**
 * Where a build may write: inside its project folder, and nowhere a link in that folder points.
 *
 * A project may come from someone else (a cloned repository), so its `keel.json` and its files
 * are not trusted to say where Keel writes: `"output": "../../.bashrc"`, an `out.wasm` that is
 * a symbolic link to a file elsewhere, or a `src` folder that links outside would otherwise
 * have a build overwrite a file the user never named. Every file a build writes (the component,
 * its build record, generated bindings) goes through `writeInside`: the path must stay inside
 * the project folder once links in its folders are resolved, and the file is written to a fresh
 * temporary name and renamed over the target, which replaces a link instead of following it.
 */
import { existsSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class PathError extends Error {
  override readonly name = 'PathError';
}

/** True when `path` is `dir` or below it (both absolute, already resolved). */
function below(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The absolute path of `path` (relative to the project folder), refused when it leaves the
 * folder, literally or through a symbolic link in one of its folders. `what` names it in the
 * message (`"output"`).
 */
export function insideProject(projectDir: string, path: string, what: string): string {
  const root = realpathSync(projectDir);
  const target = resolve(root, path);
  if (!below(root, target)) {
    throw new PathError(`${what} "${path}" is outside the project folder: a build writes only inside it`);
  }
  // The nearest folder that exists, with its links resolved, must still be inside.
  let parent = dirname(target);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!below(root, realpathSync(parent))) {
    throw new PathError(
      `${what} "${path}" leads outside the project folder through a symbolic link: a build writes only inside it`,
    );
  }
  return target;
}

let counter = 0;

/**
 * Write `data` at `path` inside the project folder: to a new temporary file beside it, then
 * renamed over it (a link at `path` is replaced, never followed; a reader never sees half a file).
 */
export function writeInside(
  projectDir: string,
  path: string,
  data: string | Uint8Array,
  what: string,
): string {
  const target = insideProject(projectDir, path, what);
  const temporary = join(dirname(target), `.${process.pid}-${counter++}.keel-tmp`);
  try {
    writeFileSync(temporary, data, { flag: 'wx' });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return target;
}
