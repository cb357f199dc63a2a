// A WASI preview1 command in AssemblyScript, built by scripts/build-as-preview1.ts into
// probe.wasm: it declares the preview1 functions it uses itself (no shim), calls each the way a
// program would, and prints one line per check ("<what>: <errno> <result>") with fd_write.

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, count: usize, written: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, count: usize, read: usize): u16;
@external("wasi_snapshot_preview1", "fd_seek")
declare function fd_seek(fd: u32, offset: i64, whence: u8, position: usize): u16;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "fd_filestat_get")
declare function fd_filestat_get(fd: u32, stat: usize): u16;
@external("wasi_snapshot_preview1", "fd_readdir")
declare function fd_readdir(fd: u32, buf: usize, len: usize, cookie: u64, used: usize): u16;
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(
  fd: u32, dirflags: u32, path: usize, pathLen: usize, oflags: u16,
  base: u64, inheriting: u64, fdflags: u16, opened: usize,
): u16;
@external("wasi_snapshot_preview1", "path_unlink_file")
declare function path_unlink_file(fd: u32, path: usize, pathLen: usize): u16;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(count: usize, size: usize): u16;
@external("wasi_snapshot_preview1", "environ_sizes_get")
declare function environ_sizes_get(count: usize, size: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time: usize): u16;
@external("wasi_snapshot_preview1", "random_get")
declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

// Scratch space for results and buffers (AssemblyScript's own heap stays untouched).
const SCRATCH = memory.data(256, 16);
const BUF = memory.data(4096, 16);

function write(fd: u32, text: string): u16 {
  const bytes = String.UTF8.encode(text);
  store<u32>(SCRATCH, changetype<usize>(bytes));
  store<u32>(SCRATCH + 4, bytes.byteLength);
  return fd_write(fd, SCRATCH, 1, SCRATCH + 8);
}

function say(what: string, errno: u16, result: string): void {
  write(1, what + ": " + errno.toString() + " " + result + "\n");
}

function open(path: string, oflags: u16, rights: u64): u32 {
  const bytes = String.UTF8.encode(path);
  const e = path_open(3, 0, changetype<usize>(bytes), bytes.byteLength, oflags, rights, 0, 0, SCRATCH + 16);
  say("open " + path, e, e == 0 ? load<u32>(SCRATCH + 16).toString() : "-");
  return load<u32>(SCRATCH + 16);
}

export function _start(): void {
  let e = args_sizes_get(SCRATCH, SCRATCH + 4);
  say("args", e, load<u32>(SCRATCH).toString() + " " + load<u32>(SCRATCH + 4).toString());
  e = environ_sizes_get(SCRATCH, SCRATCH + 4);
  say("environ", e, load<u32>(SCRATCH).toString() + " " + load<u32>(SCRATCH + 4).toString());
  e = clock_time_get(0, 1, SCRATCH + 32);
  say("realtime", e, load<u64>(SCRATCH + 32) > 1_600_000_000_000_000_000 ? "recent" : "old");
  e = random_get(BUF, 64);
  let nonzero = false;
  for (let i = 0; i < 64; i++) if (load<u8>(BUF + i) != 0) nonzero = true;
  say("random", e, nonzero ? "yes" : "no");

  // A file: create, write, seek, read back, stat, then remove.
  const fd = open("as.txt", 1 | 8, (1 << 1) | (1 << 6) | (1 << 2));
  say("write", write(fd, "from AssemblyScript"), load<u32>(SCRATCH + 8).toString());
  e = fd_seek(fd, 5, 0, SCRATCH + 32);
  say("seek", e, load<u64>(SCRATCH + 32).toString());
  store<u32>(SCRATCH, BUF);
  store<u32>(SCRATCH + 4, 100);
  e = fd_read(fd, SCRATCH, 1, SCRATCH + 8);
  say("read", e, String.UTF8.decodeUnsafe(BUF, load<u32>(SCRATCH + 8)));
  e = fd_filestat_get(fd, SCRATCH + 64);
  say("filestat", e, load<u8>(SCRATCH + 64 + 16).toString() + " " + load<u64>(SCRATCH + 64 + 32).toString());
  say("close", fd_close(fd), "");
  say("close again", fd_close(fd), "");

  // The directory: count the entries (`.`, `..`, and what the test put there).
  e = fd_readdir(3, BUF, 4096, 0, SCRATCH + 8);
  let entries = 0;
  const used = load<u32>(SCRATCH + 8);
  for (let at: u32 = 0; at + 24 <= used; entries++) at += 24 + load<u32>(BUF + at + 16);
  say("readdir", e, entries.toString());

  const name = String.UTF8.encode("as.txt");
  say("unlink", path_unlink_file(3, changetype<usize>(name), name.byteLength), "");
  say("unlink again", path_unlink_file(3, changetype<usize>(name), name.byteLength), "");
  say("bad fd", write(42, "x"), "");
  proc_exit(7);
}
