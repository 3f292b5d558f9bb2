// Elementwise losses fused with their gradients, written once over the lane type T: f32 (f32x4,
// the float32 kernels, exported as <name>_f32) and f64 (f64x2, the float64 kernels, <name>_f64).
// `sizeof<T>()` is a compile-time constant, so every `if (sizeof<T>() == 4)` below is resolved
// when the kernel is compiled; only the transcendental functions differ by width (math.ts for
// f32, math64.ts for f64), the formulas do not.
//
// Every kernel takes: x, t (the first two operands), c (the third operand: margin ranking's target,
// Gaussian NLL's variance, BCE with logits' pos weight; 0 = none), w (per-element weights or 0), n
// (a multiple of the lane count: the driver finishes the tail), two scalar parameters, the upstream
// gradient (a scalar, or per element at `up`), the gradient outputs gx, gt, gc of the three operands
// (0 = not wanted) and the per-element losses (0 = not wanted). Returns the sum of the weighted
// losses (f64), plus g · 0 for every gradient written (see finish). Formulas as in the TypeScript
// losses (src/losses/*.ts), which are the reference: the differential suite
// (test/differential.test.ts) pins each kernel to its loss's `pointwise`.
import { exp4, expAnyWith, expNegWith, EXP_NEG_MAX, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, EXPN_Q0, EXPN_Q1, EXPN_Q2, EXPN_Q3, EXPN_Q4, expNonPositive4, LN2_HI, LN2_LO, LOG1P_A0, LOG1P_A1, LOG1P_A2, LOG1P_A3, LOG1P_A4, log1pUnitWith, log4, madd, NEG_LOG2E, nmadd, ONE, ROUND_MAGIC_BIASED, TWO } from './math';
import { exp2d, expm1Reduced2d, log1p2d, log2d, madd2, nmadd2 } from './math64';

// Loop constants in globals, one per width (V8 rematerialises a v128.const inside a loop; a
// global is one load). c<T>(a, b) picks the one of T's width at compile time.
let ZERO_32: v128 = f32x4.splat(0);
let ZERO_64: v128 = f64x2.splat(0);
let ONE_32: v128 = f32x4.splat(1);
let ONE_64: v128 = f64x2.splat(1);
let TWO_32: v128 = f32x4.splat(2);
let TWO_64: v128 = f64x2.splat(2);
let HALF_32: v128 = f32x4.splat(0.5);
let HALF_64: v128 = f64x2.splat(0.5);
let NEG_ONE_32: v128 = f32x4.splat(-1);
let NEG_ONE_64: v128 = f64x2.splat(-1);
let NAN_32: v128 = f32x4.splat(NaN);
let NAN_64: v128 = f64x2.splat(NaN);
let INF_32: v128 = f32x4.splat(Infinity);
let INF_64: v128 = f64x2.splat(Infinity);
let NEG_INF_32: v128 = f32x4.splat(-Infinity);
let NEG_INF_64: v128 = f64x2.splat(-Infinity);
let LOG_FLOOR_32: v128 = f32x4.splat(-100);
let LOG_FLOOR_64: v128 = f64x2.splat(-100);
// PyTorch's EPSILON of BCE's gradient: 1e-12 as a float, in both dtypes.
let BCE_EPS_32: v128 = f32x4.splat(<f32>1e-12);
let BCE_EPS_64: v128 = f64x2.splat(<f64>(<f32>1e-12));
let TWO_PI_32: v128 = f32x4.splat(<f32>(2 * Math.PI));
let TWO_PI_64: v128 = f64x2.splat(2 * Math.PI);
let HALF_LOG_TWO_PI_32: v128 = f32x4.splat(<f32>(0.5 * Math.log(2 * Math.PI)));
let HALF_LOG_TWO_PI_64: v128 = f64x2.splat(0.5 * Math.log(2 * Math.PI));

@inline export function c<T>(a32: v128, a64: v128): v128 {
  if (sizeof<T>() == 4) return a32;
  return a64;
}
@inline export function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>());
}
@inline export function ld<T>(p: usize, i: i32): v128 {
  return v128.load(p + <usize>i * sizeof<T>());
}
@inline export function st<T>(p: usize, i: i32, v: v128): void {
  v128.store(p + <usize>i * sizeof<T>(), v);
}
@inline export function splat<T>(v: f64): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>v);
  return f64x2.splat(v);
}
@inline function fma<T>(a: v128, b: v128, d: v128): v128 {
  if (sizeof<T>() == 4) return madd(a, b, d);
  return madd2(a, b, d);
}
/** c − a·b (fused with relaxed SIMD, as fma). */
@inline function fnma<T>(a: v128, b: v128, d: v128): v128 {
  if (sizeof<T>() == 4) return nmadd(a, b, d);
  return nmadd2(a, b, d);
}
/** exp(r) − 1 for |r| <= ln2/2: f32, exp4's Cephes polynomial without its 1 (r + r² P(r)); f64, math64's. */
@inline function expm1Reduced<T>(r: v128): v128 {
  if (sizeof<T>() == 4) {
    let p = madd(EXP_P0, r, EXP_P1);
    p = madd(p, r, EXP_P2);
    p = madd(p, r, EXP_P3);
    p = madd(p, r, EXP_P4);
    p = madd(p, r, EXP_P5);
    return madd(p, f32x4.mul(r, r), r);
  }
  return expm1Reduced2d(r);
}
@inline function exp<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return exp4(v);
  return exp2d(v);
}
/**
 * exp of any v in an exp-bound loop: f32 takes math.ts's expAnyWith, whose constants k0..k10
 * (NEG_LOG2E, ROUND_MAGIC_BIASED, LN2_HI, LN2_LO, EXPN_Q0..EXPN_Q4, ONE, EXP_NEG_MAX) the loop
 * reads into locals once, before it; f64 takes exp2d.
 */
@inline function expAny<T>(v: v128, k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128, k6: v128, k7: v128, k8: v128, k9: v128, k10: v128): v128 {
  if (sizeof<T>() == 4) return expAnyWith(v, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10);
  return exp2d(v);
}
/** exp of v <= 0 (f32: exp4 without its range masks). */
@inline export function expNonPositive<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return expNonPositive4(v);
  return exp2d(v);
}
@inline function log<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return log4(v);
  return log2d(v);
}

/** log(1 + e) for e in [0, 1], the f32 constants read from the globals: log1pUnit below. */
@inline export function log1pSmall<T>(e: v128): v128 {
  return log1pUnit<T>(e, TWO, LOG1P_A0, LOG1P_A1, LOG1P_A2, LOG1P_A3, LOG1P_A4);
}

