// stdio: a wasi:cli/run command writing one line to stdout and one to stderr, exit status 0.
#include <stdio.h>

int main(void) {
  printf("hello from C\n");
  fprintf(stderr, "a warning from C\n");
  return 0;
}
