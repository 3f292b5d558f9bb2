// The activations' kernels (src/activations/): the pointwise ones (sigmoid, logSigmoid, softplus)
// and the softmax family (softmax, logSoftmax, logSumExp) along any dimension, forward and
// vector–Jacobian product with the upstream gradient g, written once over the lane type T as the
// elementwise loss kernels (elementwise.ts, whose lane helpers these use): f32x4, exported as
// <name>_f32, and f64x2, <name>_f64. The TypeScript activations are the reference; the differential
// suite (test/differential.test.ts) pins every kernel to them in both dtypes.
//
// Buffers are the driver's scratch regions (src/kernels/wasm.ts, activationWasm and softmaxWasm),
// each padded by one vector: a loop runs over whole vectors, so the lanes past the end of a
// pointwise chunk, of a row or of a strided row's columns read whatever follows and write into the
// padding or into elements that are written again later (rows and columns go in increasing order).
// g = 0 means an upstream gradient of ones; grad = 0 means the forward pass only.
import { c, expNonPositive, lanes, ld, log1pSmall, splat, st } from './elementwise';
import { expNonPositiveLocal, expSumOf, rowMaxOf, tiesOf } from './class-rows';
import {
  EXP_MIN_ARG, EXP_NEG_MAX, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, EXPN_Q0, EXPN_Q1, EXPN_Q2, EXPN_Q3, EXPN_Q4, LN2_HI, LN2_LO, LOG2E,
  NEG_LOG2E, ONE, ROUND_MAGIC_BIASED, expNegWith, select,
} from './math';
import { exp2d } from './math64';

let ZERO_32: v128 = f32x4.splat(0);
let ZERO_64: v128 = f64x2.splat(0);
let ONE_32: v128 = f32x4.splat(1);
let ONE_64: v128 = f64x2.splat(1);
let NEG_INF_32: v128 = f32x4.splat(-Infinity);
let NEG_INF_64: v128 = f64x2.splat(-Infinity);
let LANE_INDEX_32: v128 = f32x4(0, 1, 2, 3);
let LANE_INDEX_64: v128 = f64x2(0, 1);

// ---- pointwise: sigmoid, logSigmoid, softplus ------------------------------------------------

const SIGMOID = 0;
const LOG_SIGMOID = 1;
const SOFTPLUS = 2;

let SIGMOID_MIN_32: v128 = f32x4.splat(-89);
let SIGN_32: v128 = i32x4.splat(0x80000000);
let SIGN_64: v128 = i64x2.splat(0x8000000000000000);

/**
 * exp(−a) for a in [−89, 88] (f32) or any a (f64), the f32 constants passed in as locals (see
 * expNonPositiveLocal in class-rows.ts): math.ts's expNegWith, math64.ts's exp2d.
 */
@inline function expNeg<T>(
  a: v128, nl2e: v128, mag: v128, hi: v128, lo: v128, q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, o1: v128,
): v128 {
  if (sizeof<T>() == 4) return expNegWith(a, nl2e, mag, hi, lo, q0, q1, q2, q3, q4, o1);
  return exp2d(v128.xor(a, SIGN_64));
}

/**
 * value and slope (∂value/∂x, times g into grad) of n elements, as the TypeScript withGrad loops
 * (src/activations/sigmoid.ts):
 *   sigmoid:    σ(x) = 1 / (1 + E) with E = exp(−x), x clamped to [−89, 88] in f32 (expNegWith's
 *               range; E is +inf below −88.4, σ 0, below 4e-39 in the reference too); σ'(x) = E σ²,
 *               taken as min(1, E σ) σ: E σ = E / (1 + E) < 1 where E is finite, and E = inf (f32
 *               below −88.4, f64 below −709.78) gives E σ = NaN, min 1 (pmin returns its first
 *               operand unless the second is smaller), slope 0. One exp, one division, no select:
 *               1.6x faster in f32 than the reference's two-branch form (e = exp(−|x|), σ = r or
 *               e r, r = 1 / (1 + e)), 12% in f64. Measured on a dense grid against the float64
 *               reference: f32 within 2 ulp (gradient 4), as the two-branch kernel was (3 and 4);
 *               f64 within 3 ulp (gradient 6), where the two-branch form measured 2 (4).
 *   logSigmoid: e = exp(−|x|) ∈ (0, 1] (never overflowing), r = 1 / (1 + e):
 *               min(x, 0) − log1p(e); slope σ(−x) = e r (x ≥ 0) or r (x < 0).
 *   softplus:   z = βx; x itself where z > threshold (slope 1), else (max(z, 0) + log1p(e)) / β
 *               with slope σ(z) = r (z ≥ 0) or e r. 1/β is rounded to T once (the driver keeps β
 *               within 2^±60).
 * |z| is z with its sign bit cleared (one instruction). In f32, |z| is clamped at 88, where
 * e = 0 (flushed, as every result below about 2^−126). pmin/pmax keep a NaN first operand, so
 * NaN propagates as in the reference. With grad = 0 (the forward pass) the slope is dead code:
 * the compiler drops it. Two vectors per iteration measured no faster (the loop is bound by the
 * number of operations, not by their latency).
 */