/**
 * exp(−|v|) in an exp-bound loop, the f32 constants k0..k10 of expAny in the loop's locals:
 * expNegWith of |v| clamped at 88, where it flushes to 0 as expNonPositive's clamp at −88 does
 * (pmin keeps a NaN |v|); f64, exp2d. Measured with log1pUnit below in softMarginLoss's forward
 * (4M float32, Node 24): 11.2–11.5 → 10.2–10.5 ms against expNonPositive and log1pSmall, whose
 * constants are global loads in every iteration.
 */
@inline function expNegAbs<T>(v: v128, k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128, k6: v128, k7: v128, k8: v128, k9: v128, k10: v128): v128 {
  if (sizeof<T>() == 4) return expNegWith(f32x4.pmin(v128.abs<T>(v), k10), k0, k1, k2, k3, k4, k5, k6, k7, k8, k9);
  return exp2d(v128.neg<T>(v128.abs<T>(v)));
}

/** log(1 + e) for e in [0, 1], the f32 constants (TWO, LOG1P_A0..A4) passed in from a loop's locals: math.ts's log1pUnitWith, math64.ts's log1p2d. */
@inline function log1pUnit<T>(e: v128, two: v128, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128): v128 {
  if (sizeof<T>() == 4) return log1pUnitWith(e, two, a0, a1, a2, a3, a4);
  return log1p2d(e);
}

/** sign(d): ±1, and 0 at 0 and at NaN (PyTorch's sgn as the L1 gradient). */
@inline function sign<T>(d: v128): v128 {
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  return v128.sub<T>(v128.and(v128.gt<T>(d, zero), one), v128.and(v128.lt<T>(d, zero), one));
}

