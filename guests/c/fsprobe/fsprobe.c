// A scriptable filesystem probe for Keel's hostile tests. Its arguments are a script of
// operations; each prints one line, "<op> <arg>: ok ..." or "<op> <arg>: err <ERRNO>", so a test
// can drive an attack step by step and read what the guest saw. `say` prints a line as a
// synchronization point: a test may change the host filesystem while the guest is writing it.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// The raw preview1 import, so that a path can carry any bytes (NUL, invalid UTF-8).
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
              int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t retptr);

static const char *errname(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EROFS: return "EROFS";
    case EDQUOT: return "EDQUOT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EXDEV: return "EXDEV";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EILSEQ: return "EILSEQ";
    case ENOSPC: return "ENOSPC";
    case EFBIG: return "EFBIG";
    case EIO: return "EIO";
    case ENOSYS: return "ENOSYS";
    case ENOTSUP: return "ENOTSUP";
    case EMLINK: return "EMLINK";
    case ENOMEM: return "ENOMEM";
    default: return "E?";
  }
}

static char line[8192];

static void emit(void) {
  size_t n = strlen(line);
  line[n] = '\n';
  write(1, line, n + 1);
}

static void ok(const char *op, const char *arg, const char *detail) {
  snprintf(line, sizeof line - 1, "%s %s: ok%s%s", op, arg, detail[0] ? " " : "", detail);
  emit();
}

static void err(const char *op, const char *arg) {
  snprintf(line, sizeof line - 1, "%s %s: err %s", op, arg, errname(errno));
  emit();
}

static int unhex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = strlen(hex) / 2;
  if (n > cap) n = cap;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return (int)n;
}

static void write_file(const char *op, const char *path, const char *data, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) return err(op, path);
  ssize_t n = write(fd, data, strlen(data));
  int saved = errno;
  close(fd);
  errno = saved;
  if (n < 0) return err(op, path);
  char detail[32];
  snprintf(detail, sizeof detail, "%zd", n);
  ok(op, path, detail);
}