@inline function pointwise<T>(kind: i32, x: usize, g: usize, n: i32, beta: f64, threshold: f64, y: usize, grad: usize): void {
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const sign = c<T>(SIGN_32, SIGN_64);
  const b = splat<T>(beta);
  const invB = splat<T>(1 / beta);
  const th = splat<T>(threshold);
  const min32 = SIGMOID_MIN_32, max32 = EXP_NEG_MAX;
  const nl2e = NEG_LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const q0 = EXPN_Q0, q1 = EXPN_Q1, q2 = EXPN_Q2, q3 = EXPN_Q3, q4 = EXPN_Q4, o1 = ONE;
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    let value: v128, slope: v128;
    if (kind == SIGMOID) {
      const xc = sizeof<T>() == 4 ? f32x4.pmin(f32x4.pmax(xv, min32), max32) : xv;
      const E = expNeg<T>(xc, nl2e, mag, hi, lo, q0, q1, q2, q3, q4, o1);
      value = v128.div<T>(one, v128.add<T>(one, E));
      slope = v128.mul<T>(v128.pmin<T>(one, v128.mul<T>(E, value)), value);
    } else {
      const z = kind == SOFTPLUS ? v128.mul<T>(xv, b) : xv;
      const a = v128.andnot(z, sign); // |z|
      const e = expNeg<T>(sizeof<T>() == 4 ? f32x4.pmin(a, max32) : a, nl2e, mag, hi, lo, q0, q1, q2, q3, q4, o1);
      const r = v128.div<T>(one, v128.add<T>(one, e));
      const er = v128.mul<T>(e, r);
      const positive = v128.ge<T>(z, zero);
      if (kind == LOG_SIGMOID) {
        value = v128.sub<T>(v128.pmin<T>(xv, zero), log1pSmall<T>(e));
        slope = select(er, r, positive);
      } else {
        const linear = v128.gt<T>(z, th);
        value = select(xv, v128.mul<T>(v128.add<T>(v128.pmax<T>(z, zero), log1pSmall<T>(e)), invB), linear);
        slope = select(one, select(r, er, positive), linear);
      }
    }
    st<T>(y, i, value);
    if (grad) st<T>(grad, i, g ? v128.mul<T>(ld<T>(g, i), slope) : slope);
  }
}

/**
 * The forward pass and the one with the gradient, each its own loop (V8 does not unswitch loops;
 * the test of g, loop-invariant and predicted, stays inside: a third copy would cost code size).
 */
@inline function pointwiseCases<T>(kind: i32, x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  if (!grad) pointwise<T>(kind, x, 0, n, p1, p2, y, 0);
  else pointwise<T>(kind, x, g, n, p1, p2, y, grad);
}

export function sigmoid_f32(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f32>(SIGMOID, x, g, n, p1, p2, y, grad);
}
export function sigmoid_f64(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f64>(SIGMOID, x, g, n, p1, p2, y, grad);
}
export function logSigmoid_f32(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f32>(LOG_SIGMOID, x, g, n, p1, p2, y, grad);
}
export function logSigmoid_f64(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f64>(LOG_SIGMOID, x, g, n, p1, p2, y, grad);
}
export function softplus_f32(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f32>(SOFTPLUS, x, g, n, p1, p2, y, grad);
}
export function softplus_f64(x: usize, g: usize, n: i32, p1: f64, p2: f64, y: usize, grad: usize): void {
  pointwiseCases<f64>(SOFTPLUS, x, g, n, p1, p2, y, grad);
}

