/**
 * A worker's OS thread, as Linux shows it: the worker reads its own id (`/proc/thread-self` is
 * `<pid>/task/<tid>`), and the kernel's thread, blocked in a synchronous call where the event
 * loop cannot tell it that the worker died, looks whether `/proc/self/task/<tid>` is still there.
 * Elsewhere the id is 0 and a thread counts as alive (the call's deadline ends the wait).
 */
import { existsSync, readlinkSync } from 'node:fs';

/** This thread's id in the OS; 0 where that cannot be known. */
export function osThreadId(): number {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/** Whether the thread `tid` of this process is still there (true for 0: not known). */
export function osThreadAlive(tid: number): boolean {
  return tid === 0 || !Number.isSafeInteger(tid) || tid < 0 || existsSync(`/proc/self/task/${tid}`);
}
