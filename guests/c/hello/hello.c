/*
 * A command built by another toolchain than Keel's: Debian's clang 14 and wasi-libc compile it
 * to a WASI preview1 core module (hello.p1.wasm, run by Keel's own preview1), and jco's preview1
 * command adapter turns that into a wasi:cli/run component (hello.wasm, run through WASI 0.2;
 * scripts/build-c-guests.ts). It prints to stdout and stderr,
 * reads one environment variable and its arguments, and exits with the status given in
 * KEEL_EXIT.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  const char *who = getenv("KEEL_WHO");
  printf("hello from C, %s!\n", who ? who : "stranger");
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  fprintf(stderr, "this line goes to stderr\n");
  const char *exit_status = getenv("KEEL_EXIT");
  return exit_status ? atoi(exit_status) : 0;
}
