/*
 * Shared by the C compute kernels: no libc (built with -nostdlib for wasm32), one exported
 * `run(n)` per kernel that returns a 32-bit checksum of its work. Built natively with
 * -DNATIVE_MAIN, each kernel prints run(n) for the sizes given on the command line; the build
 * script records those as the expected checksums.
 */
#ifndef KEEL_KERNEL_H
#define KEEL_KERNEL_H

typedef unsigned int u32;
typedef unsigned long long u64;

#ifdef NATIVE_MAIN
#define EXPORT
#else
#define EXPORT __attribute__((export_name("run")))
#endif

/* Folds a double's bits into 32 bits. */
static inline u32 fold_f64(double d) {
  union { double d; u64 u; } v;
  v.d = d;
  return (u32)(v.u ^ (v.u >> 32));
}

EXPORT int run(int n);

#ifdef NATIVE_MAIN
int printf(const char *, ...);
int atoi(const char *);
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("%d\n", run(atoi(argv[i])));
  return 0;
}
#endif

#endif
