// Sort: n pseudo-random 32-bit integers (n <= 2,000,000) with a quicksort (insertion sort for
// short ranges, explicit stack), then a position-weighted checksum (same as c/sort.c).
const MAXN = 2000000;
const a = new StaticArray<i32>(MAXN);
const stack = new StaticArray<i32>(128);

function insertion(lo: i32, hi: i32): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = unchecked(a[i]);
    let j = i - 1;
    while (j >= lo && unchecked(a[j]) > v) {
      unchecked((a[j + 1] = a[j]));
      j--;
    }
    unchecked((a[j + 1] = v));
  }
}

export function run(n: i32): i32 {
  if (n > MAXN) n = MAXN;
  let x: u32 = 12345;
  for (let i = 0; i < n; i++) {
    x = x * 1103515245 + 12345;
    unchecked((a[i] = <i32>(x ^ (x >> 15))));
  }
  let sp = 0;
  unchecked((stack[sp++] = 0));
  unchecked((stack[sp++] = n - 1));
  while (sp > 0) {
    let hi = unchecked(stack[--sp]);
    let lo = unchecked(stack[--sp]);
    while (hi - lo > 16) {
      const mid = lo + (hi - lo) / 2;
      const p = unchecked(a[mid]);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (unchecked(a[i]) < p) i++;
        while (unchecked(a[j]) > p) j--;
        if (i <= j) {
          const t = unchecked(a[i]);
          unchecked((a[i] = a[j]));
          unchecked((a[j] = t));
          i++;
          j--;
        }
      }
      if (j - lo < hi - i) {
        unchecked((stack[sp++] = i));
        unchecked((stack[sp++] = hi));
        hi = j;
      } else {
        unchecked((stack[sp++] = lo));
        unchecked((stack[sp++] = j));
        lo = i;
      }
    }
    insertion(lo, hi);
  }
  let sum: u32 = 0;
  for (let i = 0; i < n; i++) sum = sum * 16777619 + <u32>unchecked(a[i]) * <u32>(i + 1);
  return <i32>sum;
}