// Sums: accumulated in f64x2 (an f32x4's low and high halves promoted), without a serial chain of
// scalar adds per vector. The float32 loops with cheap bodies (L1, MSE, smooth L1 / Huber, soft
// margin: non-negative losses) take two vectors per iteration and add them in f32 before promoting
// (addPairLow/High): one float32 rounding per pair, 2^-24 of Σ|terms| at most, and half the
// promotions and shuffles, which bounded those loops (4M float32, Node 24: Huber's forward 2.7 →
// 2.3 ms, smooth L1 3.0 → 2.6, soft margin 7.5–8.3 → 6.5–6.7, MSE and L1 2.3 → 2.0). The other
// loops' bodies cost more than their sums (BCE with logits unrolled: 4% faster for 13 KB more
// WebAssembly) or their losses change sign (KL, Poisson, Gaussian NLL, hinge embedding), where
// a rounding per pair is not small against the total: they promote every vector.
@inline function addLow<T>(acc: v128, v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, v);
}
@inline function addHigh<T>(acc: v128, v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  return acc;
}
// Two float32 vectors' losses at once (the unrolled loops): l0 + l1 in f32 first, one rounding per
// pair, then the pair promoted — half the promotions and shuffles.
@inline function addPairLow(acc: v128, l0: v128, l1: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(f32x4.add(l0, l1)));
}
@inline function addPairHigh(acc: v128, l0: v128, l1: v128): v128 {
  return addHigh<f32>(acc, f32x4.add(l0, l1));
}
@inline function total2(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * The end of every loop body: weights, upstream scale and the stores; returns what the total adds
 * up. Each kernel's loop is an @inline function that its exports call with literal zeros for the
 * common cases (see variants): Binaryen then folds these branches away, since V8 does not unswitch
 * loops (1.3x on MSE and BCE with logits, 4M elements).
 */
@inline function finish<T>(
  i: i32, loss: v128, g0: v128, g1: v128, g2: v128, w: usize, upstream: v128, up: usize,
  gx: usize, gt: usize, gc: usize, losses: usize,
): v128 {
  let l = loss;
  const scale = up ? ld<T>(up, i) : upstream;
  // (g · u) · w, not g · (u · w): u · w can underflow to 0 (a mean's 1/n times a weight of
  // 1e-45) and turn an infinite g into NaN, or a large one into 0.
  let s0 = v128.mul<T>(g0, scale);
  let s1 = v128.mul<T>(g1, scale);
  let s2 = v128.mul<T>(g2, scale);
  if (w) {
    const wv = ld<T>(w, i);
    l = v128.mul<T>(l, wv);
    s0 = v128.mul<T>(s0, wv);
    s1 = v128.mul<T>(s1, wv);
    s2 = v128.mul<T>(s2, wv);
  }
  if (losses) st<T>(losses, i, l);
  if (gx) st<T>(gx, i, s0);
  if (gt) st<T>(gt, i, s1);
  if (gc) st<T>(gc, i, s2);
  // What is summed: the loss, plus g · 0 for every gradient written — 0, or NaN where a gradient is
  // not finite, which makes the total NaN and sends the call to the float64 TypeScript path (a
  // float32 intermediate overflowed: pos weights of 1e38, logits near float32's max).
  const zero = c<T>(ZERO_32, ZERO_64);
  let sum = l;
  if (gx) sum = v128.add<T>(sum, v128.mul<T>(s0, zero));
  if (gt) sum = v128.add<T>(sum, v128.mul<T>(s1, zero));
  if (gc) sum = v128.add<T>(sum, v128.mul<T>(s2, zero));
  return sum;
}

// ---- L1, MSE, smooth L1 / Huber ------------------------------------------------------------

@inline function l1At<T>(i: i32, x: usize, t: usize, w: usize, uv: v128, up: usize, gx: usize, gt: usize, losses: usize): v128 {
  const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
  const g = sign<T>(d);
  return finish<T>(i, v128.abs<T>(d), g, v128.neg<T>(g), g, w, uv, up, gx, gt, 0, losses);
}

@inline function l1Loop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  let i = 0;
  // float32 only: float64 keeps one vector per iteration (no gain measured; less WebAssembly).
  if (sizeof<T>() == 4) for (; i + 8 <= n; i += 8) {
    const l0 = l1At<T>(i, x, t, w, uv, up, gx, gt, losses);
    const l1 = l1At<T>(i + 4, x, t, w, uv, up, gx, gt, losses);
    lo = addPairLow(lo, l0, l1);
    hi = addPairHigh(hi, l0, l1);
  }
  for (; i < n; i += lanes<T>()) {
    const l = l1At<T>(i, x, t, w, uv, up, gx, gt, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

@inline function mseAt<T>(i: i32, x: usize, t: usize, w: usize, two: v128, uv: v128, up: usize, gx: usize, gt: usize, losses: usize): v128 {
  const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
  const g = v128.mul<T>(two, d);
  return finish<T>(i, v128.mul<T>(d, d), g, v128.neg<T>(g), g, w, uv, up, gx, gt, 0, losses);
}

@inline function mseLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const two = c<T>(TWO_32, TWO_64);
  let i = 0;
  // float32 only: float64 keeps one vector per iteration (no gain measured; less WebAssembly).
  if (sizeof<T>() == 4) for (; i + 8 <= n; i += 8) {
    const l0 = mseAt<T>(i, x, t, w, two, uv, up, gx, gt, losses);
    const l1 = mseAt<T>(i + 4, x, t, w, two, uv, up, gx, gt, losses);
    lo = addPairLow(lo, l0, l1);
    hi = addPairHigh(hi, l0, l1);
  }
  for (; i < n; i += lanes<T>()) {
    const l = mseAt<T>(i, x, t, w, two, uv, up, gx, gt, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/** 1 / v where that is exact in T (v a power of two, its inverse representable), else 0. */
@inline function exactInverse<T>(v: f64): f64 {
  if (sizeof<T>() == 4) {
    const b = <f32>v;
    const r: f32 = 1 / b;
    return (reinterpret<u32>(b) & 0x7fffff) == 0 && r * b == 1 ? <f64>r : 0;
  }
  const r = 1 / v;
  return (reinterpret<u64>(v) & 0xfffffffffffff) == 0 && r * v == 1 ? r : 0;
}

/**
 * smooth L1 (p1 = beta) — and Huber when p2 = 1: the same pieces scaled by delta = beta. With
 * `exact` (smooth L1), `inverse` is 1 / beta, exact in T (beta a power of two: 1 by default), and
 * the quotients by beta are products with it: both round the same real number, so the results are
 * the same bits, without a division per vector.
 */
@inline function smoothL1At<T>(i: i32, x: usize, t: usize, w: usize, b: v128, inv: v128, halfB: v128, half: v128, beta: f64, huber: f64, exact: bool, uv: v128, up: usize, gx: usize, gt: usize, losses: usize): v128 {
  const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
  const z = v128.abs<T>(d);
  const inside = v128.lt<T>(z, b);
  let loss: v128;
  let g: v128;
  if (huber != 0) {
    const m = v128.pmin<T>(z, b);
    loss = v128.mul<T>(m, v128.sub<T>(z, v128.mul<T>(half, m)));
    g = v128.pmax<T>(v128.pmin<T>(d, b), v128.neg<T>(b));
  } else {
    const q = v128.mul<T>(half, v128.mul<T>(d, d));
    loss = v128.bitselect(exact ? v128.mul<T>(q, inv) : v128.div<T>(q, b), v128.sub<T>(z, halfB), inside);
    g = v128.bitselect(exact ? v128.mul<T>(d, inv) : v128.div<T>(d, b), sign<T>(d), inside);
  }
  if (huber == 0 && beta != 0) g = v128.bitselect(d, g, v128.ne<T>(d, d));
  return finish<T>(i, loss, g, v128.neg<T>(g), g, w, uv, up, gx, gt, 0, losses);
}

@inline function smoothL1Loop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, beta: f64, huber: f64, exact: bool, inverse: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const b = splat<T>(beta);
  const inv = splat<T>(inverse);
  const halfB = splat<T>(0.5 * beta);
  const half = c<T>(HALF_32, HALF_64);
  let i = 0;
  // float32 only: float64 keeps one vector per iteration (no gain measured; less WebAssembly).
  if (sizeof<T>() == 4) for (; i + 8 <= n; i += 8) {
    const l0 = smoothL1At<T>(i, x, t, w, b, inv, halfB, half, beta, huber, exact, uv, up, gx, gt, losses);
    const l1 = smoothL1At<T>(i + 4, x, t, w, b, inv, halfB, half, beta, huber, exact, uv, up, gx, gt, losses);
    lo = addPairLow(lo, l0, l1);
    hi = addPairHigh(hi, l0, l1);
  }
  for (; i < n; i += lanes<T>()) {
    const l = smoothL1At<T>(i, x, t, w, b, inv, halfB, half, beta, huber, exact, uv, up, gx, gt, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * float32 data with a beta (delta) beyond float32's range (it would round to +inf: 0.5 d² / inf
 * = 0, and NaN at an infinite d), computed in float64 as the TypeScript reference computes it. One
 * element at a time: only such parameters come here.
 */
function smoothL1Wide(x: usize, t: usize, w: usize, n: i32, beta: f64, huber: f64, upstream: f64, up: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const d = <f64>load<f32>(x + at) - <f64>load<f32>(t + at);
    const z = Math.abs(d);
    const sgn: f64 = d > 0 ? 1 : d < 0 ? -1 : d; // NaN stays NaN
    let loss: f64, g: f64;
    if (z < beta) {
      loss = huber != 0 ? 0.5 * d * d : (0.5 * d * d) / beta;
      g = huber != 0 ? d : d / beta;
    } else {
      loss = huber != 0 ? beta * (z - 0.5 * beta) : z - 0.5 * beta;
      g = huber != 0 ? beta * sgn : sgn;
    }
    let scale = up ? <f64>load<f32>(up + at) : <f64>(<f32>upstream);
    if (w) {
      const wi = <f64>load<f32>(w + at);
      loss *= wi;
      scale *= wi;
    }
    if (losses) store<f32>(losses + at, <f32>loss);
    if (gx) store<f32>(gx + at, <f32>(g * scale));
    if (gt) store<f32>(gt + at, <f32>(-g * scale));
    total += loss;
  }
  return total;
}

// ---- BCE with logits, BCE, sigmoid focal ----------------------------------------------------

/**
 * (1 − y) x − (1 + (pw − 1) y) log σ(x) without its cancellation (see bceWithLogitsScalar in
 * src/core/stable.ts): x >= 0: (1 − y) x + ((1 − y) + pw y) l1p, x < 0: −pw y x + ((1 − y) + pw y) l1p,
 * with l1p = log1p(e^−|x|); PyTorch's form at x = ±inf (its NaN there).
 */
@inline function logitCrossEntropy<T>(x: v128, y: v128, pw: v128, logSig: v128, l1p: v128): v128 {
  const one = c<T>(ONE_32, ONE_64);
  const oneMinusY = v128.sub<T>(one, y);
  const pwy = v128.mul<T>(pw, y);
  // pw (y x), not (pw y) x: a tiny target and pos weight would underflow before meeting a logit near 1e38.
  const linear = v128.bitselect(v128.mul<T>(oneMinusY, x), v128.neg<T>(v128.mul<T>(pw, v128.mul<T>(y, x))), v128.ge<T>(x, c<T>(ZERO_32, ZERO_64)));
  const stable = v128.add<T>(linear, v128.mul<T>(v128.add<T>(oneMinusY, pwy), l1p));
  const plain = v128.sub<T>(v128.mul<T>(oneMinusY, x), v128.mul<T>(v128.add<T>(one, v128.sub<T>(pwy, y)), logSig));
  return v128.bitselect(plain, stable, v128.eq<T>(v128.abs<T>(x), c<T>(INF_32, INF_64)));
}

/** BCE with logits; c = per-element pos weights (0: 1). */
@inline function bceWithLogitsLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const k0 = NEG_LOG2E, k1 = ROUND_MAGIC_BIASED, k2 = LN2_HI, k3 = LN2_LO, k4 = EXPN_Q0, k5 = EXPN_Q1;
  const k6 = EXPN_Q2, k7 = EXPN_Q3, k8 = EXPN_Q4, k9 = ONE, k10 = EXP_NEG_MAX;
  const a0 = LOG1P_A0, a1 = LOG1P_A1, a2 = LOG1P_A2, a3 = LOG1P_A3, a4 = LOG1P_A4, two32 = TWO;
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const y = ld<T>(t, i);
    const e = expNegAbs<T>(xv, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10); // exp(−|x|) in (0, 1]
    const l1p = log1pUnit<T>(e, two32, a0, a1, a2, a3, a4);
    const logSig = v128.sub<T>(v128.pmin<T>(xv, zero), l1p);
    // σ(x) and σ(−x) = 1 − σ(x): 1 / (1 + e) and e / (1 + e), one for each sign of x
    const r = v128.div<T>(one, v128.add<T>(one, e));
    const er = v128.mul<T>(e, r);
    const positive = v128.ge<T>(xv, zero);
    const sig = v128.bitselect(r, er, positive);
    const sigNeg = v128.bitselect(er, r, positive);
    const oneMinusY = v128.sub<T>(one, y);
    let loss: v128, g: v128, gtv: v128;
    if (cp) {
      const pw = ld<T>(cp, i);
      // ∂/∂x = (1 − y) σ(x) − pw y σ(−x) (no σ(x) − 1 cancellation)
      loss = logitCrossEntropy<T>(xv, y, pw, logSig, l1p);
      g = v128.sub<T>(v128.mul<T>(oneMinusY, sig), v128.mul<T>(v128.mul<T>(pw, y), sigNeg));
      // PyTorch's log σ(−x) − pw log σ(x) (= −x − (pw − 1) log σ(x), which is 0 · −inf = NaN at
      // x = −inf for pw = 1); log σ(−x) = min(−x, 0) − log1p(e) from the same e.
      gtv = v128.sub<T>(v128.sub<T>(v128.pmin<T>(v128.neg<T>(xv), zero), l1p), v128.mul<T>(pw, logSig));
    } else {
      // pos weight 1: ∂/∂x = σ(x) − y = (1 − y) σ(x) − y σ(−x), ∂/∂y = −x
      loss = logitCrossEntropy<T>(xv, y, one, logSig, l1p);
      g = v128.sub<T>(v128.mul<T>(oneMinusY, sig), v128.mul<T>(y, sigNeg));
      gtv = v128.neg<T>(xv);
    }
    const l = finish<T>(i, loss, g, gtv, g, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * BCE of probabilities: logs clamped at −100, gradient denominator at 1e-12. An input outside
 * [0, 1] or NaN, or a target outside [0, 1], makes its loss NaN (all bits set): the caller's range
 * check then runs and throws (src/core/elementwise.ts, `wasm.checks`).
 */
@inline function bceLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const floor = c<T>(LOG_FLOOR_32, LOG_FLOOR_64);
  const eps = c<T>(BCE_EPS_32, BCE_EPS_64);
  for (let i = 0; i < n; i += lanes<T>()) {
    const p = ld<T>(x, i);
    const y = ld<T>(t, i);
    const logP = log<T>(p);
    // log1p(−p) = log(u) − ((u − 1) + p) / u with u = 1 − p (exact even for tiny p); −inf at p = 1.
    const q = v128.sub<T>(one, p);
    const log1mP = v128.bitselect(c<T>(NEG_INF_32, NEG_INF_64), v128.sub<T>(log<T>(q), v128.div<T>(v128.add<T>(v128.sub<T>(q, one), p), q)), v128.eq<T>(q, zero));
    const refused = v128.or(v128.not(v128.and(v128.ge<T>(p, zero), v128.le<T>(p, one))), v128.or(v128.lt<T>(y, zero), v128.gt<T>(y, one)));
    const loss = v128.or(v128.sub<T>(v128.mul<T>(v128.sub<T>(y, one), v128.pmax<T>(log1mP, floor)), v128.mul<T>(y, v128.pmax<T>(logP, floor))), refused);
    const g = v128.div<T>(v128.sub<T>(p, y), v128.pmax<T>(v128.mul<T>(q, p), eps));
    const l = finish<T>(i, loss, g, v128.sub<T>(log1mP, logP), g, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * torchvision's sigmoid focal loss (p1 = alpha, −1 for none; p2 = gamma), as the TypeScript
 * reference (src/losses/sigmoid-focal.ts) computes it: m = 1 − p_t = y q + (1 − y) p with
 * q = σ(−x) (no cancellation), and the chain terms ce · γ m^(γ−1) · dm written γ m^γ (ce / m) · dm,
 * finite where m = 0 (PyTorch: 0 · inf = NaN for γ < 1 on a saturated logit).
 */
@inline function sigmoidFocalLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, alpha: f64, gamma: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const two = c<T>(TWO_32, TWO_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const gv = splat<T>(gamma);
  const halfG = splat<T>(gamma * 0.5);
  const av = splat<T>(alpha);
  const da = alpha >= 0 ? splat<T>(2 * alpha - 1) : zero;
  const k0 = NEG_LOG2E, k1 = ROUND_MAGIC_BIASED, k2 = LN2_HI, k3 = LN2_LO, k4 = EXPN_Q0, k5 = EXPN_Q1;
  const k6 = EXPN_Q2, k7 = EXPN_Q3, k8 = EXPN_Q4, k9 = ONE, k10 = EXP_NEG_MAX;
  const a0 = LOG1P_A0, a1 = LOG1P_A1, a2 = LOG1P_A2, a3 = LOG1P_A3, a4 = LOG1P_A4, two32 = TWO;
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const y = ld<T>(t, i);
    const e = expNegAbs<T>(xv, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10);
    const l1p = log1pUnit<T>(e, two32, a0, a1, a2, a3, a4);
    const logSig = v128.sub<T>(v128.pmin<T>(xv, zero), l1p);
    // p = σ(x), q = σ(−x) = 1 − p: 1 / (1 + e) and e / (1 + e), one for each sign of x
    const r = v128.div<T>(one, v128.add<T>(one, e));
    const er = v128.mul<T>(e, r);
    const positive = v128.ge<T>(xv, zero);
    const p = v128.bitselect(r, er, positive);
    const q = v128.bitselect(er, r, positive);
    const oneMinusY = v128.sub<T>(one, y);
    const ce = logitCrossEntropy<T>(xv, y, one, logSig, l1p);
    const m = v128.add<T>(v128.mul<T>(y, q), v128.mul<T>(oneMinusY, p));
    // m^γ and γ m^γ (ce / m) (0 at γ = 0, as PyTorch's pow backward); γ = 2, the default, and
    // γ = 1 need neither a logarithm nor the division.
    // dm/dx = (1 − 2y) p q, dm/dy = q − p; p − y = p (1 − y) − y q
    const pq = v128.mul<T>(p, q);
    const pMinusY = v128.sub<T>(v128.mul<T>(p, oneMinusY), v128.mul<T>(y, q));
    // The x chain term γ m^γ (ce / m) (1 − 2y) p q is taken as ce (1 − 2y) · γ m^γ (p q / m), whose
    // second factor is at most γ m^γ (p q <= m): ce of a logit near the largest float then meets a
    // 0, not an overflowed product (inf · 0).
    const ceSign = v128.mul<T>(ce, v128.sub<T>(one, v128.mul<T>(two, y)));
    // m^γ = mA · mB, and a term v m^γ is taken as (v mA) mB: m² of a tiny m (a target of 1e-24 on a
    // logit of −3.4e38) underflows float32 where (ce m) m does not.
    let mA: v128;
    let mB = one;
    let chain: v128;
    let chainX: v128;
    if (gamma == 2) {
      mA = m;
      mB = m;
      chain = v128.mul<T>(two, v128.mul<T>(m, ce));
      chainX = v128.mul<T>(ceSign, v128.mul<T>(two, v128.mul<T>(m, pq)));
    } else if (gamma == 1) {
      mA = m;
      chain = ce;
      chainX = v128.mul<T>(ceSign, pq);
    } else if (gamma == 0) {
      mA = one;
      chain = zero;
      chainX = zero;
    } else {
      // m^(γ/2) twice: m^3.5 of m = 8e-17 underflows float32, its halves do not.
      mA = exp<T>(v128.mul<T>(halfG, log<T>(m)));
      mB = mA;
      const pos = v128.gt<T>(m, zero); // the ratios are 0 where m = 0
      chain = v128.mul<T>(gv, v128.mul<T>(v128.mul<T>(mA, v128.and(v128.div<T>(ce, m), pos)), mB));
      chainX = v128.mul<T>(ceSign, v128.mul<T>(gv, v128.mul<T>(v128.mul<T>(mA, v128.and(v128.div<T>(pq, m), pos)), mB)));
    }
    const a = alpha >= 0 ? v128.add<T>(v128.mul<T>(av, y), v128.mul<T>(v128.sub<T>(one, av), oneMinusY)) : one;
    const ceM = v128.mul<T>(v128.mul<T>(ce, mA), mB);
    const loss = v128.mul<T>(a, ceM);
    const gxv = v128.mul<T>(a, v128.add<T>(v128.mul<T>(v128.mul<T>(pMinusY, mA), mB), chainX));
    const gtv = v128.add<T>(
      v128.mul<T>(da, ceM),
      v128.mul<T>(a, v128.add<T>(v128.mul<T>(v128.mul<T>(v128.neg<T>(xv), mA), mB), v128.mul<T>(chain, v128.sub<T>(q, p)))),
    );
    const l = finish<T>(i, loss, gxv, gtv, gxv, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

// ---- KL divergence, Poisson NLL, Gaussian NLL ------------------------------------------------

/** KL divergence (p1 = 1: the target is log-probabilities). */
@inline function klDivLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, logTarget: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const k0 = NEG_LOG2E, k1 = ROUND_MAGIC_BIASED, k2 = LN2_HI, k3 = LN2_LO, k4 = EXPN_Q0, k5 = EXPN_Q1;
  const k6 = EXPN_Q2, k7 = EXPN_Q3, k8 = EXPN_Q4, k9 = ONE, k10 = EXP_NEG_MAX;
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const y = ld<T>(t, i);
    let loss: v128, g0: v128, g1: v128;
    if (logTarget != 0) {
      // exp(y) (y − x); ∂/∂x = −exp(y), ∂/∂y = exp(y) (y − x + 1)
      const p = expAny<T>(y, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10);
      const d = v128.sub<T>(y, xv);
      loss = v128.mul<T>(p, d);
      g0 = v128.neg<T>(p);
      g1 = v128.mul<T>(p, v128.add<T>(d, one));
    } else {
      // xlogy(y, y) − y x: y log y is 0 at y = 0; ∂/∂y = log y + 1 − x, NaN at y = 0 (as PyTorch)
      const logY = log<T>(y);
      const atZero = v128.eq<T>(y, zero);
      loss = v128.sub<T>(v128.andnot(v128.mul<T>(y, logY), atZero), v128.mul<T>(y, xv));
      g0 = v128.neg<T>(y);
      g1 = v128.bitselect(c<T>(NAN_32, NAN_64), v128.sub<T>(v128.add<T>(logY, one), xv), atZero);
    }
    const l = finish<T>(i, loss, g0, g1, g1, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * Poisson NLL; p1 = flags (1: logInput, 2: full), p2 = eps. logInput: exp(x) − y x (∂x exp(x) − y,
 * ∂y −x); else x − y log(x + eps) (∂x ((x − y) + eps) / (x + eps), ∂y −log(x + eps)); full adds
 * y log y − y + ½ log(2π y) where y > 1 (∂y log y + 1 / (2y)).
 */
@inline function poissonNllLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, flags: f64, eps: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const half = c<T>(HALF_32, HALF_64);
  const ev = splat<T>(eps);
  const logInput = (<i32>flags & 1) != 0;
  const full = (<i32>flags & 2) != 0;
  const k0 = NEG_LOG2E, k1 = ROUND_MAGIC_BIASED, k2 = LN2_HI, k3 = LN2_LO, k4 = EXPN_Q0, k5 = EXPN_Q1;
  const k6 = EXPN_Q2, k7 = EXPN_Q3, k8 = EXPN_Q4, k9 = ONE, k10 = EXP_NEG_MAX;
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const y = ld<T>(t, i);
    let loss: v128, g0: v128, g1: v128;
    if (logInput) {
      const rate = expAny<T>(xv, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10);
      loss = v128.sub<T>(rate, v128.mul<T>(y, xv));
      g0 = v128.sub<T>(rate, y);
      g1 = v128.neg<T>(xv);
    } else {
      const shifted = v128.add<T>(xv, ev);
      const logRate = log<T>(shifted);
      loss = v128.sub<T>(xv, v128.mul<T>(y, logRate));
      g0 = v128.div<T>(v128.add<T>(v128.sub<T>(xv, y), ev), shifted); // 1 − y / (x + eps) without cancellation
      g1 = v128.neg<T>(logRate);
    }
    if (full) {
      const above = v128.gt<T>(y, one); // false at NaN, as y > 1
      const logY = log<T>(y);
      const stirling = v128.add<T>(v128.sub<T>(v128.mul<T>(y, logY), y), v128.mul<T>(half, log<T>(v128.mul<T>(c<T>(TWO_PI_32, TWO_PI_64), y))));
      loss = v128.add<T>(loss, v128.and(stirling, above));
      g1 = v128.add<T>(g1, v128.and(v128.add<T>(logY, v128.div<T>(half, y)), above));
    }
    const l = finish<T>(i, loss, g0, g1, g1, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * Gaussian NLL; c = the variances (one per element: the driver expands a broadcast var), p1 = full,
 * p2 = eps. v = max(var, eps) (NaN stays NaN): ½ (log v + d² / v) (+ ½ log 2π), ∂x = d / v,
 * ∂y = −d / v, ∂var = ½ (1 / v − (d / v)²), passed through the clamp as PyTorch.
 */
@inline function gaussianNllLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, full: f64, eps: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const half = c<T>(HALF_32, HALF_64);
  const ev = splat<T>(eps);
  const zero = c<T>(ZERO_32, ZERO_64);
  const constant = full != 0 ? c<T>(HALF_LOG_TWO_PI_32, HALF_LOG_TWO_PI_64) : zero;
  for (let i = 0; i < n; i += lanes<T>()) {
    const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
    const variance = ld<T>(cp, i);
    const v = v128.pmax<T>(variance, ev); // var < eps ? eps : var: NaN passes
    const dv = v128.div<T>(d, v);
    // d² / v as d · (d / v), and (d / v)² for d² / v²: v² of a variance of 1e20 overflows float32.
    // A negative variance makes the loss NaN (all bits set): the caller's check then throws (wasm.checks).
    const loss = v128.or(v128.add<T>(v128.mul<T>(half, v128.add<T>(log<T>(v), v128.mul<T>(d, dv))), constant), v128.lt<T>(variance, zero));
    const gv = v128.mul<T>(half, v128.sub<T>(v128.div<T>(one, v), v128.mul<T>(dv, dv)));
    const l = finish<T>(i, loss, dv, v128.neg<T>(dv), gv, w, uv, up, gx, gt, gc, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

// ---- soft margin, hinge embedding, margin ranking ---------------------------------------------

/** log(1 + exp(−y x)) = max(z, 0) + log1p(exp(−|z|)), z = −y x; ∂x = −y σ(z). */
@inline function softMarginLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const k0 = NEG_LOG2E, k1 = ROUND_MAGIC_BIASED, k2 = LN2_HI, k3 = LN2_LO, k4 = EXPN_Q0, k5 = EXPN_Q1;
  const k6 = EXPN_Q2, k7 = EXPN_Q3, k8 = EXPN_Q4, k9 = ONE, k10 = EXP_NEG_MAX;
  const a0 = LOG1P_A0, a1 = LOG1P_A1, a2 = LOG1P_A2, a3 = LOG1P_A3, a4 = LOG1P_A4, two32 = TWO;
  let i = 0;
  // float32 only: float64 keeps one vector per iteration (no gain measured; less WebAssembly).
  if (sizeof<T>() == 4) for (; i + 8 <= n; i += 8) {
    const l0 = softMarginAt<T>(i, x, t, w, uv, up, gx, losses, one, zero, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, two32, a0, a1, a2, a3, a4);
    const l1 = softMarginAt<T>(i + 4, x, t, w, uv, up, gx, losses, one, zero, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, two32, a0, a1, a2, a3, a4);
    lo = addPairLow(lo, l0, l1);
    hi = addPairHigh(hi, l0, l1);
  }
  for (; i < n; i += lanes<T>()) {
    const l = softMarginAt<T>(i, x, t, w, uv, up, gx, losses, one, zero, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, two32, a0, a1, a2, a3, a4);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

@inline function softMarginAt<T>(
  i: i32, x: usize, t: usize, w: usize, uv: v128, up: usize, gx: usize, losses: usize, one: v128, zero: v128,
  k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128, k6: v128, k7: v128, k8: v128, k9: v128, k10: v128,
  two32: v128, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128,
): v128 {
  const y = ld<T>(t, i);
  const z = v128.neg<T>(v128.mul<T>(y, ld<T>(x, i)));
  const e = expNegAbs<T>(z, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10);
  const loss = v128.add<T>(v128.pmax<T>(z, zero), log1pUnit<T>(e, two32, a0, a1, a2, a3, a4)); // pmax(z, 0): NaN passes
  const r = v128.div<T>(one, v128.add<T>(one, e));
  const sig = v128.bitselect(r, v128.mul<T>(e, r), v128.ge<T>(z, zero));
  const g = v128.neg<T>(v128.mul<T>(y, sig));
  return finish<T>(i, loss, g, zero, zero, w, uv, up, gx, 0, 0, losses);
}

/**
 * Hinge embedding (p1 = margin): max(0, margin − x) where y ≠ 1, plus x where y ≠ −1 (both for
 * any other label, NaN included, as PyTorch's formula); ∂x = [y ≠ −1] − [y ≠ 1][margin − x ≥ 0].
 */
@inline function hingeEmbeddingLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, margin: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const minusOne = c<T>(NEG_ONE_32, NEG_ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const mv = splat<T>(margin);
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const y = ld<T>(t, i);
    const z = v128.sub<T>(mv, xv);
    const notPositive = v128.ne<T>(y, one);
    const notNegative = v128.ne<T>(y, minusOne);
    // 0 + hinge + x in the reference's order: +0 where both terms are off.
    const loss = v128.add<T>(v128.add<T>(zero, v128.and(v128.pmax<T>(z, zero), notPositive)), v128.and(xv, notNegative));
    const g = v128.add<T>(v128.sub<T>(zero, v128.and(v128.and(v128.ge<T>(z, zero), one), notPositive)), v128.and(one, notNegative));
    const l = finish<T>(i, loss, g, zero, zero, w, uv, up, gx, 0, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * Margin ranking (x = input1, t = input2, c = target, p1 = margin): max(0, −y (x1 − x2) + margin);
 * where the hinge is active (z >= 0): ∂x1 = −y, ∂x2 = y, ∂y = −(x1 − x2), each a product with the
 * 0/1 activity (so NaN · 0 = NaN, as the reference).
 */
@inline function marginRankingLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, margin: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const mv = splat<T>(margin);
  for (let i = 0; i < n; i += lanes<T>()) {
    const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
    const y = ld<T>(cp, i);
    const z = v128.add<T>(v128.mul<T>(v128.neg<T>(y), d), mv);
    const active = v128.and(v128.ge<T>(z, zero), one);
    const loss = v128.pmax<T>(z, zero); // NaN passes
    const g0 = v128.mul<T>(v128.neg<T>(y), active);
    const l = finish<T>(i, loss, g0, v128.mul<T>(y, active), v128.mul<T>(v128.neg<T>(d), active), w, uv, up, gx, gt, gc, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

// ---- Keras and optax: squared hinge, sparsemax ------------------------------------------------

/**
 * Squared hinge (p1 = 1 where every target is 0 or 1: y = 2t − 1, else y = t): m = max(1 − y x, 0)
 * (NaN passes), loss m², ∂x = −2 m y, ∂t = −2 m x (times 2 where mapped). A row's mean is the
 * driver's (items 'rows').
 */
@inline function squaredHingeLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, binary: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const two = c<T>(TWO_32, TWO_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const minusTwo = v128.neg<T>(two);
  for (let i = 0; i < n; i += lanes<T>()) {
    const xv = ld<T>(x, i);
    const tv = ld<T>(t, i);
    const y = binary != 0 ? v128.sub<T>(v128.mul<T>(two, tv), one) : tv;
    const m = v128.pmax<T>(v128.sub<T>(one, v128.mul<T>(y, xv)), zero);
    const m2 = v128.mul<T>(minusTwo, m);
    const gy = v128.mul<T>(m2, xv);
    const l = finish<T>(i, v128.mul<T>(m, m), v128.mul<T>(m2, y), binary != 0 ? v128.mul<T>(gy, two) : gy, zero, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * Binary sparsemax (optax), labels in t: z = x for label 0, −x for label 1 (s = ±1); loss
 * sparse_plus(z): 0 for z ≤ −1, (z + 1)² / 4 between, z for z ≥ 1; ∂x = s · clamp((z + 1) / 2, 0, 1),
 * +0 below −1 as the reference. A NaN z fails both comparisons and takes the middle piece: NaN. A
 * label neither 0 nor 1 makes the loss NaN (all bits set): the caller's check then names it (wasm.checks).
 */
@inline function sparsemaxLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const minusOne = c<T>(NEG_ONE_32, NEG_ONE_64);
  const half = c<T>(HALF_32, HALF_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const quarter = v128.mul<T>(half, half);
  for (let i = 0; i < n; i += lanes<T>()) {
    const label = ld<T>(t, i);
    const positive = v128.eq<T>(label, one);
    const s = v128.bitselect(minusOne, one, positive);
    const z = v128.mul<T>(s, ld<T>(x, i));
    const z1 = v128.add<T>(z, one);
    const below = v128.le<T>(z, minusOne);
    const above = v128.ge<T>(z, one);
    const bad = v128.not(v128.or(positive, v128.eq<T>(label, zero)));
    const loss = v128.or(v128.andnot(v128.bitselect(z, v128.mul<T>(v128.mul<T>(z1, z1), quarter), above), below), bad);
    const g = v128.andnot(v128.mul<T>(s, v128.bitselect(one, v128.mul<T>(z1, half), above)), below);
    const l = finish<T>(i, loss, g, zero, zero, w, uv, up, gx, 0, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

/**
 * Log-cosh (Keras), d = x − t, a = |d|, in two forms chosen per lane, each exact where it is used
 * (the TypeScript loss's two, split at 1 instead of 20):
 * - a < 1: log1p(q), q = e² / (2 (1 + e)) = cosh a − 1 with e = expm1(a): no cancellation;
 *   tanh a = w / (w + 2), w = e (e + 2);
 * - a ≥ 1 (and NaN): a − ln 2 + log1p(E), E = exp(−2a) ≤ e^−2: a − ln 2 ≥ 0.3 and log1p(E) > 0,
 *   no cancellation either, and nothing overflows at any a (E is clamped at exp(−87) for f32,
 *   exp(−700) for f64, where it no longer moves a − ln 2); tanh a = (1 − E) / (1 + E).
 * One exponential serves both: with n = round(z / ln2), r = z − n ln2 and s = 2^n, expm1(z) = s ·
 * expm1(r) + (s − 1) (s − 1 exact: n is 0 or 1 for z in [0, 1)) and exp(z) = s · expm1(r) + s; one
 * log1p of [0, 1] (q ≤ 0.55, E ≤ 0.14) serves both as well. tanh d takes the sign of d (−0 too).
 */
@inline function logCoshLoop<T>(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  let lo = ZERO_64, hi = ZERO_64;
  const uv = splat<T>(u);
  const one = c<T>(ONE_32, ONE_64);
  const two = c<T>(TWO_32, TWO_64);
  const zero = c<T>(ZERO_32, ZERO_64);
  const minusTwo = v128.neg<T>(two);
  const ln2 = splat<T>(Math.LN2);
  const log2e = splat<T>(Math.LOG2E);
  const lowest = splat<T>(sizeof<T>() == 4 ? -87 : -700);
  // 1.5 · 2^23 (2^52) plus the exponent bias: the low bits of z / ln2 plus it are n + bias, one shift makes 2^n.
  const magic = sizeof<T>() == 4 ? f32x4.splat(12582912.0 + 127.0) : f64x2.splat(6755399441055744.0 + 1023.0);
  // ln 2 in two parts (Cody–Waite): n · ln2Hi is exact.
  const ln2Hi = sizeof<T>() == 4 ? f32x4.splat(0.693359375) : f64x2.splat(6.93147180369123816490e-1);
  const ln2Lo = sizeof<T>() == 4 ? f32x4.splat(-2.12194440e-4) : f64x2.splat(1.90821492927058770002e-10);
  const signBit = sizeof<T>() == 4 ? i32x4.splat(<i32>0x80000000) : i64x2.splat(<i64>0x8000000000000000);
  const a0 = LOG1P_A0, a1 = LOG1P_A1, a2 = LOG1P_A2, a3 = LOG1P_A3, a4 = LOG1P_A4, two32 = TWO;
  for (let i = 0; i < n; i += lanes<T>()) {
    const d = v128.sub<T>(ld<T>(x, i), ld<T>(t, i));
    const a = v128.abs<T>(d);
    const small = v128.lt<T>(a, one); // false at NaN
    const z = v128.pmax<T>(v128.bitselect(a, v128.mul<T>(minusTwo, a), small), lowest); // NaN passes
    const shifted = fma<T>(z, log2e, magic);
    const k = v128.sub<T>(shifted, magic);
    const r = fnma<T>(k, ln2Lo, fnma<T>(k, ln2Hi, z));
    const s = sizeof<T>() == 4 ? i32x4.shl(shifted, 23) : i64x2.shl(shifted, 52);
    const e = fma<T>(s, expm1Reduced<T>(r), v128.bitselect(v128.sub<T>(s, one), s, small));
    const q = v128.div<T>(v128.mul<T>(e, e), v128.mul<T>(two, v128.add<T>(one, e)));
    const l1p = log1pUnit<T>(v128.bitselect(q, e, small), two32, a0, a1, a2, a3, a4);
    const loss = v128.bitselect(l1p, v128.add<T>(v128.sub<T>(a, ln2), l1p), small);
    const ww = v128.mul<T>(e, v128.add<T>(e, two));
    const tanhA = v128.div<T>(v128.bitselect(ww, v128.sub<T>(one, e), small), v128.bitselect(v128.add<T>(ww, two), v128.add<T>(one, e), small));
    const g = v128.or(tanhA, v128.and(d, signBit));
    const l = finish<T>(i, loss, g, v128.neg<T>(g), zero, w, uv, up, gx, gt, 0, losses);
    lo = addLow<T>(lo, l);
    hi = addHigh<T>(hi, l);
  }
  return total2(lo, hi);
}

// ---- exports: <name>_f32 (f32x4) and <name>_f64 (f64x2), the names src/kernels/wasm.ts lists ------

const L1 = 0, MSE = 1, SMOOTH_L1 = 2, BCE_WITH_LOGITS = 3, BCE = 4, SIGMOID_FOCAL = 5, KL_DIV = 6,
  POISSON_NLL = 7, GAUSSIAN_NLL = 8, SOFT_MARGIN = 9, HINGE_EMBEDDING = 10, MARGIN_RANKING = 11, SQUARED_HINGE = 12, SPARSEMAX = 13, LOG_COSH = 14;

/** The loop of loss `kind` (a literal: the others fold away). */
@inline function loop<T>(kind: i32, x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  if (kind == L1) return l1Loop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == MSE) return mseLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == SMOOTH_L1) {
    // Huber (p2 = 1) and smooth L1 as two loops: a runtime flag would leave both formulas and a
    // v128 select in the loop body; smooth L1 twice, by whether 1 / beta is exact.
    if (p2 != 0) return smoothL1Loop<T>(x, t, cp, w, n, p1, 1, false, 0, u, up, gx, gt, gc, losses);
    const inverse = exactInverse<T>(p1);
    if (inverse != 0) return smoothL1Loop<T>(x, t, cp, w, n, p1, 0, true, inverse, u, up, gx, gt, gc, losses);
    return smoothL1Loop<T>(x, t, cp, w, n, p1, 0, false, 0, u, up, gx, gt, gc, losses);
  }
  if (kind == BCE_WITH_LOGITS) return bceWithLogitsLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == BCE) return bceLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == SIGMOID_FOCAL) return sigmoidFocalLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == KL_DIV) return klDivLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == POISSON_NLL) return poissonNllLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == GAUSSIAN_NLL) return gaussianNllLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == SOFT_MARGIN) return softMarginLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == HINGE_EMBEDDING) return hingeEmbeddingLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == SQUARED_HINGE) {
    // The target mapping as a literal: a loop per case, not a select per vector.
    if (p1 != 0) return squaredHingeLoop<T>(x, t, cp, w, n, 1, p2, u, up, gx, gt, gc, losses);
    return squaredHingeLoop<T>(x, t, cp, w, n, 0, p2, u, up, gx, gt, gc, losses);
  }
  if (kind == SPARSEMAX) return sparsemaxLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  if (kind == LOG_COSH) return logCoshLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  return marginRankingLoop<T>(x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}

/**
 * Every export: the loop with literal zeros for what a call does not use, in the common case (no
 * weights, per-element upstream or per-element losses), three times: the forward (no gradient),
 * the input's gradient only (argnums [0]) and every gradient. Binaryen then folds the branches of
 * finish and drops the formulas of gradients not stored, since V8 does not unswitch loops (the
 * forward of BCE with logits skips its sigmoid's division; Huber's forward kernel went from 3.1 to
 * 1.3 ms per 4M float32 elements). Measured before dropping the input-only loop (16 KB of
 * WebAssembly): without it MSE's and L1's gradient kernels took 1.4x as long (min of 25, 4M
 * elements, interleaved). Gaussian NLL's variances, margin ranking's target and BCE with logits'
 * pos weights (0 where there are none, a test inside the loop) are the operand c these loops take:
 * pos weights took the general loop before, and its forward computed the sigmoid's division too
 * (4M float32, Node 24: 13.6–14.3 ms against 9.3–9.5 without pos weights).
 */
@inline function variants<T>(kind: i32, x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  const withC = kind == GAUSSIAN_NLL || kind == MARGIN_RANKING || kind == BCE_WITH_LOGITS;
  if ((withC ? <usize>0 : cp | gc) | w | up | losses) return loop<T>(kind, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
  const c3 = withC ? cp : 0;
  if ((gx | gt | gc) == 0) return loop<T>(kind, x, t, c3, 0, n, p1, p2, u, 0, 0, 0, 0, 0);
  if ((gt | gc) == 0) return loop<T>(kind, x, t, c3, 0, n, p1, p2, u, 0, gx, 0, 0, 0);
  return loop<T>(kind, x, t, c3, 0, n, p1, p2, u, 0, gx, gt, gc, 0);
}

export function l1_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(L1, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function l1_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(L1, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function mse_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(MSE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function mse_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(MSE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function smoothL1_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  if (<f32>p1 == Infinity && p1 != Infinity) return smoothL1Wide(x, t, w, n, p1, p2, u, up, gx, gt, losses);
  return variants<f32>(SMOOTH_L1, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function smoothL1_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(SMOOTH_L1, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function bceWithLogits_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(BCE_WITH_LOGITS, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function bceWithLogits_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(BCE_WITH_LOGITS, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function bce_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(BCE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function bce_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(BCE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function sigmoidFocal_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(SIGMOID_FOCAL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function sigmoidFocal_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(SIGMOID_FOCAL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function klDiv_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(KL_DIV, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function klDiv_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(KL_DIV, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function poissonNll_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(POISSON_NLL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function poissonNll_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(POISSON_NLL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function gaussianNll_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(GAUSSIAN_NLL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function gaussianNll_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(GAUSSIAN_NLL, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function softMargin_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(SOFT_MARGIN, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function softMargin_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(SOFT_MARGIN, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function hingeEmbedding_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(HINGE_EMBEDDING, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function hingeEmbedding_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(HINGE_EMBEDDING, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function marginRanking_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(MARGIN_RANKING, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function marginRanking_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(MARGIN_RANKING, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function squaredHinge_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(SQUARED_HINGE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function squaredHinge_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(SQUARED_HINGE, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function sparsemax_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(SPARSEMAX, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function sparsemax_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(SPARSEMAX, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function logCosh_f32(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f32>(LOG_COSH, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
export function logCosh_f64(x: usize, t: usize, cp: usize, w: usize, n: i32, p1: f64, p2: f64, u: f64, up: usize, gx: usize, gt: usize, gc: usize, losses: usize): f64 {
  return variants<f64>(LOG_COSH, x, t, cp, w, n, p1, p2, u, up, gx, gt, gc, losses);
}
