/**
 * Path resolution relative to a directory handle, one component at a time, the way `openat2`
 * with `RESOLVE_BENEATH` does it (and cap-std in Wasmtime):
 *
 * - every intermediate component is opened as a directory without following a symbolic link;
 * - `..` goes back to the handle it came from (a stack of open handles), never above the base:
 *   leaving the base is `not-permitted`, whatever the filesystem's own `..` would say;
 * - a symbolic link met on the way (or at the end, when following) is read and its target
 *   spliced into the remaining components, resolved from the link's directory under the same
 *   rules; an absolute target is `not-permitted`; more than 40 links is `loop`.
 *
 * No string is ever checked and then handed to the OS as a path: each step names one entry of an
 * open directory, so a directory or link swapped in between steps cannot lead outside the base.
 *
 * Each directory opened on the way and each link read is charged `fsOperation` before its system
 * calls: a path of 256 components, or 40 links each spliced into 254 more, is thousands of them
 * (6-7 us each), where the operation's own price covers one lookup.
 */
import { DEFAULT_HOST_COSTS, type SandboxContext } from '../provider.js';
import type { DirHandle } from './backend.js';
import { FsError, fsError } from './errors.js';
import { MAX_COMPONENTS, MAX_SYMLINKS, splitPath } from './path.js';

export interface Resolved {
  /** The directory holding the final entry. */
  dir: DirHandle;
  /** The final entry's name; `.` when the path names `dir` itself. */
  name: string;
  /** The path ended with `/`: the entry must be a directory. */
  trailingSlash: boolean;
}

/**
 * Resolve `path` under `base` and run `op` on the result; intermediate handles are closed
 * afterwards. With `follow`, a symbolic link in the final position is followed too. A trailing
 * slash follows it as well (`open`, `stat`), except for operations that act on the entry itself
 * (`unlink`, `rmdir`, `rename`, `link`, `symlink`: `slashFollows` false), as on Linux.
 */
export function withResolved<T>(
  context: Pick<SandboxContext, 'charge'>,
  base: DirHandle,
  path: string,
  follow: boolean,
  op: (resolved: Resolved) => T,
  slashFollows = true,
): T {
  const { components, trailingSlash } = splitPath(path);
  const stack: DirHandle[] = [];
  try {
    const name = walk(context, base, stack, components, follow || (slashFollows && trailingSlash));
    return op({ dir: stack.at(-1) ?? base, name, trailingSlash });
  } finally {
    for (const handle of stack) handle.close();
  }
}

/** Fuel of one step of a walk beyond the path's own price: a directory opened, a link read. */
export const WALK_STEP_FUEL = DEFAULT_HOST_COSTS.fsOperation;

function walk(
  context: Pick<SandboxContext, 'charge'>,
  base: DirHandle,
  stack: DirHandle[],
  components: string[],
  followFinal: boolean,
): string {
  const queue = components;
  let links = 0;
  const top = () => stack.at(-1) ?? base;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      if (stack.length === 0) throw fsError('not-permitted', 'escape', 'path leaves its directory');
      stack.pop()!.close();
      continue;
    }
    const last = queue.length === 0;
    if (last) {
      if (!followFinal) return part;
      let type: string;
      try {
        type = top().lstat(part).type;
      } catch (error) {
        if (error instanceof FsError && error.code === 'no-entry') return part;
        throw error;
      }
      if (type !== 'symbolic-link') return part;
    } else {
      context.charge(WALK_STEP_FUEL);
      try {
        stack.push(top().openDir(part));
        if (stack.length > MAX_COMPONENTS) throw fsError('name-too-long');
        continue;
      } catch (error) {
        if (!(error instanceof FsError) || (error.code !== 'loop' && error.code !== 'not-directory'))
          throw error;
        if (top().lstat(part).type !== 'symbolic-link') throw fsError('not-directory');
      }
    }
    // `part` is a symbolic link in `top()`: splice its target in.
    if (++links > MAX_SYMLINKS) throw fsError('loop');
    context.charge(WALK_STEP_FUEL);
    const target = top().readlink(part);
    if (target.startsWith('/')) throw fsError('not-permitted', 'symlink', 'absolute symbolic link');
    const expanded = splitPath(target).components;
    if (queue.length + expanded.length > MAX_COMPONENTS * 4) throw fsError('name-too-long');
    // A link to "." or "sub/.." names its own directory.
    queue.unshift(...(expanded.length > 0 ? expanded : last ? ['.'] : []));
    if (queue.length === 1 && queue[0] === '.') return queue.shift()!;
  }
  return '.';
}
