// N-body: the five Jovian bodies of the Benchmarks Game, n steps of 0.01; returns the final
// energy's bits, folded (same as c/nbody.c).
const PI = 3.141592653589793;
const SOLAR_MASS = 4 * PI * PI;
const DAYS = 365.24;
const NB = 5;

const x = new StaticArray<f64>(NB);
const y = new StaticArray<f64>(NB);
const z = new StaticArray<f64>(NB);
const vx = new StaticArray<f64>(NB);
const vy = new StaticArray<f64>(NB);
const vz = new StaticArray<f64>(NB);
const m = new StaticArray<f64>(NB);

const INIT: StaticArray<f64> = [
  0, 0, 0, 0, 0, 0, 1,
  4.8414314424647209, -1.16032004402742839, -1.03622044471123109e-1, 1.66007664274403694e-3,
  7.69901118419740425e-3, -6.90460016972063023e-5, 9.54791938424326609e-4,
  8.34336671824457987, 4.12479856412430479, -4.03523417114321381e-1, -2.76742510726862411e-3,
  4.99852801234917238e-3, 2.30417297573763929e-5, 2.85885980666130812e-4,
  1.2894369562139131e1, -1.51111514016986312e1, -2.23307578892655734e-1, 2.96460137564761618e-3,
  2.3784717395948095e-3, -2.96589568540237556e-5, 4.36624404335156298e-5,
  1.53796971148509165e1, -2.59193146099879641e1, 1.79258772950371181e-1, 2.68067772490389322e-3,
  1.62824170038242295e-3, -9.5159225451971587e-5, 5.15138902046611451e-5,
];

function init(): void {
  for (let i = 0; i < NB; i++) {
    unchecked((x[i] = INIT[i * 7]));
    unchecked((y[i] = INIT[i * 7 + 1]));
    unchecked((z[i] = INIT[i * 7 + 2]));
    unchecked((vx[i] = INIT[i * 7 + 3] * DAYS));
    unchecked((vy[i] = INIT[i * 7 + 4] * DAYS));
    unchecked((vz[i] = INIT[i * 7 + 5] * DAYS));
    unchecked((m[i] = INIT[i * 7 + 6] * SOLAR_MASS));
  }
  let px = 0.0;
  let py = 0.0;
  let pz = 0.0;
  for (let i = 0; i < NB; i++) {
    px += unchecked(vx[i]) * unchecked(m[i]);
    py += unchecked(vy[i]) * unchecked(m[i]);
    pz += unchecked(vz[i]) * unchecked(m[i]);
  }
  unchecked((vx[0] = -px / SOLAR_MASS));
  unchecked((vy[0] = -py / SOLAR_MASS));
  unchecked((vz[0] = -pz / SOLAR_MASS));
}

function advance(dt: f64): void {
  for (let i = 0; i < NB; i++) {
    for (let j = i + 1; j < NB; j++) {
      const dx = unchecked(x[i]) - unchecked(x[j]);
      const dy = unchecked(y[i]) - unchecked(y[j]);
      const dz = unchecked(z[i]) - unchecked(z[j]);
      const d2 = dx * dx + dy * dy + dz * dz;
      const mag = dt / (d2 * Math.sqrt(d2));
      const mi = unchecked(m[i]);
      const mj = unchecked(m[j]);
      unchecked((vx[i] -= dx * mj * mag));
      unchecked((vy[i] -= dy * mj * mag));
      unchecked((vz[i] -= dz * mj * mag));
      unchecked((vx[j] += dx * mi * mag));
      unchecked((vy[j] += dy * mi * mag));
      unchecked((vz[j] += dz * mi * mag));
    }
  }
  for (let i = 0; i < NB; i++) {
    unchecked((x[i] += dt * vx[i]));
    unchecked((y[i] += dt * vy[i]));
    unchecked((z[i] += dt * vz[i]));
  }
}

function energy(): f64 {
  let e = 0.0;
  for (let i = 0; i < NB; i++) {
    const mi = unchecked(m[i]);
    e += 0.5 * mi * (unchecked(vx[i]) * unchecked(vx[i]) + unchecked(vy[i]) * unchecked(vy[i]) + unchecked(vz[i]) * unchecked(vz[i]));
    for (let j = i + 1; j < NB; j++) {
      const dx = unchecked(x[i]) - unchecked(x[j]);
      const dy = unchecked(y[i]) - unchecked(y[j]);
      const dz = unchecked(z[i]) - unchecked(z[j]);
      e -= (mi * unchecked(m[j])) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

export function run(n: i32): i32 {
  init();
  for (let s = 0; s < n; s++) advance(0.01);
  const bits = reinterpret<u64>(energy());
  return <i32>(bits ^ (bits >> 32));
}