// ---- the softmax family: rows (the last dimension) ---------------------------------------------
//
// As laneSoftmax (src/core/stable.ts), the reference: m = max(x) (NaN skipped here: it shows in the
// sum instead), Σ exp(x − m) = ties + others with the exp(0) = 1 terms of the maxima counted apart,
// log Σ = log1p(ties − 1 + others) in f64, x − m taken first. The max and the exp-sum are the
// cross-entropy kernels' (class-rows.ts), which store e = exp(x − m) where a later pass needs it: in y
// for softmax (then scaled by 1/Σ in place: one exp per element), in grad for the other two's
// gradients. A row whose m or others is not finite (a NaN, a +inf, or only −inf) is counted in
// the return value, and the driver then runs the whole call in TypeScript, which gives PyTorch's
// NaN and ±inf there. The VJPs, from the result y (see alongDimWithGrad in src/activations/softmax.ts):
//   softmax     y (g − Σ g y);   logSoftmax  g − p Σ g (p = exp(x − m) / Σ);   logSumExp  g p.
// Mode: 0 softmax, 1 logSoftmax, 2 logSumExp.

/** Lanes below `rem` of the last vector of a row (true), the rest (false). */
@inline function tailMask<T>(rem: i32): v128 {
  return v128.lt<T>(c<T>(LANE_INDEX_32, LANE_INDEX_64), splat<T>(<f64>rem));
}

