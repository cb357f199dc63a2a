/**
 * The module registry by path, like mount points: `/mnt/tools/resize`. Several modules may be
 * mounted at one path (versions side by side); the latest mounted is the default target.
 */
import { KeelError } from './errors.js';
import type { ModuleHandle } from './module.js';

const PATH = /^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/;

export class MountTable {
  readonly #paths = new Map<string, ModuleHandle[]>();

  mount(path: string, module: ModuleHandle): void {
    if (!PATH.test(path) || path.split('/').some((part) => part === '.' || part === '..')) {
      throw new KeelError(
        'invalid-argument',
        `invalid mount path "${path}": use an absolute path such as /mnt/tools/resize`,
        {
          path,
        },
      );
    }
    const list = this.#paths.get(path) ?? [];
    if (!list.includes(module)) list.push(module);
    this.#paths.set(path, list);
  }

  unmount(path: string, module?: ModuleHandle): ModuleHandle[] {
    const list = this.#paths.get(path);
    if (!list) throw new KeelError('no-such-target', `nothing is mounted at ${path}`, { path });
    const removed = module ? list.filter((m) => m === module) : [...list];
    if (module && removed.length === 0) {
      throw new KeelError('no-such-target', `${module.name} is not mounted at ${path}`, { path });
    }
    const rest = list.filter((m) => !removed.includes(m));
    if (rest.length === 0) this.#paths.delete(path);
    else this.#paths.set(path, rest);
    return removed;
  }

  get(path: string): readonly ModuleHandle[] {
    return this.#paths.get(path) ?? [];
  }

  latest(path: string): ModuleHandle {
    const list = this.#paths.get(path);
    if (!list || list.length === 0)
      throw new KeelError('no-such-target', `nothing is mounted at ${path}`, { path });
    return list[list.length - 1]!;
  }
}
