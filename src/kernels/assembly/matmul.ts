// Matrix products for linearCrossEntropy, on buffers the driver (src/kernels/matmul.ts) copies into
// this module's memory tile by tile. Row-major throughout. One product, written once over a lane
// type T (f32x4 or f64x2; `sizeof<T>()` folds the width switches away, as in elementwise.ts) and
// exported for both: `c = a · bᵀ` with both operands read along K, contiguous. The driver brings
// the backward products to that form by transposing tiles (`transpose_*`), so that every product
// runs the one micro-kernel. Sums are in T (float32 for float32, as PyTorch's float32 matmul); the
// TypeScript twin is matmul.ts's float64 loops, pinned to these by the differential suite.
//
// The micro-kernel: a 2 × 6 block of outputs keeps 12 vector accumulators, and per step of K
// two vectors of a and one reloaded vector of b per column (15 of the 16 xmm registers V8 uses):
// 12 multiply-adds per 8 loads. Measured on in-cache tiles (Zen 4, Node 24, a loaded machine, best
// of several runs): float32 up to ~42–49 GFLOP/s with relaxed SIMD's fused multiply-add (~21–28
// without), float64 ~20–24, against a 2 × 4 block's 33–49 and 15–24 in the same runs — about the
// peak of two 128-bit FMA pipes at ~3 GHz (16 float32 / 8 float64 flops a cycle). PyTorch's
// MKL/oneDNN code is 256-bit AVX2 with FMA: twice the width, out of WebAssembly's reach.
import { MIN_NORMAL, madd } from './math';
import { madd2 } from './math64';

let ZEROS: v128 = f32x4.splat(0);

@inline function vmadd<T>(a: v128, b: v128, c: v128): v128 {
  return sizeof<T>() == 4 ? madd(a, b, c) : madd2(a, b, c);
}

@inline function hsum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    return <T>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

/** Stores `r (+ bias[j]) (+ c)` at c. */
@inline function put<T>(c: usize, r: T, bias: usize, j: i32, accumulate: bool): void {
  let v = r;
  if (bias) v += load<T>(bias + (<usize>j * sizeof<T>()));
  if (accumulate) v += load<T>(c);
  store<T>(c, v);
}

/** One output: `Σ_k x[k] y[k]`, two accumulators, the K tail in scalars. */
function dot<T>(x: usize, y: usize, K: i32): T {
  const L = <i32>(16 / sizeof<T>());
  const KL = K - K % L;
  const bytes = <usize>sizeof<T>();
  let s0 = ZEROS, s1 = ZEROS;
  let k = 0;
  for (; k + 2 * L <= KL; k += 2 * L) {
    const o = <usize>k * bytes;
    s0 = vmadd<T>(v128.load(x + o), v128.load(y + o), s0);
    s1 = vmadd<T>(v128.load(x + o, 16), v128.load(y + o, 16), s1);
  }
  for (; k < KL; k += L) s0 = vmadd<T>(v128.load(x + <usize>k * bytes), v128.load(y + <usize>k * bytes), s0);
  let r = hsum<T>(sizeof<T>() == 4 ? f32x4.add(s0, s1) : f64x2.add(s0, s1));
  for (; k < K; k++) r += load<T>(x + <usize>k * bytes) * load<T>(y + <usize>k * bytes);
  return r;
}

/**
 * Bytes of a row of a and b per pass (K blocking): 6 rows of b then take 24 KiB of L1 (float32,
 * K = 1024: one pass). Measured against 1 KiB passes: the same or faster on the forward product,
 * and the backward ones (short K) unchanged.
 */
const KC_BYTES: i32 = 4096;

/**
 * `c[i, j] = Σ_k a[i, k] · b[j, k] (+ bias[j]) (+ c[i, j] with accumulate)`: a `[M, K]`, b `[N, K]`
 * (so `a · bᵀ`), c `[M, N]` with row stride `ldc`; `bias` 0 for none. K is cut into passes of
 * KC_BYTES; in each, a block of 6 rows of b stays in L1 while every row pair of a streams past it
 * (from L2), and the pass adds its partial sums into c (the first pass of a call without
 * `accumulate` overwrites).
 */