@inline function hsum<T>(v: v128): f64 {
  if (sizeof<T>() == 4) return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Vectors of a block whose sums are kept in T lanes before they are added into f64. */
const BLOCK = 64;

/**
 * Σ a (a · b with `b`) over `full` whole vectors at a (and b) and the live lanes (`mask`) of a last
 * partial one when `rem` > 0: T lanes per block of BLOCK vectors, the blocks added in f64.
 */
@inline function rowDot<T>(a: usize, b: usize, full: i32, rem: i32, mask: v128): f64 {
  const w = lanes<T>();
  let total: f64 = 0;
  for (let k0 = 0; k0 < full; k0 += BLOCK) {
    const end = min(full, k0 + BLOCK);
    let s = c<T>(ZERO_32, ZERO_64);
    for (let k = k0; k < end; k++) s = v128.add<T>(s, b ? v128.mul<T>(ld<T>(a, k * w), ld<T>(b, k * w)) : ld<T>(a, k * w));
    total += hsum<T>(s);
  }
  if (rem > 0) total += hsum<T>(v128.and(b ? v128.mul<T>(ld<T>(a, full * w), ld<T>(b, full * w)) : ld<T>(a, full * w), mask));
  return total;
}

@inline function rowsCase<T>(x: usize, g: usize, rows: i32, L: i32, mode: i32, y: usize, grad: usize, lse: usize): i32 {
  const w = lanes<T>();
  const size = <usize>sizeof<T>();
  const one = c<T>(ONE_32, ONE_64);
  const full = L / w; // whole vectors; a last partial one under `mask`
  const rem = L - full * w;
  const mask = tailMask<T>(rem);
  const vectors = full + (rem > 0 ? 1 : 0);
  let bad = 0;
  for (let r = 0; r < rows; r++) {
    const at = <usize>r * <usize>L * size;
    const xr = x + at, yr = y + at, gr = g ? g + at : 0, dr = grad ? grad + at : 0;
    const m = rowMaxOf<T>(xr, L);
    if (!isFinite(m)) {
      bad++;
      continue;
    }
    const others = expSumOf<T>(xr, L, m, mode == 0 ? yr : dr);
    if (!isFinite(others)) {
      bad++;
      continue;
    }
    const ties = <f64>tiesOf<T>();
    const sum = ties + others;
    const logSum = Math.log1p(ties - 1 + others);
    if (mode == 2) {
      const v = <f64>m + logSum;
      store<T>(lse + <usize>r * size, <T>v);
      if (grad) {
        // exp(x − y) as e · exp(m − y), y in f64 as the reference's (see finish).
        const scale = splat<T>(Math.exp(<f64>m - v) * (g ? <f64>load<T>(g + <usize>r * size) : 1));
        for (let k = 0; k < vectors; k++) st<T>(dr, k * w, v128.mul<T>(ld<T>(dr, k * w), scale));
      }
    } else if (mode == 1) {
      // (x − m) − log Σ, x − m first
      const mv = splat<T>(<f64>m), ls = splat<T>(logSum);
      if (!grad) {
        for (let k = 0; k < vectors; k++) st<T>(yr, k * w, v128.sub<T>(v128.sub<T>(ld<T>(xr, k * w), mv), ls));
      } else {
        // g − e Σ g / Σ
        const gs = splat<T>((gr ? rowDot<T>(gr, 0, full, rem, mask) : <f64>L) / sum);
        for (let k = 0; k < vectors; k++) {
          st<T>(yr, k * w, v128.sub<T>(v128.sub<T>(ld<T>(xr, k * w), mv), ls));
          st<T>(dr, k * w, v128.sub<T>(gr ? ld<T>(gr, k * w) : one, v128.mul<T>(ld<T>(dr, k * w), gs)));
        }
      }
    } else {
      const inv = splat<T>(1 / sum);
      for (let k = 0; k < vectors; k++) st<T>(yr, k * w, v128.mul<T>(ld<T>(yr, k * w), inv));
      if (grad) {
        // y (g − Σ g y)
        const s = splat<T>(gr ? rowDot<T>(gr, yr, full, rem, mask) : rowDot<T>(yr, 0, full, rem, mask));
        for (let k = 0; k < vectors; k++) st<T>(dr, k * w, v128.mul<T>(ld<T>(yr, k * w), v128.sub<T>(gr ? ld<T>(gr, k * w) : one, s)));
      }
    }
  }
  return bad;
}

/** The forward pass and the one with the gradient, each its own loops (the mode and g tested inside, as pointwiseCases). */
@inline function rowsCases<T>(x: usize, g: usize, rows: i32, L: i32, mode: i32, y: usize, grad: usize, lse: usize): i32 {
  if (!grad) return rowsCase<T>(x, 0, rows, L, mode, y, 0, lse);
  return rowsCase<T>(x, g, rows, L, mode, y, grad, lse);
}

/** `rows` contiguous rows of L: softmax / logSoftmax into y, logSumExp into lse, VJP into grad. */
export function softmaxRows_f32(x: usize, g: usize, rows: i32, L: i32, mode: i32, y: usize, grad: usize, lse: usize): i32 {
  return rowsCases<f32>(x, g, rows, L, mode, y, grad, lse);
}
export function softmaxRows_f64(x: usize, g: usize, rows: i32, L: i32, mode: i32, y: usize, grad: usize, lse: usize): i32 {
  return rowsCases<f64>(x, g, rows, L, mode, y, grad, lse);
}

// ---- the softmax family along any other dimension ----------------------------------------------
//
// A tensor seen as [outer, L, inner] with inner > 1 (softmax over dim 0 of [4096, 1000]: L = 4096,
// inner = 1000). The lanes are the inner columns, L rows of them apart; SIMD runs across the
// columns, and the driver streams contiguous chunks of rows through, twice: softmaxStats gathers
// each column's m, others, ties and acc (online: when a block of rows raises m, the sums so far
// are scaled by exp(m_old − m_new), the old ties joining the others), softmaxFinish turns them into
// what softmaxApply needs, and softmaxApply writes y and grad. acc is Σ g exp(x − m) for softmax
// (Σ g y = acc / Σ), Σ g for logSoftmax. The state is four arrays of `inner` T at `state`, each
// padded to whole vectors: m, others (then 1/Σ), ties (then log Σ), acc.

@inline function stateStride<T>(inner: i32): usize {
  return <usize>((inner + lanes<T>() - 1) & ~(lanes<T>() - 1)) * sizeof<T>();
}

@inline function statsCase<T>(x: usize, g: usize, rows: i32, inner: i32, mode: i32, grad: i32, state: usize, first: i32): void {
  const w = lanes<T>();
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const stride = stateStride<T>(inner);
  const mn = EXP_MIN_ARG, l2e = LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const q0 = EXP_P0, q1 = EXP_P1, q2 = EXP_P2, q3 = EXP_P3, q4 = EXP_P4, q5 = EXP_P5, o1 = ONE;
  for (let col = 0; col < inner; col += w) {
    const sp = state + (<usize>col) * sizeof<T>();
    let m = first ? c<T>(NEG_INF_32, NEG_INF_64) : v128.load(sp);
    let others = first ? zero : v128.load(sp + stride);
    let ties = first ? zero : v128.load(sp + 2 * stride);
    let acc = first ? zero : v128.load(sp + 3 * stride);
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = min(rows, r0 + BLOCK);
      let bm = m;
      for (let r = r0; r < r1; r++) bm = v128.pmax<T>(bm, ld<T>(x, r * inner + col));
      // m − bm is 0 where m stays (−inf − −inf would be NaN: those lanes keep their sums).
      const raised = v128.ne<T>(m, bm);
      const scale = expNonPositive<T>(v128.sub<T>(m, bm));
      others = v128.bitselect(v128.mul<T>(v128.add<T>(others, ties), scale), others, raised);
      ties = v128.andnot(ties, raised);
      if (mode == 0 && grad) acc = v128.bitselect(v128.mul<T>(acc, scale), acc, raised);
      m = bm;
      let o = zero, t = zero, a = zero;
      for (let r = r0; r < r1; r++) {
        const i = r * inner + col;
        const d = v128.sub<T>(ld<T>(x, i), m);
        const e = expNonPositiveLocal<T>(d, mn, l2e, mag, hi, lo, q0, q1, q2, q3, q4, q5, o1);
        const tie = v128.eq<T>(d, zero);
        o = v128.add<T>(o, v128.andnot(e, tie));
        t = v128.add<T>(t, v128.and(one, tie));
        if (grad && mode == 0) a = v128.add<T>(a, g ? v128.mul<T>(ld<T>(g, i), e) : e);
        if (grad && mode == 1) a = v128.add<T>(a, g ? ld<T>(g, i) : one);
      }
      others = v128.add<T>(others, o);
      ties = v128.add<T>(ties, t);
      acc = v128.add<T>(acc, a);
    }
    v128.store(sp, m);
    v128.store(sp + stride, others);
    v128.store(sp + 2 * stride, ties);
    v128.store(sp + 3 * stride, acc);
  }
}

