// A wasi:cli/run command: one line to stdout, one to stderr, exit status 0.
#include <stdio.h>

int main(void) {
  printf("hello from C\n");
  fprintf(stderr, "a warning from C\n");
  return 0;
}
