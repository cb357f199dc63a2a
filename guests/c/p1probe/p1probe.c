// A scriptable probe of WASI preview1 itself: each operation calls one preview1 function
// directly (wasi/api.h, no libc emulation in between) and prints one line,
// "<op>: e=<errno>[ <results>]", so a test can check the exact errno and results of every
// function against Wasmtime's behaviour. Arguments are a script: `op arg... op arg...`.
// Paths and texts starting with "hex:" are given in hexadecimal (any bytes, NUL included).
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

// proc_raise is no longer declared by wasi/api.h: the raw preview1 import.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int32_t raw_proc_raise(int32_t sig);

static char out[16384];
static int outlen;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  outlen += vsnprintf(out + outlen, sizeof out - outlen - 2, fmt, ap);
  va_end(ap);
}

// Lines go out with a raw fd_write on fd 1 (the probe must not depend on what it probes
// being buffered by libc); a failed write is reported on fd 2.
static void flush(void) {
  out[outlen++] = '\n';
  __wasi_ciovec_t iov = {(const uint8_t *)out, (size_t)outlen};
  size_t n;
  (void)__wasi_fd_write(1, &iov, 1, &n);
  outlen = 0;
}

static uint8_t scratch[8192];

// "hex:414243" → bytes; anything else as is. Returns the length; the bytes are NUL-terminated.
static size_t bytes(const char *arg, uint8_t *dst, size_t cap) {
  if (strncmp(arg, "hex:", 4) != 0) {
    size_t n = strlen(arg);
    if (n >= cap) n = cap - 1;
    memcpy(dst, arg, n);
    dst[n] = 0;
    return n;
  }
  arg += 4;
  size_t n = strlen(arg) / 2;
  if (n >= cap) n = cap - 1;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(arg + 2 * i, "%2x", &v);
    dst[i] = (uint8_t)v;
  }
  dst[n] = 0;
  return n;
}

static uint64_t num(const char *s) { return strtoull(s, NULL, 0); }

static void printable(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) put(p[i] >= 32 && p[i] < 127 && p[i] != '\\' ? "%c" : "\\x%02x", p[i]);
}

static int whence(const char *w) { return !strcmp(w, "set") ? __WASI_WHENCE_SET : !strcmp(w, "cur") ? __WASI_WHENCE_CUR : __WASI_WHENCE_END; }