@inline function statsCases<T>(x: usize, g: usize, rows: i32, inner: i32, mode: i32, grad: i32, state: usize, first: i32): void {
  if (mode == 2 || !grad) statsCase<T>(x, 0, rows, inner, 2, 0, state, first);
  else if (mode == 0) statsCase<T>(x, g, rows, inner, 0, 1, state, first);
  else statsCase<T>(x, g, rows, inner, 1, 1, state, first);
}

/** A chunk of `rows` rows of `inner` columns into the column state (`first`: the state starts here). */
export function softmaxStats_f32(x: usize, g: usize, rows: i32, inner: i32, mode: i32, grad: i32, state: usize, first: i32): void {
  statsCases<f32>(x, g, rows, inner, mode, grad, state, first);
}
export function softmaxStats_f64(x: usize, g: usize, rows: i32, inner: i32, mode: i32, grad: i32, state: usize, first: i32): void {
  statsCases<f64>(x, g, rows, inner, mode, grad, state, first);
}

/**
 * Per column: 1/Σ into others, log Σ into ties, acc / Σ (Σ g y) into acc for softmax, and for
 * logSumExp y = m + log Σ into lse and exp(m − y) into others: the gradient exp(x − y) is then
 * exp(x − m) exp(m − y), which is exp(x − m) / Σ unless m + log Σ rounds (a lane of equal −1e38
 * has y = m in float64, and PyTorch's formula, the reference, gives exp(0) = 1 there).
 * Returns how many columns are not finite (see above).
 */