@inline function matmulNT<T>(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, ldc: i32, bias: usize, accumulate: bool): void {
  const KC = KC_BYTES / <i32>sizeof<T>();
  for (let k0 = 0; k0 < K; k0 += KC) {
    passNT<T>(a, b, c, M, N, K, k0, min(KC, K - k0), ldc, k0 == 0 ? bias : 0, accumulate || k0 > 0);
  }
  // K = 0: every output is its bias (or unchanged)
  if (K == 0) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) put<T>(c + (<usize>i * <usize>ldc + <usize>j) * sizeof<T>(), <T>0, bias, j, accumulate);
}

/** One pass of matmulNT over k0 ≤ k < k0 + kw. */
@inline function passNT<T>(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, k0: i32, kw: i32, ldc: i32, bias: usize, accumulate: bool): void {
  const L = <i32>(16 / sizeof<T>());
  const bytes = <usize>sizeof<T>();
  const rowBytes = <usize>K * bytes;
  const start = <usize>k0 * bytes;
  const vecEnd = start + <usize>(kw - kw % L) * bytes;
  const end = start + <usize>kw * bytes;
  const ldcB = <usize>ldc * bytes;
  let j = 0;
  for (; j + 6 <= N; j += 6) {
    const b0 = b + <usize>j * rowBytes;
    const b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes, b4 = b3 + rowBytes, b5 = b4 + rowBytes;
    let i = 0;
    for (; i + 2 <= M; i += 2) {
      const a0 = a + <usize>i * rowBytes;
      const a1 = a0 + rowBytes;
      let s00 = ZEROS, s01 = ZEROS, s02 = ZEROS, s03 = ZEROS, s04 = ZEROS, s05 = ZEROS;
      let s10 = ZEROS, s11 = ZEROS, s12 = ZEROS, s13 = ZEROS, s14 = ZEROS, s15 = ZEROS;
      for (let o = start; o < vecEnd; o += 16) {
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        let w = v128.load(b0 + o);
        s00 = vmadd<T>(x0, w, s00);
        s10 = vmadd<T>(x1, w, s10);
        w = v128.load(b1 + o);
        s01 = vmadd<T>(x0, w, s01);
        s11 = vmadd<T>(x1, w, s11);
        w = v128.load(b2 + o);
        s02 = vmadd<T>(x0, w, s02);
        s12 = vmadd<T>(x1, w, s12);
        w = v128.load(b3 + o);
        s03 = vmadd<T>(x0, w, s03);
        s13 = vmadd<T>(x1, w, s13);
        w = v128.load(b4 + o);
        s04 = vmadd<T>(x0, w, s04);
        s14 = vmadd<T>(x1, w, s14);
        w = v128.load(b5 + o);
        s05 = vmadd<T>(x0, w, s05);
        s15 = vmadd<T>(x1, w, s15);
      }
      let r00 = hsum<T>(s00), r01 = hsum<T>(s01), r02 = hsum<T>(s02), r03 = hsum<T>(s03), r04 = hsum<T>(s04), r05 = hsum<T>(s05);
      let r10 = hsum<T>(s10), r11 = hsum<T>(s11), r12 = hsum<T>(s12), r13 = hsum<T>(s13), r14 = hsum<T>(s14), r15 = hsum<T>(s15);
      for (let o = vecEnd; o < end; o += bytes) {
        const x0 = load<T>(a0 + o), x1 = load<T>(a1 + o);
        const w0 = load<T>(b0 + o), w1 = load<T>(b1 + o), w2 = load<T>(b2 + o), w3 = load<T>(b3 + o), w4 = load<T>(b4 + o), w5 = load<T>(b5 + o);
        r00 += x0 * w0; r01 += x0 * w1; r02 += x0 * w2; r03 += x0 * w3; r04 += x0 * w4; r05 += x0 * w5;
        r10 += x1 * w0; r11 += x1 * w1; r12 += x1 * w2; r13 += x1 * w3; r14 += x1 * w4; r15 += x1 * w5;
      }
      const p0 = c + <usize>i * ldcB + <usize>j * bytes;
      const p1 = p0 + ldcB;
      put<T>(p0, r00, bias, j, accumulate); put<T>(p0 + bytes, r01, bias, j + 1, accumulate); put<T>(p0 + 2 * bytes, r02, bias, j + 2, accumulate);
      put<T>(p0 + 3 * bytes, r03, bias, j + 3, accumulate); put<T>(p0 + 4 * bytes, r04, bias, j + 4, accumulate); put<T>(p0 + 5 * bytes, r05, bias, j + 5, accumulate);
      put<T>(p1, r10, bias, j, accumulate); put<T>(p1 + bytes, r11, bias, j + 1, accumulate); put<T>(p1 + 2 * bytes, r12, bias, j + 2, accumulate);
      put<T>(p1 + 3 * bytes, r13, bias, j + 3, accumulate); put<T>(p1 + 4 * bytes, r14, bias, j + 4, accumulate); put<T>(p1 + 5 * bytes, r15, bias, j + 5, accumulate);
    }
    // an odd last row of a
    for (; i < M; i++) {
      for (let q = 0; q < 6; q++) put<T>(c + <usize>i * ldcB + <usize>(j + q) * bytes, dot<T>(a + <usize>i * rowBytes + start, b + <usize>(j + q) * rowBytes + start, kw), bias, j + q, accumulate);
    }
  }
  // the last N mod 6 columns
  for (; j < N; j++) {
    for (let i = 0; i < M; i++) put<T>(c + <usize>i * ldcB + <usize>j * bytes, dot<T>(a + <usize>i * rowBytes + start, b + <usize>j * rowBytes + start, kw), bias, j, accumulate);
  }
}

