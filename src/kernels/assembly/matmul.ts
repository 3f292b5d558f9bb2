// Float32 matrix products for linearCrossEntropy (f32x4, register-blocked), on buffers the driver
// (src/kernels/matmul.ts) copies into this module's memory tile by tile. Row-major throughout.
// Sums are float32 (as PyTorch's float32 matmul); their TypeScript twin is matmul.ts's float64 one.
import { madd } from './math';

let ZEROS: v128 = f32x4.splat(0);

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/**
 * `c[i, j] = Σ_k a[i, k] · b[j, k] (+ bias[j])`: a `[M, K]`, b `[N, K]` (so `a · bᵀ`: both read
 * along K, contiguous), c `[M, N]` with row stride `ldc`; `bias` 0 for none. A 2 × 4 block of
 * outputs keeps 8 accumulators (two rows of a, four of b: 14 of the 16 vector registers, no spills)
 * and the K tail (K mod 4) is summed in scalars.
 */
export function matmulNT(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, ldc: i32, bias: usize): void {
  const K4 = K & ~3;
  const rowBytes = <usize>K << 2;
  let i = 0;
  for (; i + 2 <= M; i += 2) {
    const a0 = a + <usize>i * rowBytes;
    const a1 = a0 + rowBytes;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = b + <usize>j * rowBytes;
      const b1 = b0 + rowBytes;
      const b2 = b1 + rowBytes;
      const b3 = b2 + rowBytes;
      let s00 = ZEROS, s01 = ZEROS, s02 = ZEROS, s03 = ZEROS;
      let s10 = ZEROS, s11 = ZEROS, s12 = ZEROS, s13 = ZEROS;
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        const w0 = v128.load(b0 + o);
        const w1 = v128.load(b1 + o);
        const w2 = v128.load(b2 + o);
        const w3 = v128.load(b3 + o);
        s00 = madd(x0, w0, s00);
        s01 = madd(x0, w1, s01);
        s02 = madd(x0, w2, s02);
        s03 = madd(x0, w3, s03);
        s10 = madd(x1, w0, s10);
        s11 = madd(x1, w1, s11);
        s12 = madd(x1, w2, s12);
        s13 = madd(x1, w3, s13);
      }
      let r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
      let r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        const w0 = load<f32>(b0 + o), w1 = load<f32>(b1 + o), w2 = load<f32>(b2 + o), w3 = load<f32>(b3 + o);
        r00 += x0 * w0; r01 += x0 * w1; r02 += x0 * w2; r03 += x0 * w3;
        r10 += x1 * w0; r11 += x1 * w1; r12 += x1 * w2; r13 += x1 * w3;
      }
      if (bias) {
        const q0 = load<f32>(bias + (<usize>j << 2)), q1 = load<f32>(bias + (<usize>j << 2), 4);
        const q2 = load<f32>(bias + (<usize>j << 2), 8), q3 = load<f32>(bias + (<usize>j << 2), 12);
        r00 += q0; r01 += q1; r02 += q2; r03 += q3;
        r10 += q0; r11 += q1; r12 += q2; r13 += q3;
      }
      const c0 = c + ((<usize>i * <usize>ldc + <usize>j) << 2);
      const c1 = c0 + (<usize>ldc << 2);
      store<f32>(c0, r00); store<f32>(c0, r01, 4); store<f32>(c0, r02, 8); store<f32>(c0, r03, 12);
      store<f32>(c1, r10); store<f32>(c1, r11, 4); store<f32>(c1, r12, 8); store<f32>(c1, r13, 12);
    }
    for (; j < N; j++) {
      store<f32>(c + ((<usize>i * <usize>ldc + <usize>j) << 2), dot(a0, b + <usize>j * rowBytes, K, bias, j));
      store<f32>(c + (((<usize>i + 1) * <usize>ldc + <usize>j) << 2), dot(a1, b + <usize>j * rowBytes, K, bias, j));
    }
  }
  for (; i < M; i++) {
    const a0 = a + <usize>i * rowBytes;
    for (let j = 0; j < N; j++) store<f32>(c + ((<usize>i * <usize>ldc + <usize>j) << 2), dot(a0, b + <usize>j * rowBytes, K, bias, j));
  }
}

