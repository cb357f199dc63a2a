// Reads /data/input.txt, writes an upper-cased copy to /data/out/output.txt, appends a line to
// /data/log.txt and lists /data, all through a wasi:filesystem grant.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  return 1;
}

int main(void) {
  char buf[4096];
  FILE *in = fopen("/data/input.txt", "r");
  if (!in) return fail("open input");
  size_t n = fread(buf, 1, sizeof buf - 1, in);
  fclose(in);
  buf[n] = 0;
  for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);

  if (mkdir("/data/out", 0755) != 0 && errno != EEXIST) return fail("mkdir out");
  FILE *out = fopen("/data/out/output.txt", "w");
  if (!out) return fail("open output");
  fwrite(buf, 1, n, out);
  fclose(out);

  FILE *log = fopen("/data/log.txt", "a");
  if (!log) return fail("open log");
  fprintf(log, "processed %zu bytes\n", n);
  fclose(log);

  struct stat st;
  if (stat("/data/out/output.txt", &st) != 0) return fail("stat output");
  printf("wrote %lld bytes\n", (long long)st.st_size);

  DIR *dir = opendir("/data");
  if (!dir) return fail("opendir");
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    printf("entry %s\n", entry->d_name);
  }
  closedir(dir);
  return 0;
}