int main(int argc, char **argv) {
  static uint8_t raw[70000];
  for (int i = 1; i < argc; i++) {
    const char *op = argv[i];
    const char *a = i + 1 < argc ? argv[i + 1] : "";
    const char *b = i + 2 < argc ? argv[i + 2] : "";
    errno = 0;
    if (strcmp(op, "say") == 0) {
      snprintf(line, sizeof line - 1, "%s", a);
      emit();
      i += 1;
    } else if (strcmp(op, "read") == 0) {
      i += 1;
      int fd = open(a, O_RDONLY);
      if (fd < 0) { err(op, a); continue; }
      char buf[256];
      ssize_t n = read(fd, buf, sizeof buf - 1);
      int saved = errno;
      close(fd);
      errno = saved;
      if (n < 0) { err(op, a); continue; }
      buf[n] = 0;
      for (ssize_t k = 0; k < n; k++) if (buf[k] == '\n') buf[k] = ' ';
      ok(op, a, buf);
    } else if (strcmp(op, "write") == 0) {
      i += 2;
      write_file(op, a, b, O_WRONLY | O_CREAT | O_TRUNC);
    } else if (strcmp(op, "append") == 0) {
      i += 2;
      write_file(op, a, b, O_WRONLY | O_CREAT | O_APPEND);
    } else if (strcmp(op, "overwrite") == 0) {
      i += 2;
      write_file(op, a, b, O_WRONLY);
    } else if (strcmp(op, "mkdir") == 0) {
      i += 1;
      if (mkdir(a, 0755) != 0) err(op, a); else ok(op, a, "");
    } else if (strcmp(op, "rmdir") == 0) {
      i += 1;
      if (rmdir(a) != 0) err(op, a); else ok(op, a, "");
    } else if (strcmp(op, "unlink") == 0) {
      i += 1;
      if (unlink(a) != 0) err(op, a); else ok(op, a, "");
    } else if (strcmp(op, "stat") == 0 || strcmp(op, "lstat") == 0) {
      i += 1;
      struct stat st;
      int r = op[0] == 's' ? stat(a, &st) : lstat(a, &st);
      if (r != 0) { err(op, a); continue; }
      char detail[64];
      const char *type = S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ? "file" : "other";
      snprintf(detail, sizeof detail, "%s %lld nlink=%llu", type, (long long)st.st_size, (unsigned long long)st.st_nlink);
      ok(op, a, detail);
    } else if (strcmp(op, "ls") == 0) {
      i += 1;
      DIR *dir = opendir(a);
      if (!dir) { err(op, a); continue; }
      char names[4096] = "";
      struct dirent *entry;
      while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        strncat(names, entry->d_name, sizeof names - strlen(names) - 2);
        strncat(names, ",", sizeof names - strlen(names) - 2);
      }
      closedir(dir);
      ok(op, a, names);
    } else if (strcmp(op, "symlink") == 0) {
      i += 2;
      if (symlink(a, b) != 0) err(op, b); else ok(op, b, "");
    } else if (strcmp(op, "link") == 0) {
      i += 2;
      if (link(a, b) != 0) err(op, b); else ok(op, b, "");
    } else if (strcmp(op, "rename") == 0) {
      i += 2;
      if (rename(a, b) != 0) err(op, b); else ok(op, b, "");
    } else if (strcmp(op, "readlink") == 0) {
      i += 1;
      char target[512];
      ssize_t n = readlink(a, target, sizeof target - 1);
      if (n < 0) { err(op, a); continue; }
      target[n] = 0;
      ok(op, a, target);
    } else if (strcmp(op, "rawopen") == 0 || strcmp(op, "rawcreate") == 0) {
      // rawopen FD HEX: open raw path bytes relative to descriptor FD (3 is the first preopen).
      i += 2;
      int n = unhex(b, raw, sizeof raw);
      int32_t fd_out = -1;
      int creating = op[3] == 'c';
      int32_t rc = raw_path_open(atoi(a), 0, (int32_t)(uintptr_t)raw, n, creating ? 1 /* creat */ : 0,
                                 creating ? (1 << 6) | (1 << 1) : (1 << 1), 0, 0,
                                 (int32_t)(uintptr_t)&fd_out);
      if (rc != 0) { errno = rc; err(op, b[0] ? "(path)" : "(empty)"); continue; }
      close(fd_out);
      ok(op, "(path)", "");
    } else if (strcmp(op, "opendir") == 0) {
      // Keep a directory descriptor open; prints its number for rawopen.
      i += 1;
      int fd = open(a, O_RDONLY | O_DIRECTORY);
      if (fd < 0) { err(op, a); continue; }
      char detail[16];
      snprintf(detail, sizeof detail, "fd=%d", fd);
      ok(op, a, detail);
    } else if (strcmp(op, "hold") == 0) {
      // hold N PATH: open PATH N times and keep every descriptor.
      i += 2;
      int want = atoi(a), got = 0;
      for (; got < want; got++) if (open(b, O_RDONLY) < 0) break;
      char detail[64];
      snprintf(detail, sizeof detail, "opened=%d%s%s", got, got < want ? " " : "", got < want ? errname(errno) : "");
      ok(op, b, detail);
    } else if (strcmp(op, "bigwrite") == 0) {
      // bigwrite PATH N: write N bytes in 64 KiB chunks; prints how many were written.
      i += 2;
      long long want = atoll(b), total = 0;
      static char chunk[65536];
      memset(chunk, 'x', sizeof chunk);
      int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) { err(op, a); continue; }
      while (total < want) {
        size_t len = want - total < (long long)sizeof chunk ? (size_t)(want - total) : sizeof chunk;
        ssize_t n = write(fd, chunk, len);
        if (n <= 0) break;
        total += n;
      }
      int saved = errno;
      close(fd);
      char detail[64];
      snprintf(detail, sizeof detail, "written=%lld%s%s", total, total < want ? " " : "", total < want ? errname(saved) : "");
      ok(op, a, detail);
    } else if (strcmp(op, "touchmany") == 0) {
      // touchmany DIR N: create DIR/f0 .. DIR/f<N-1>; prints how many were created.
      i += 2;
      int want = atoi(b), got = 0;
      char path[512];
      for (; got < want; got++) {
        snprintf(path, sizeof path, "%s/f%d", a, got);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) break;
        close(fd);
      }
      char detail[64];
      snprintf(detail, sizeof detail, "created=%d%s%s", got, got < want ? " " : "", got < want ? errname(errno) : "");
      ok(op, a, detail);
    } else if (strcmp(op, "flood") == 0) {
      // flood N: write N bytes to stdout.
      i += 1;
      long long want = atoll(a), total = 0;
      static char chunk[4096];
      memset(chunk, 'y', sizeof chunk);
      while (total < want) {
        size_t len = want - total < (long long)sizeof chunk ? (size_t)(want - total) : sizeof chunk;
        ssize_t n = write(1, chunk, len);
        if (n <= 0) break;
        total += n;
      }
      snprintf(line, sizeof line - 1, "\nflood: wrote %lld", total);
      emit();
    } else if (strcmp(op, "now") == 0) {
      // now: the wall clock and the monotonic clock, in nanoseconds.
      struct timespec wall, mono;
      clock_gettime(CLOCK_REALTIME, &wall);
      clock_gettime(CLOCK_MONOTONIC, &mono);
      snprintf(line, sizeof line - 1, "now: wall=%lld%09ld mono=%lld%09ld", (long long)wall.tv_sec, wall.tv_nsec,
               (long long)mono.tv_sec, mono.tv_nsec);
      emit();
    } else if (strcmp(op, "random") == 0) {
      // random N: N bytes of getentropy, in hex.
      i += 1;
      unsigned char bytes[64];
      int n = atoi(a) > 64 ? 64 : atoi(a);
      getentropy(bytes, n);
      char *p = line + sprintf(line, "random:");
      for (int k = 0; k < n; k++) p += sprintf(p, "%02x", bytes[k]);
      emit();
    } else if (strcmp(op, "stdin") == 0) {
      // stdin: read all of stdin; print its length and its first line.
      static char in[65536];
      ssize_t total = 0, n;
      while (total < (ssize_t)sizeof in - 1 && (n = read(0, in + total, sizeof in - 1 - total)) > 0) total += n;
      in[total] = 0;
      char *nl = strchr(in, '\n');
      if (nl) *nl = 0;
      snprintf(line, sizeof line - 1, "stdin: %zd %s", total, in);
      emit();
    } else if (strcmp(op, "getenv") == 0) {
      i += 1;
      const char *v = getenv(a);
      if (!v) { errno = ENOENT; err(op, a); } else ok(op, a, v);
    } else {
      snprintf(line, sizeof line - 1, "unknown op %s", op);
      emit();
      return 2;
    }
  }
  return 0;
}
