/* Mandelbrot: an n x n grid over [-2, 0.5] x [-1.25, 1.25], up to 64 iterations per point;
 * returns a checksum of the iteration counts. */
#include "kernel.h"

EXPORT int run(int n) {
  u32 sum = 0;
  for (int py = 0; py < n; py++) {
    double ci = (double)py * 2.5 / (double)n - 1.25;
    for (int px = 0; px < n; px++) {
      double cr = (double)px * 2.5 / (double)n - 2.0;
      double zr = 0.0, zi = 0.0;
      int it = 0;
      while (it < 64 && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        it++;
      }
      sum = sum * 31u + (u32)it;
    }
  }
  return (int)sum;
}