int main(int argc, char **argv) {
  static uint8_t path[4096], path2[4096];
  for (int i = 1; i < argc;) {
    const char *op = argv[i++];
#define ARG (i < argc ? argv[i++] : "")
    put("%s: ", op);
    __wasi_errno_t e = 0;
    if (!strcmp(op, "write") || !strcmp(op, "pwrite")) {
      __wasi_fd_t fd = num(ARG);
      uint64_t off = !strcmp(op, "pwrite") ? num(ARG) : 0;
      size_t len = bytes(ARG, scratch, sizeof scratch);
      __wasi_ciovec_t iov = {scratch, len};
      size_t n = 0;
      e = op[0] == 'p' ? __wasi_fd_pwrite(fd, &iov, 1, off, &n) : __wasi_fd_write(fd, &iov, 1, &n);
      put("e=%d n=%zu", e, n);
    } else if (!strcmp(op, "read") || !strcmp(op, "pread")) {
      __wasi_fd_t fd = num(ARG);
      size_t len = num(ARG);
      uint64_t off = !strcmp(op, "pread") ? num(ARG) : 0;
      if (len > sizeof scratch) len = sizeof scratch;
      __wasi_iovec_t iov = {scratch, len};
      size_t n = 0;
      e = op[0] == 'p' ? __wasi_fd_pread(fd, &iov, 1, off, &n) : __wasi_fd_read(fd, &iov, 1, &n);
      put("e=%d n=%zu ", e, n);
      printable(scratch, e ? 0 : n);
    } else if (!strcmp(op, "seek")) {
      __wasi_fd_t fd = num(ARG);
      int64_t off = strtoll(ARG, NULL, 0);
      __wasi_filesize_t pos = 0;
      e = __wasi_fd_seek(fd, off, whence(ARG), &pos);
      put("e=%d pos=%llu", e, (unsigned long long)pos);
    } else if (!strcmp(op, "tell")) {
      __wasi_filesize_t pos = 0;
      e = __wasi_fd_tell(num(ARG), &pos);
      put("e=%d pos=%llu", e, (unsigned long long)pos);
    } else if (!strcmp(op, "close")) {
      e = __wasi_fd_close(num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "renumber")) {
      __wasi_fd_t from = num(ARG);
      e = __wasi_fd_renumber(from, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "fdstat")) {
      __wasi_fdstat_t st = {0};
      e = __wasi_fd_fdstat_get(num(ARG), &st);
      put("e=%d type=%d flags=%d base=%llx inheriting=%llx", e, st.fs_filetype, st.fs_flags,
          (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
    } else if (!strcmp(op, "setflags")) {
      __wasi_fd_t fd = num(ARG);
      e = __wasi_fd_fdstat_set_flags(fd, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "setrights")) {
      __wasi_fd_t fd = num(ARG);
      uint64_t base = num(ARG);
      e = __wasi_fd_fdstat_set_rights(fd, base, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "filestat") || !strcmp(op, "pstat")) {
      __wasi_filestat_t st = {0};
      if (op[0] == 'f') {
        e = __wasi_fd_filestat_get(num(ARG), &st);
      } else {
        __wasi_fd_t fd = num(ARG);
        __wasi_lookupflags_t lookup = num(ARG);
        bytes(ARG, path, sizeof path);
        e = __wasi_path_filestat_get(fd, lookup, (const char *)path, &st);
      }
      put("e=%d type=%d nlink=%llu size=%llu dev=%llu ino=%s mtim=%llu atim=%llu", e, st.filetype,
          (unsigned long long)st.nlink, (unsigned long long)st.size, (unsigned long long)st.dev,
          st.ino ? "set" : "0", (unsigned long long)st.mtim, (unsigned long long)st.atim);
    } else if (!strcmp(op, "ino")) {
      __wasi_filestat_t st = {0};
      e = __wasi_fd_filestat_get(num(ARG), &st);
      put("e=%d ino=%llu", e, (unsigned long long)st.ino);
    } else if (!strcmp(op, "setsize")) {
      __wasi_fd_t fd = num(ARG);
      e = __wasi_fd_filestat_set_size(fd, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "settimes") || !strcmp(op, "psettimes")) {
      __wasi_fd_t fd = num(ARG);
      __wasi_lookupflags_t lookup = 0;
      if (op[0] == 'p') {
        lookup = num(ARG);
        bytes(ARG, path, sizeof path);
      }
      uint64_t atim = num(ARG), mtim = num(ARG);
      __wasi_fstflags_t flags = num(ARG);
      e = op[0] == 'p' ? __wasi_path_filestat_set_times(fd, lookup, (const char *)path, atim, mtim, flags)
                       : __wasi_fd_filestat_set_times(fd, atim, mtim, flags);
      put("e=%d", e);
    } else if (!strcmp(op, "advise")) {
      __wasi_fd_t fd = num(ARG);
      uint64_t off = num(ARG), len = num(ARG);
      e = __wasi_fd_advise(fd, off, len, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "allocate")) {
      __wasi_fd_t fd = num(ARG);
      uint64_t off = num(ARG);
      e = __wasi_fd_allocate(fd, off, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "datasync")) {
      e = __wasi_fd_datasync(num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "sync")) {
      e = __wasi_fd_sync(num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "prestat")) {
      __wasi_prestat_t st = {0};
      e = __wasi_fd_prestat_get(num(ARG), &st);
      put("e=%d tag=%d len=%zu", e, st.tag, st.u.dir.pr_name_len);
    } else if (!strcmp(op, "prestatname")) {
      __wasi_fd_t fd = num(ARG);
      size_t len = num(ARG);
      memset(path, 0, 64);
      e = __wasi_fd_prestat_dir_name(fd, path, len);
      put("e=%d name=", e);
      printable(path, e ? 0 : len);
    } else if (!strcmp(op, "readdir")) {
      __wasi_fd_t fd = num(ARG);
      size_t len = num(ARG);
      __wasi_dircookie_t cookie = num(ARG);
      if (len > sizeof scratch) len = sizeof scratch;
      size_t used = 0;
      e = __wasi_fd_readdir(fd, scratch, len, cookie, &used);
      put("e=%d used=%zu", e, used);
      for (size_t at = 0; !e && at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, scratch + at, sizeof d);
        at += sizeof d;
        size_t n = d.d_namlen <= used - at ? d.d_namlen : used - at;
        put(" [");
        printable(scratch + at, n);
        put(" type=%d next=%llu%s]", d.d_type, (unsigned long long)d.d_next, d.d_ino ? "" : " ino=0");
        at += n;
      }
    } else if (!strcmp(op, "mkdir") || !strcmp(op, "rmdir") || !strcmp(op, "unlink")) {
      __wasi_fd_t fd = num(ARG);
      bytes(ARG, path, sizeof path);
      e = op[0] == 'm'   ? __wasi_path_create_directory(fd, (const char *)path)
          : op[0] == 'r' ? __wasi_path_remove_directory(fd, (const char *)path)
                         : __wasi_path_unlink_file(fd, (const char *)path);
      put("e=%d", e);
    } else if (!strcmp(op, "open")) {
      __wasi_fd_t fd = num(ARG);
      __wasi_lookupflags_t lookup = num(ARG);
      bytes(ARG, path, sizeof path);
      __wasi_oflags_t oflags = num(ARG);
      __wasi_rights_t rights = num(ARG);
      __wasi_fdflags_t fdflags = num(ARG);
      __wasi_fd_t opened = 0;
      e = __wasi_path_open(fd, lookup, (const char *)path, oflags, rights, rights, fdflags, &opened);
      put("e=%d fd=%d", e, e ? -1 : (int)opened);
    } else if (!strcmp(op, "link")) {
      __wasi_fd_t fd = num(ARG);
      __wasi_lookupflags_t lookup = num(ARG);
      bytes(ARG, path, sizeof path);
      __wasi_fd_t to = num(ARG);
      bytes(ARG, path2, sizeof path2);
      e = __wasi_path_link(fd, lookup, (const char *)path, to, (const char *)path2);
      put("e=%d", e);
    } else if (!strcmp(op, "rename")) {
      __wasi_fd_t fd = num(ARG);
      bytes(ARG, path, sizeof path);
      __wasi_fd_t to = num(ARG);
      bytes(ARG, path2, sizeof path2);
      e = __wasi_path_rename(fd, (const char *)path, to, (const char *)path2);
      put("e=%d", e);
    } else if (!strcmp(op, "symlink")) {
      bytes(ARG, path, sizeof path);
      __wasi_fd_t fd = num(ARG);
      bytes(ARG, path2, sizeof path2);
      e = __wasi_path_symlink((const char *)path, fd, (const char *)path2);
      put("e=%d", e);
    } else if (!strcmp(op, "readlink")) {
      __wasi_fd_t fd = num(ARG);
      bytes(ARG, path, sizeof path);
      size_t len = num(ARG), n = 0;
      e = __wasi_path_readlink(fd, (const char *)path, scratch, len, &n);
      put("e=%d n=%zu ", e, n);
      printable(scratch, e ? 0 : n);
    } else if (!strcmp(op, "args") || !strcmp(op, "environ")) {
      size_t count = 0, size = 0;
      e = op[0] == 'a' ? __wasi_args_sizes_get(&count, &size) : __wasi_environ_sizes_get(&count, &size);
      put("e=%d count=%zu size=%zu", e, count, size);
      if (!e && count < 64 && size < sizeof scratch) {
        uint8_t *ptrs[64];
        e = op[0] == 'a' ? __wasi_args_get(ptrs, scratch) : __wasi_environ_get(ptrs, scratch);
        for (size_t k = 0; !e && k < count; k++) put(" %s", (const char *)ptrs[k]);
      }
    } else if (!strcmp(op, "clock")) {
      __wasi_clockid_t id = num(ARG);
      __wasi_timestamp_t res = 0, t1 = 0, t2 = 0;
      __wasi_errno_t e1 = __wasi_clock_res_get(id, &res);
      __wasi_errno_t e2 = __wasi_clock_time_get(id, 1, &t1);
      (void)__wasi_clock_time_get(id, 1, &t2);
      put("res=%d:%llu time=%d later=%s", e1, (unsigned long long)res, e2, t2 >= t1 ? "yes" : "no");
    } else if (!strcmp(op, "random")) {
      size_t len = num(ARG);
      if (len > sizeof scratch) len = sizeof scratch;
      memset(scratch, 0, len);
      e = __wasi_random_get(scratch, len);
      int nonzero = 0;
      for (size_t k = 0; k < len; k++) nonzero |= scratch[k];
      put("e=%d nonzero=%s", e, nonzero ? "yes" : "no");
    } else if (!strcmp(op, "sleep")) {
      __wasi_subscription_t sub = {.userdata = 42, .u = {.tag = __WASI_EVENTTYPE_CLOCK}};
      sub.u.u.clock.id = num(ARG);
      sub.u.u.clock.timeout = num(ARG);
      __wasi_event_t ev = {0};
      size_t n = 0;
      __wasi_timestamp_t before = 0, after = 0;
      (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &before);
      e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
      (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &after);
      put("e=%d n=%zu userdata=%llu error=%d type=%d waited=%s", e, n, (unsigned long long)ev.userdata,
          ev.error, ev.type, after - before >= sub.u.u.clock.timeout ? "yes" : "no");
    } else if (!strcmp(op, "pollfd")) {
      __wasi_subscription_t sub = {.userdata = 7, .u = {.tag = (uint8_t)num(ARG)}};
      sub.u.u.fd_read.file_descriptor = num(ARG);
      __wasi_event_t ev = {0};
      size_t n = 0;
      e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
      put("e=%d n=%zu userdata=%llu error=%d type=%d nbytes=%llu flags=%d", e, n,
          (unsigned long long)ev.userdata, ev.error, ev.type, (unsigned long long)ev.fd_readwrite.nbytes,
          ev.fd_readwrite.flags);
    } else if (!strcmp(op, "yield")) {
      e = __wasi_sched_yield();
      put("e=%d", e);
    } else if (!strcmp(op, "raise")) {
      e = raw_proc_raise(num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "sock_accept")) {
      __wasi_fd_t fd = 0;
      e = __wasi_sock_accept(num(ARG), 0, &fd);
      put("e=%d", e);
    } else if (!strcmp(op, "sock_recv")) {
      __wasi_iovec_t iov = {scratch, 16};
      size_t n = 0;
      __wasi_roflags_t flags = 0;
      e = __wasi_sock_recv(num(ARG), &iov, 1, 0, &n, &flags);
      put("e=%d", e);
    } else if (!strcmp(op, "sock_send")) {
      __wasi_ciovec_t iov = {scratch, 16};
      size_t n = 0;
      e = __wasi_sock_send(num(ARG), &iov, 1, 0, &n);
      put("e=%d", e);
    } else if (!strcmp(op, "sock_shutdown")) {
      __wasi_fd_t fd = num(ARG);
      e = __wasi_sock_shutdown(fd, num(ARG));
      put("e=%d", e);
    } else if (!strcmp(op, "exit")) {
      flush();
      __wasi_proc_exit(num(ARG));
    } else {
      put("unknown op");
    }
    flush();
  }
  return 0;
}