@inline function finish<T>(inner: i32, mode: i32, state: usize, lse: usize): i32 {
  const stride = stateStride<T>(inner);
  let bad = 0;
  for (let col = 0; col < inner; col++) {
    const p = state + (<usize>col) * sizeof<T>();
    const m = <f64>load<T>(p);
    const others = <f64>load<T>(p + stride);
    const ties = <f64>load<T>(p + 2 * stride);
    if (!isFinite(m) || !isFinite(others)) {
      bad++;
      continue;
    }
    const inv = 1 / (ties + others);
    const logSum = Math.log1p(ties - 1 + others);
    const y = m + logSum;
    store<T>(p + stride, <T>(mode == 2 ? Math.exp(m - y) : inv));
    store<T>(p + 2 * stride, <T>logSum);
    if (mode == 0) store<T>(p + 3 * stride, <T>(<f64>load<T>(p + 3 * stride) * inv));
    if (mode == 2) store<T>(lse + (<usize>col) * sizeof<T>(), <T>y);
  }
  return bad;
}

export function softmaxFinish_f32(inner: i32, mode: i32, state: usize, lse: usize): i32 {
  return finish<f32>(inner, mode, state, lse);
}
export function softmaxFinish_f64(inner: i32, mode: i32, state: usize, lse: usize): i32 {
  return finish<f64>(inner, mode, state, lse);
}

/** y and grad of a chunk of rows from the finished state; logSumExp's g is one per column. */
@inline function applyCase<T>(x: usize, g: usize, rows: i32, inner: i32, mode: i32, state: usize, y: usize, grad: usize): void {
  const w = lanes<T>();
  const one = c<T>(ONE_32, ONE_64);
  const stride = stateStride<T>(inner);
  const mn = EXP_MIN_ARG, l2e = LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const q0 = EXP_P0, q1 = EXP_P1, q2 = EXP_P2, q3 = EXP_P3, q4 = EXP_P4, q5 = EXP_P5, o1 = ONE;
  for (let r = 0; r < rows; r++) {
    for (let col = 0; col < inner; col += w) {
      const sp = state + (<usize>col) * sizeof<T>();
      const i = r * inner + col;
      const d = v128.sub<T>(ld<T>(x, i), v128.load(sp));
      const inv = v128.load(sp + stride);
      if (mode == 0) {
        const p = v128.mul<T>(expNonPositiveLocal<T>(d, mn, l2e, mag, hi, lo, q0, q1, q2, q3, q4, q5, o1), inv);
        st<T>(y, i, p);
        if (grad) st<T>(grad, i, v128.mul<T>(p, v128.sub<T>(g ? ld<T>(g, i) : one, v128.load(sp + 3 * stride))));
      } else if (mode == 1) {
        st<T>(y, i, v128.sub<T>(d, v128.load(sp + 2 * stride)));
        if (grad) st<T>(grad, i, v128.sub<T>(g ? ld<T>(g, i) : one, v128.mul<T>(v128.mul<T>(expNonPositiveLocal<T>(d, mn, l2e, mag, hi, lo, q0, q1, q2, q3, q4, q5, o1), inv), v128.load(sp + 3 * stride))));
      } else {
        const p = v128.mul<T>(expNonPositiveLocal<T>(d, mn, l2e, mag, hi, lo, q0, q1, q2, q3, q4, q5, o1), inv);
        st<T>(grad, i, g ? v128.mul<T>(p, ld<T>(g, col)) : p);
      }
    }
  }
}

@inline function applyCases<T>(x: usize, g: usize, rows: i32, inner: i32, mode: i32, state: usize, y: usize, grad: usize): void {
  if (!grad) applyCase<T>(x, 0, rows, inner, mode, state, y, 0);
  else applyCase<T>(x, g, rows, inner, mode, state, y, grad);
}

export function softmaxApply_f32(x: usize, g: usize, rows: i32, inner: i32, mode: i32, state: usize, y: usize, grad: usize): void {
  applyCases<f32>(x, g, rows, inner, mode, state, y, grad);
}
export function softmaxApply_f64(x: usize, g: usize, rows: i32, inner: i32, mode: i32, state: usize, y: usize, grad: usize): void {
  applyCases<f64>(x, g, rows, inner, mode, state, y, grad);
}
