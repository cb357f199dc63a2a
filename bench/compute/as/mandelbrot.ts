// Mandelbrot: an n x n grid over [-2, 0.5] x [-1.25, 1.25], up to 64 iterations per point;
// returns a checksum of the iteration counts (same as c/mandelbrot.c).
export function run(n: i32): i32 {
  let sum: u32 = 0;
  for (let py = 0; py < n; py++) {
    const ci = (<f64>py * 2.5) / <f64>n - 1.25;
    for (let px = 0; px < n; px++) {
      const cr = (<f64>px * 2.5) / <f64>n - 2.0;
      let zr = 0.0;
      let zi = 0.0;
      let it = 0;
      while (it < 64 && zr * zr + zi * zi <= 4.0) {
        const t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        it++;
      }
      sum = sum * 31 + <u32>it;
    }
  }
  return <i32>sum;
}