/** One output of matmulNT: `Σ_k x[k] y[k] (+ bias[j])`, two accumulators. */
function dot(x: usize, y: usize, K: i32, bias: usize, j: i32): f32 {
  const K4 = K & ~3;
  let s0 = ZEROS, s1 = ZEROS;
  let k = 0;
  for (; k + 8 <= K4; k += 8) {
    const o = <usize>k << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
    s1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), s1);
  }
  for (; k < K4; k += 4) s0 = madd(v128.load(x + (<usize>k << 2)), v128.load(y + (<usize>k << 2)), s0);
  let r = hsum(f32x4.add(s0, s1));
  for (; k < K; k++) r += load<f32>(x + (<usize>k << 2)) * load<f32>(y + (<usize>k << 2));
  return bias ? r + load<f32>(bias + (<usize>j << 2)) : r;
}

/**
 * `c[i, :] += Σ_k a(i, k) · b[k, :]`: a(i, k) at `a + 4 (i · ai + k · ak)` (strides in floats, so
 * that `a` or its transpose is read in place), b `[K, N]` with row stride `ldb`, c `[M, N]` with
 * row stride `ldc`. A 4 × 8 block of outputs (8 accumulators: four rows, two vectors of columns)
 * takes per k two vectors of b and four splats of a. Columns beyond a multiple of 4 are scalar.
 */
export function matmulAcc(a: usize, ai: i32, ak: i32, b: usize, ldb: i32, c: usize, ldc: i32, M: i32, N: i32, K: i32): void {
  const aiB = <usize>ai << 2;
  const akB = <usize>ak << 2;
  const ldbB = <usize>ldb << 2;
  const ldcB = <usize>ldc << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ar = a + <usize>i * aiB;
    const cr = c + <usize>i * ldcB;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const col = <usize>j << 2;
      let s00 = ZEROS, s01 = ZEROS, s10 = ZEROS, s11 = ZEROS;
      let s20 = ZEROS, s21 = ZEROS, s30 = ZEROS, s31 = ZEROS;
      for (let k = 0; k < K; k++) {
        const bk = b + <usize>k * ldbB + col;
        const w0 = v128.load(bk);
        const w1 = v128.load(bk, 16);
        const ak0 = ar + <usize>k * akB;
        const x0 = v128.load32_splat(ak0);
        const x1 = v128.load32_splat(ak0 + aiB);
        const x2 = v128.load32_splat(ak0 + 2 * aiB);
        const x3 = v128.load32_splat(ak0 + 3 * aiB);
        s00 = madd(x0, w0, s00);
        s01 = madd(x0, w1, s01);
        s10 = madd(x1, w0, s10);
        s11 = madd(x1, w1, s11);
        s20 = madd(x2, w0, s20);
        s21 = madd(x2, w1, s21);
        s30 = madd(x3, w0, s30);
        s31 = madd(x3, w1, s31);
      }
      const c0 = cr + col;
      v128.store(c0, f32x4.add(v128.load(c0), s00));
      v128.store(c0, f32x4.add(v128.load(c0, 16), s01), 16);
      const c1 = c0 + ldcB;
      v128.store(c1, f32x4.add(v128.load(c1), s10));
      v128.store(c1, f32x4.add(v128.load(c1, 16), s11), 16);
      const c2 = c1 + ldcB;
      v128.store(c2, f32x4.add(v128.load(c2), s20));
      v128.store(c2, f32x4.add(v128.load(c2, 16), s21), 16);
      const c3 = c2 + ldcB;
      v128.store(c3, f32x4.add(v128.load(c3), s30));
      v128.store(c3, f32x4.add(v128.load(c3, 16), s31), 16);
    }
    for (let r = 0; r < 4; r++) accumulateColumns(ar + <usize>r * aiB, akB, b, ldbB, cr + <usize>r * ldcB, j, N, K);
  }
  for (; i < M; i++) accumulateColumns(a + <usize>i * aiB, akB, b, ldbB, c + <usize>i * ldcB, 0, N, K);
}

/** One row of matmulAcc from column j0: vectors of 4 columns, then scalars. */
function accumulateColumns(ar: usize, akB: usize, b: usize, ldbB: usize, cr: usize, j0: i32, N: i32, K: i32): void {
  let j = j0;
  for (; j + 4 <= N; j += 4) {
    const col = <usize>j << 2;
    let s = ZEROS;
    for (let k = 0; k < K; k++) s = madd(v128.load32_splat(ar + <usize>k * akB), v128.load(b + <usize>k * ldbB + col), s);
    v128.store(cr + col, f32x4.add(v128.load(cr + col), s));
  }
  for (; j < N; j++) {
    const col = <usize>j << 2;
    let s: f32 = 0;
    for (let k = 0; k < K; k++) s += load<f32>(ar + <usize>k * akB) * load<f32>(b + <usize>k * ldbB + col);
    store<f32>(cr + col, load<f32>(cr + col) + s);
  }
}