/** `dst[j, i] = src[i, j]`: src `[rows, cols]`, dst `[cols, rows]`, in blocks of 8 × 8 (both sides stay in L1). */
@inline function transpose<T>(src: usize, rows: i32, cols: i32, dst: usize): void {
  const bytes = <usize>sizeof<T>();
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const i1 = min(rows, i0 + 8);
    for (let j0 = 0; j0 < cols; j0 += 8) {
      const j1 = min(cols, j0 + 8);
      for (let i = i0; i < i1; i++) {
        const from = src + (<usize>i * <usize>cols) * bytes;
        for (let j = j0; j < j1; j++) store<T>(dst + (<usize>j * <usize>rows + <usize>i) * bytes, load<T>(from + <usize>j * bytes));
      }
    }
  }
}

export function matmulNT_f32(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, ldc: i32, bias: usize, accumulate: bool): void {
  matmulNT<f32>(a, b, c, M, N, K, ldc, bias, accumulate);
}
export function matmulNT_f64(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, ldc: i32, bias: usize, accumulate: bool): void {
  matmulNT<f64>(a, b, c, M, N, K, ldc, bias, accumulate);
}
export function transpose_f32(src: usize, rows: i32, cols: i32, dst: usize): void {
  transpose<f32>(src, rows, cols, dst);
}
export function transpose_f64(src: usize, rows: i32, cols: i32, dst: usize): void {
  transpose<f64>(src, rows, cols, dst);
}

/**
 * Subnormal floats (|v| < 2^-126) at p, n of them, set to 0 in place; NaN, ±inf and everything
 * else kept. The linear layer's backward pass runs it on each tile of cross-entropy's gradient
 * before the products: softmax entries e / Σ below 2^-126 are common where the logits spread over
 * hundreds (4.4% of a [512, 8192] gradient of logits x·Wᵀ with x in [−3, 3], W in [0.1, 2.1]), and
 * products with subnormal operands took the float32 matmul from 0.44 s to 6.7 s on this machine.
 * The softmax kernels already flush their exps below 2^-126 (math.ts); an entry flushed here
 * changes a gradient product by less than 2^-126 times the weights.
 */
export function flushSubnormals_f32(p: usize, n: i32): void {
  const min = MIN_NORMAL;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = p + (<usize>i << 2);
    const v = v128.load(at);
    v128.store(at, v128.andnot(v, f32x4.lt(f32x4.abs(v), min)));
  }
  for (; i < n; i++) {
    const at = p + (<usize>i << 2);
    if (Math.abs(load<f32>(at)) < f32x4.extract_lane(min, 0)) store<f32>(at, 0);
  }
}
